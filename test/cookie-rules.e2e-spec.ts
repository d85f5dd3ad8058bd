import { PLATFORMS } from './support/platform.js';
import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type DemoHandle,
  STORES,
  consumeFlashes,
  login,
  sessionCookie,
  setCookieLine,
  startDemo,
  inCookie,
} from './support/demo.js';

/** Text compression cannot shrink much. */
function randomText(length: number): string {
  let text = '';
  while (text.length < length) text += Math.random().toString(36).slice(2);
  return text.slice(0, length);
}

describe.each(PLATFORMS)('on %s', (platform) => {
  describe.each(STORES)('session cookie rules on the %s store', (store) => {
    let demo: DemoHandle;
    afterEach(() => demo?.close());

    it('is named session, HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP', async () => {
      demo = await startDemo(store, {}, platform);
      const res = await request(demo.server)
        .post('/login')
        .send({ username: 'admin', password: 'admin' });
      const line = setCookieLine(res)!;
      expect(line).toMatch(/^session=[^;]+;/);
      expect(line).toMatch(/; HttpOnly/);
      expect(line).toMatch(/; SameSite=Lax/);
      expect(line).toMatch(/; Path=\//);
      expect(line).not.toMatch(/Secure/);
    });

    it('is Secure behind a trusted proxy that saw HTTPS, and only then', async () => {
      demo = await startDemo(store, { TRUST_PROXY: '1' }, platform);
      const https = await request(demo.server)
        .post('/cart')
        .set('X-Forwarded-Proto', 'https')
        .send({ item: 'x' });
      expect(setCookieLine(https)).toMatch(/; Secure/);
      const http = await request(demo.server)
        .post('/cart')
        .set('X-Forwarded-Proto', 'http')
        .send({ item: 'x' });
      expect(setCookieLine(http)).not.toMatch(/Secure/);
      await demo.close();
      demo = await startDemo(store, {}, platform);
      const untrusted = await request(demo.server)
        .post('/cart')
        .set('X-Forwarded-Proto', 'https')
        .send({ item: 'x' });
      expect(setCookieLine(untrusted)).not.toMatch(/Secure/);
    });

    it('a permanent session carries Max-Age = SESSION_LIFETIME and slides on every request', async () => {
      demo = await startDemo(store, { SESSION_LIFETIME: '600' }, platform);
      const cookie = await login(demo.server, { remember: 'on' });
      const page = await request(demo.server).get('/dashboard').set('Cookie', cookie);
      expect(page.status).toBe(200);
      expect(setCookieLine(page)).toMatch(/; Max-Age=600;/);
      expect(page.headers['cache-control']).toBe('no-store');
    });

    it('a non-permanent session has no Expires or Max-Age and is not re-sent on reads', async () => {
      demo = await startDemo(store, {}, platform);
      // The first request after login consumes its flash message, a write; the next ones only read.
      const { cookie } = await consumeFlashes(demo.server, await login(demo.server));
      const page = await request(demo.server).get('/dashboard').set('Cookie', cookie);
      expect(page.status).toBe(200);
      expect(setCookieLine(page)).toBeUndefined();
    });

    it('refuses a session older than the lifetime, whatever the client sends', async () => {
      // Timestamps are whole seconds, so a cookie's age reads up to 1 s high: a 2 s lifetime keeps
      // the first request safely inside it.
      demo = await startDemo(store, { SESSION_LIFETIME: '2' }, platform);
      const cookie = await login(demo.server, { remember: 'on' });
      expect((await request(demo.server).get('/dashboard').set('Cookie', cookie)).status).toBe(200);
      await sleep(3100);
      const late = await request(demo.server).get('/dashboard').set('Cookie', cookie);
      expect(late.status).toBe(401);
    });

    it('sets no cookie for a session that was never written to', async () => {
      demo = await startDemo(store, {}, platform);
      for (const path of [
        '/',
        '/login',
        '/cart',
        '/healthz',
        '/profile',
        '/dashboard',
        '/logout',
      ]) {
        const res = await request(demo.server).get(path);
        expect(setCookieLine(res)).toBeUndefined();
      }
    });

    it('Vary: Cookie on responses that read the session; Cache-Control: no-store on those that set or clear it', async () => {
      demo = await startDemo(store, {}, platform);
      const read = await request(demo.server).get('/cart');
      expect(read.headers.vary).toMatch(/Cookie/);
      expect(read.headers['cache-control']).toBeUndefined();
      const untouched = await request(demo.server).get('/healthz');
      expect(untouched.headers.vary ?? '').not.toMatch(/Cookie/);
      const set = await request(demo.server).post('/cart').send({ item: 'x' });
      expect(set.headers.vary).toMatch(/Cookie/);
      expect(set.headers['cache-control']).toBe('no-store');
      const cleared = await request(demo.server).get('/logout').set('Cookie', sessionCookie(set)!);
      expect(setCookieLine(cleared)).toMatch(/Max-Age=0/);
      expect(cleared.headers['cache-control']).toBe('no-store');
      expect(cleared.headers.vary).toMatch(/Cookie/);
    });

    it('never sends a Set-Cookie line over 4096 bytes, however much is added', async () => {
      demo = await startDemo(store, {}, platform);
      let cookie: string | undefined;
      const statuses = new Set<number>();
      for (let i = 0; i < 30; i++) {
        const req = request(demo.server)
          .post('/cart')
          .send({ item: randomText(180) });
        if (cookie) void req.set('Cookie', cookie);
        const res = await req;
        statuses.add(res.status);
        const line = setCookieLine(res);
        if (line) {
          expect(line.length).toBeLessThanOrEqual(4096);
          cookie = line.split(';')[0];
        }
      }
      const items = (await request(demo.server).get('/cart').set('Cookie', cookie!)).body
        .items as string[];
      if (inCookie(store)) {
        // The cookie store refuses the write that would not fit (500) and keeps what fitted.
        expect(statuses).toEqual(new Set([201, 500]));
        expect(items.length).toBeGreaterThan(10);
        expect(items.length).toBeLessThan(30);
      } else {
        expect(statuses).toEqual(new Set([201]));
        expect(items).toHaveLength(30);
      }
    });
  });
});
