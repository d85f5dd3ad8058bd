import { CookieStore, MemoryStore } from 'nestjs-flask-session';
import request from 'supertest';
import { postBodyLater } from './support/slow-body.js';
import { SECRET, sessionCookie, setCookieLine } from './support/demo.js';
import { PLATFORMS } from './support/platform.js';
import { type TestApp, startTestApp } from './support/test-app.js';

const stores = {
  cookie: () => new CookieStore(),
  'encrypted cookie': () => new CookieStore({ encrypt: true }),
  memory: () => new MemoryStore(),
};

describe.each(PLATFORMS)('on %s', (platform) => {
  describe.each(Object.keys(stores) as (keyof typeof stores)[])(
    'session lifecycle on the %s store',
    (kind) => {
      let t: TestApp;
      beforeEach(async () => {
        t = await startTestApp({ secretKey: SECRET, store: stores[kind]() }, false, platform);
      });
      afterEach(() => t.close());

      /** Sends a request with the cookie jar and keeps the jar up to date. */
      async function withJar(
        jar: { cookie?: string },
        req: request.Test,
      ): Promise<request.Response> {
        if (jar.cookie) void req.set('Cookie', jar.cookie);
        const res = await req;
        const line = setCookieLine(res);
        if (line !== undefined)
          jar.cookie = /Max-Age=0/.test(line) ? undefined : sessionCookie(res);
        return res;
      }

      it('a route that never touches the session gets no cookie and no Vary', async () => {
        const res = await request(t.server).get('/untouched');
        expect(setCookieLine(res)).toBeUndefined();
        expect(res.headers.vary ?? '').not.toMatch(/cookie/i);
      });

      it('reading marks Vary: Cookie without Set-Cookie or Cache-Control', async () => {
        const res = await request(t.server).get('/read/x');
        expect(res.headers.vary).toMatch(/Cookie/);
        expect(setCookieLine(res)).toBeUndefined();
        expect(res.headers['cache-control']).toBeUndefined();
      });

      it('writing sets the cookie with Cache-Control: no-store and Vary: Cookie', async () => {
        const res = await request(t.server).post('/set/a?value=1');
        expect(setCookieLine(res)).toMatch(/^session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers.vary).toMatch(/Cookie/);
      });

      it('a new session reports isNew; a returning one does not', async () => {
        const jar = {};
        expect((await withJar(jar, request(t.server).get('/keys'))).body.isNew).toBe(true);
        await withJar(jar, request(t.server).post('/set/a?value=1'));
        expect((await withJar(jar, request(t.server).get('/keys'))).body).toEqual({
          keys: ['a'],
          isNew: false,
          permanent: false,
        });
      });

      it('nested in-place mutation persists without any flag', async () => {
        const jar = {};
        await withJar(jar, request(t.server).post('/push?item=a'));
        const second = await withJar(jar, request(t.server).post('/push?item=b'));
        expect(setCookieLine(second)).toBeDefined();
        const read = await withJar(jar, request(t.server).get('/read/list'));
        expect(read.body).toEqual({ value: ['a', 'b'] });
      });

      it('a Date round-trips as a Date', async () => {
        const jar = {};
        await withJar(jar, request(t.server).post('/date'));
        const res = await withJar(jar, request(t.server).get('/date'));
        expect(res.body).toEqual({ isDate: true, iso: '2024-02-29T12:00:00.000Z' });
      });

      it('a value that cannot be stored fails at set() and the session keeps what it had', async () => {
        const jar = {};
        await withJar(jar, request(t.server).post('/set/a?value=1'));
        const res = await withJar(jar, request(t.server).post('/bad-value'));
        expect(res.status).toBe(500);
        expect(setCookieLine(res)).toBeUndefined();
        expect((await withJar(jar, request(t.server).get('/read/a'))).body).toEqual({ value: '1' });
      });

      it.each([
        ['a thrown exception', '/throw-after-set', 400, 'thrown'],
        ['@Res()', '/res-after-set', 202, 'raw'],
        ['a redirect', '/redirect-after-set', 303, 'redirected'],
        ['@Redirect()', '/redirect-decorator-after-set', 303, 'redirected'],
        ['a stream', '/stream-after-set', 201, 'streamed'],
      ])('commits before the headers leave on %s', async (_how, path, status, key) => {
        const jar = {};
        const res = await withJar(jar, request(t.server).post(path));
        expect(res.status).toBe(status);
        expect(setCookieLine(res)).toBeDefined();
        expect(res.headers['cache-control']).toBe('no-store');
        expect((await withJar(jar, request(t.server).get(`/read/${key}`))).body).toEqual({
          value: 'yes',
        });
      });

      it("the app's own cookie, set through the platform, goes out beside the session's", async () => {
        const res = await request(t.server).post('/own-cookie');
        const lines = res.headers['set-cookie'] as unknown as string[];
        expect(lines).toHaveLength(2);
        expect(lines).toContain('theme=dark; Path=/');
        expect(setCookieLine(res)).toMatch(/^session=[^;]+;/);
      });

      it('raw writes in pieces reach the client whole, after the commit', async () => {
        const jar = {};
        // A lost held call leaves the response open: fail in time instead of hanging the run.
        const res = await withJar(jar, request(t.server).post('/chunks-after-set').timeout(3000));
        expect(res.status).toBe(200);
        expect(res.text).toBe('one,two,three,four,five');
        expect(setCookieLine(res)).toBeDefined();
        expect((await withJar(jar, request(t.server).get('/read/chunked'))).body).toEqual({
          value: 'yes',
        });
      });

      it('a session that becomes empty has its cookie removed', async () => {
        const jar: { cookie?: string } = {};
        await withJar(jar, request(t.server).post('/set/a?value=1'));
        const cookie = jar.cookie!;
        const res = await withJar(jar, request(t.server).post('/pop/a'));
        expect(res.body).toEqual({ value: '1' });
        expect(setCookieLine(res)).toMatch(
          /^session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/,
        );
        expect(res.headers['cache-control']).toBe('no-store');
        if (kind === 'memory') {
          const stale = await request(t.server).get('/keys').set('Cookie', cookie);
          expect(stale.body.keys).toEqual([]);
        }
      });

      it('destroy() clears the data and expires the cookie', async () => {
        const jar: { cookie?: string } = {};
        await withJar(jar, request(t.server).post('/set/a?value=1'));
        const res = await withJar(jar, request(t.server).post('/destroy'));
        expect(setCookieLine(res)).toMatch(/Max-Age=0/);
        expect(jar.cookie).toBeUndefined();
      });

      it('regenerate() issues a new cookie and keeps the data', async () => {
        const jar: { cookie?: string } = {};
        await withJar(jar, request(t.server).post('/set/a?value=1'));
        const before = jar.cookie!;
        await new Promise((resolve) => setTimeout(resolve, 1100)); // a new timestamp, for the cookie store
        await withJar(jar, request(t.server).post('/regenerate'));
        expect(jar.cookie).not.toBe(before);
        expect((await withJar(jar, request(t.server).get('/keys'))).body.keys).toEqual([
          'a',
          'regenerated',
        ]);
        if (kind === 'memory') {
          // The old id no longer opens the session.
          const old = await request(t.server).get('/keys').set('Cookie', before);
          expect(old.body.keys).toEqual([]);
        }
      });

      it('a permanent session carries Max-Age and is re-sent on every request (refreshEachRequest)', async () => {
        const jar: { cookie?: string } = {};
        const set = await withJar(jar, request(t.server).post('/permanent'));
        expect(setCookieLine(set)).toMatch(/Max-Age=2678400/);
        const read = await withJar(jar, request(t.server).get('/untouched'));
        expect(setCookieLine(read)).toMatch(/Max-Age=2678400/);
        expect(read.headers['cache-control']).toBe('no-store');
        expect((await withJar(jar, request(t.server).get('/keys'))).body.permanent).toBe(true);
      });

      it('a non-permanent session is not re-sent on reads', async () => {
        const jar = {};
        await withJar(jar, request(t.server).post('/set/a?value=1'));
        const read = await withJar(jar, request(t.server).get('/read/a'));
        expect(setCookieLine(read)).toBeUndefined();
      });

      it('SessionService gives every concurrent request its own session', async () => {
        const users = ['ana', 'ben', 'cy', 'dee', 'eli'];
        const cookies = new Map<string, string>();
        for (const user of users) {
          const res = await request(t.server).post(`/set/user?value=${user}`);
          cookies.set(user, sessionCookie(res)!);
        }
        // 50 requests interleaved: each handler awaits a random delay before reading through the service.
        const calls = Array.from({ length: 50 }, (_, i) => {
          const user = users[i % users.length];
          const delay = Math.floor(Math.random() * 30);
          return request(t.server)
            .get(`/whoami?delay=${delay}`)
            .set('Cookie', cookies.get(user)!)
            .then((res) => ({ user, seen: res.body.user as string }));
        });
        const results = await Promise.all(calls);
        expect(results.filter((r) => r.seen !== r.user)).toEqual([]);
        // And a request without a session sees none.
        expect((await request(t.server).get('/whoami?delay=1')).body).toEqual({});
      });

      it('SessionService still finds the session once a body that came later is parsed', async () => {
        const cookie = sessionCookie(await request(t.server).post('/set/user?value=ana'))!;
        for (const type of ['application/json', 'application/x-www-form-urlencoded']) {
          const body = type === 'application/json' ? '{"delay":"5"}' : 'delay=5';
          const seen = await postBodyLater(t.server, '/whoami', cookie, type, body);
          expect({ type, seen }).toEqual({ type, seen: { user: 'ana' } });
        }
      });
    },
  );

  describe('cookie size limit (cookie store)', () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await startTestApp({ secretKey: SECRET }, false, platform);
    });
    afterEach(() => t.close());

    it('never sends a cookie over 4096 bytes: 500 naming the cause, the old session kept', async () => {
      const ok = await request(t.server).post('/set/a?value=1');
      const cookie = sessionCookie(ok)!;
      const res = await request(t.server).post('/big?bytes=5000').set('Cookie', cookie);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ statusCode: 500, message: 'Session too large to store' });
      expect(setCookieLine(res)).toBeUndefined();
      expect((await request(t.server).get('/read/a').set('Cookie', cookie)).body).toEqual({
        value: '1',
      });
    });

    it('a session just under the limit is sent, and its Set-Cookie line fits in 4093 bytes', async () => {
      const res = await request(t.server).post('/big?bytes=2900');
      expect(res.status).toBe(201);
      expect(setCookieLine(res)!.length).toBeLessThanOrEqual(4093);
    });

    it('a compressible large session fits thanks to compression', async () => {
      const res = await request(t.server).post(`/set/text?value=${'abc'.repeat(2000)}`);
      expect(res.status).toBe(201);
      const line = setCookieLine(res)!;
      expect(line.length).toBeLessThan(1000);
      const read = await request(t.server).get('/read/text').set('Cookie', sessionCookie(res)!);
      expect(read.body.value).toBe('abc'.repeat(2000));
    });
  });
});
