import { CookieError, MemoryStore, type SessionModuleOptions } from 'nestjs-flask-session';
import { SessionTestKit } from 'nestjs-flask-session/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import {
  type CookieFlashApp,
  FullLogger,
  startCookieFlashApp,
} from './support/cookie-flash-app.js';
import { OLD_SECRET, SECRET } from './support/demo.js';
import { FlakyStore } from './support/flaky-store.js';
import { PLATFORMS } from './support/platform.js';

// The cookies beside the session (@Cookies(), CookiesService) and the flash messages (@Flash(),
// FlashService), over real HTTP on both platforms.

/** Every Set-Cookie line of a response. */
function setCookies(res: request.Response): string[] {
  return (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
}

/** The Set-Cookie line of one cookie. */
function lineOf(res: request.Response, name: string): string | undefined {
  return setCookies(res).find((line) => line.startsWith(`${name}=`));
}

/** The `name=value` pair of one cookie a response set. */
function pairOf(res: request.Response, name: string): string {
  const line = lineOf(res, name);
  if (line === undefined)
    throw new Error(`no ${name} cookie in ${JSON.stringify(setCookies(res))}`);
  return line.split(';')[0];
}

/** The value of one cookie a response set. */
function valueOf(res: request.Response, name: string): string {
  return pairOf(res, name).slice(name.length + 1);
}

describe.each(PLATFORMS)('cookies and flash messages, on %s', (platform) => {
  let t: CookieFlashApp;
  let logger: FullLogger;
  const start = async (options: Partial<SessionModuleOptions> = {}) => {
    logger = new FullLogger();
    t = await startCookieFlashApp({ secretKey: SECRET, ...options }, platform, logger);
    return t;
  };
  afterEach(() => t?.close());

  describe('@Cookies(): reading', () => {
    beforeEach(() => start());

    it('get gives a plain cookie percent-decoded, the first of duplicates', async () => {
      const res = await request(t.server)
        .get('/get/note')
        .set('Cookie', 'other=1; note=hello%20w%C3%B6rld%3B; note=second');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ value: 'hello wörld;' });
      expect((await request(t.server).get('/get/note')).body).toEqual({ value: null });
      expect((await request(t.server).get('/get/toString').set('Cookie', 'a=1')).body).toEqual({
        value: null,
      });
    });

    it('all gives every cookie, by name', async () => {
      const res = await request(t.server).get('/all').set('Cookie', 'a=1; b=x%3By; c=');
      expect(res.body).toEqual({ a: '1', b: 'x;y', c: '' });
      expect((await request(t.server).get('/all')).body).toEqual({});
    });

    it('a handler that read a cookie answers with Vary: Cookie', async () => {
      const read = await request(t.server).get('/get/a').set('Cookie', 'a=1');
      expect(read.headers.vary).toMatch(/\bCookie\b/);
      const none = await request(t.server).get('/nothing').set('Cookie', 'a=1');
      expect(none.headers.vary).toBeUndefined();
    });
  });

  describe('@Cookies(): setting', () => {
    beforeEach(() => start());

    it("set gives the exact Set-Cookie line (the demo's theme cookie)", async () => {
      const res = await request(t.server).post('/theme');
      expect(res.status).toBe(201);
      expect(setCookies(res)).toEqual(['theme=dark; Path=/; Max-Age=31536000; SameSite=Lax']);
    });

    it('a set on a request that never touched the session sets no session cookie', async () => {
      const res = await request(t.server).post('/theme');
      expect(lineOf(res, 'session')).toBeUndefined();
      // A response that sets a cookie is one client's: no shared cache may keep it.
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('encodes a value the browser can carry, and the next request reads it back', async () => {
      const value = 'a b;"c",\\d%e é 😀';
      const res = await request(t.server).post('/set').send({ name: 'note', value });
      expect(res.status).toBe(201);
      expect(valueOf(res, 'note')).toMatch(/^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/);
      const back = await request(t.server).get('/get/note').set('Cookie', pairOf(res, 'note'));
      expect(back.body).toEqual({ value });
    });

    it.each([
      ['returned value', 'returned', 201],
      ['@Res() and the adapter reply', 'reply', 202],
      ['@Redirect()', 'redirect-decorator', 303],
      ['an adapter redirect', 'redirect-adapter', 302],
      ['a thrown HttpException', 'throw', 400],
      ['a StreamableFile', 'stream', 201],
      ['raw Node writeHead/write/end', 'raw', 200],
    ])('the cookie arrives on every path: %s', async (_label, path, status) => {
      const res = await request(t.server).post(`/path/${path}`);
      expect(res.status).toBe(status);
      expect(setCookies(res)).toEqual([`path=${path}; Path=/; HttpOnly; SameSite=Lax`]);
    });

    it('sets its cookie beside the session cookie (both lines)', async () => {
      const res = await request(t.server).post('/with-session');
      expect(res.status).toBe(201);
      expect(lineOf(res, 'theme')).toBe('theme=dark; Path=/; HttpOnly; SameSite=Lax');
      expect(lineOf(res, 'session')).toMatch(/^session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
      expect(setCookies(res)).toHaveLength(2);
    });

    it('delete expires the cookie', async () => {
      const res = await request(t.server).post('/delete/theme').set('Cookie', 'theme=dark');
      expect(setCookies(res)).toEqual([
        'theme=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
      ]);
    });

    it('set after the response started throws CookieError; the one set before went out', async () => {
      const res = await request(t.server).post('/late');
      expect(res.status).toBe(200);
      expect(res.text).toMatch(
        /^started; CookieError: Cookie "late" cannot be set: .*already sent/,
      );
      expect(setCookies(res)).toEqual(['early=1; Path=/; HttpOnly; SameSite=Lax']);
    });

    it.each([
      ['an invalid name', { name: 'a b', value: 'v' }, /CookieError: Cookie "a b" cannot be set/],
      [
        'an invalid option',
        { name: 'a', value: 'v', options: { sameSite: 'none' } },
        /CookieError: Cookie "a" cannot be set: sameSite 'none' needs secure/,
      ],
      [
        'an unknown option',
        { name: 'a', value: 'v', options: { maxage: 1 } },
        /CookieError: Cookie "a" cannot be set: unknown option maxage/,
      ],
      [
        "the session cookie's name",
        { name: 'session', value: 'v' },
        /CookieError: Cookie "session" cannot be set/,
      ],
      [
        'a value too large',
        { name: 'big', value: 'x'.repeat(5000) },
        /CookieTooLargeError: Cookie "big" cannot be set: its Set-Cookie line would be \d+ bytes/,
      ],
    ])('%s is a 500 with the error in the log, and no cookie', async (_label, body, logged) => {
      const res = await request(t.server).post('/set').send(body);
      expect(res.status).toBe(500);
      expect(setCookies(res)).toEqual([]);
      expect(logger.errors()).toMatch(logged);
    });
  });

  describe('signed cookies', () => {
    beforeEach(() => start());

    const signed = async (name = 'prefs', value = 'compact') =>
      request(t.server).post(`/signed/${name}?value=${encodeURIComponent(value)}`);

    it('setSigned, then getSigned on the next request gives the value', async () => {
      const set = await signed('prefs', 'compact view; é');
      expect(lineOf(set, 'prefs')).toMatch(/^prefs=[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]{43}; Path=\/;/);
      const res = await request(t.server).get('/signed/prefs').set('Cookie', pairOf(set, 'prefs'));
      expect(res.status).toBe(200);
      expect(res.body.value).toBe('compact view; é');
    });

    it("the test kit's signedCookie() is read by getSigned; expired, or under another key, it is not", async () => {
      const kit = SessionTestKit.for(t.app);
      const res = await request(t.server)
        .get('/signed/prefs')
        .set('Cookie', kit.signedCookie('prefs', 'from the kit'));
      expect(res.body.value).toBe('from the kit');
      await refused(kit.signedCookie('prefs', 'gone', { expiresAt: Date.now() - 1000 }));
      const foreign = SessionTestKit.forOptions({ secretKey: 'f'.repeat(40) });
      await refused(foreign.signedCookie('prefs', 'forged'));
      expect(() => kit.signedCookie('session', 'x')).toThrow(CookieError);
    });

    it('a planted cookie of the same name sent first does not shadow the signed one', async () => {
      const real = pairOf(await signed('prefs', 'mine'), 'prefs');
      const forged = `prefs=${Buffer.from('theirs').toString('base64url')}..${'A'.repeat(43)}`;
      for (const header of [`${forged}; ${real}`, `prefs=junk; ${real}`, `${real}; prefs=junk`]) {
        const res = await request(t.server).get('/signed/prefs').set('Cookie', header);
        expect(res.body.value).toBe('mine');
      }
    });

    /** getSigned and the session for a Cookie header: refused, never an error. */
    async function refused(cookie: string, name = 'prefs'): Promise<void> {
      const res = await request(t.server).get(`/signed/${name}`).set('Cookie', cookie);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ value: null, isNew: true, keys: [] });
    }

    it('a tampered signed cookie is refused', async () => {
      const value = valueOf(await signed('prefs', 'compact'), 'prefs');
      const [encoded, expiry, mac] = value.split('.');
      const other = Buffer.from('wide').toString('base64url');
      await refused(`prefs=${other}.${expiry}.${mac}`);
      await refused(
        `prefs=${encoded}.${expiry}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      );
      await refused(`prefs=${encoded}.zzzzzz.${mac}`);
      await refused(`prefs=${value}x`);
      await refused(`prefs=${Buffer.from('compact').toString('base64url')}`);
    });

    it('a value signed for another cookie is refused', async () => {
      const value = valueOf(await signed('prefs', 'compact'), 'prefs');
      await refused(`layout=${value}`, 'layout');
    });

    it('the session cookie copied into a signed cookie is refused', async () => {
      const session = valueOf(await request(t.server).post('/with-session'), 'session');
      await refused(`prefs=${session}`);
    });

    it('a signed cookie copied into the session cookie is refused (a new, empty session)', async () => {
      const value = valueOf(await signed('session-like', 'x'), 'session-like');
      await refused(`session=${value}`);
      const own = valueOf(await signed('prefs', '{"user":"admin"}'), 'prefs');
      const res = await request(t.server).get('/signed/prefs').set('Cookie', `session=${own}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ value: null, isNew: true, keys: [] });
    });

    it('a signed cookie with maxAge is refused by the server after its expiry', async () => {
      const set = await request(t.server).post('/signed/prefs?value=soon&maxAge=1100');
      expect(lineOf(set, 'prefs')).toMatch(/; Max-Age=2;/); // whole seconds, rounded up
      const cookie = pairOf(set, 'prefs');
      const before = await request(t.server).get('/signed/prefs').set('Cookie', cookie);
      expect(before.body.value).toBe('soon');
      // The signed expiry is the Max-Age's end in whole seconds: at most 2 s from the set.
      await sleep(2100);
      const after = await request(t.server).get('/signed/prefs').set('Cookie', cookie);
      expect(after.status).toBe(200);
      expect(after.body.value).toBeNull();
    });
  });

  it('rotation: a signed cookie from an app with [OLD] is accepted by one with [NEW, OLD]', async () => {
    const old = await start({ secretKey: OLD_SECRET });
    const cookie = pairOf(await request(old.server).post('/signed/prefs?value=kept'), 'prefs');
    await old.close();
    const rotated = await start({ secretKey: [SECRET, OLD_SECRET] });
    const res = await request(rotated.server).get('/signed/prefs').set('Cookie', cookie);
    expect(res.body.value).toBe('kept');
    await rotated.close();
    await start({ secretKey: SECRET });
    expect((await request(t.server).get('/signed/prefs').set('Cookie', cookie)).body.value).toBe(
      null,
    );
  });

  it("secure: 'auto' gives Secure only over HTTPS (behind a trusted proxy)", async () => {
    await start({ trustProxy: true });
    const https = await request(t.server).post('/theme').set('X-Forwarded-Proto', 'https');
    expect(lineOf(https, 'theme')).toBe(
      'theme=dark; Path=/; Max-Age=31536000; Secure; SameSite=Lax',
    );
    const http = await request(t.server).post('/theme').set('X-Forwarded-Proto', 'http');
    expect(lineOf(http, 'theme')).toBe('theme=dark; Path=/; Max-Age=31536000; SameSite=Lax');
    const plain = await request(t.server).post('/theme');
    expect(lineOf(plain, 'theme')).not.toContain('Secure');
  });

  it('without trustProxy, X-Forwarded-Proto does not make a cookie Secure', async () => {
    await start();
    const res = await request(t.server).post('/theme').set('X-Forwarded-Proto', 'https');
    expect(lineOf(res, 'theme')).not.toContain('Secure');
  });

  it('a refused cross-origin POST sets no cookie, not even one set before the refusal', async () => {
    await start();
    // The app's middleware sets `early` before the guard refuses the request.
    const res = await request(t.server)
      .post('/theme')
      .set('Sec-Fetch-Site', 'cross-site')
      .set('X-Early-Cookie', '1');
    expect(res.status).toBe(403);
    expect(setCookies(res)).toEqual([]);
    const same = await request(t.server)
      .post('/theme')
      .set('Sec-Fetch-Site', 'same-origin')
      .set('X-Early-Cookie', '1');
    expect(same.status).toBe(201);
    expect(setCookies(same)).toEqual([
      'early=1; Path=/; HttpOnly; SameSite=Lax',
      'theme=dark; Path=/; Max-Age=31536000; SameSite=Lax',
    ]);
  });

  describe('when the session store is down', () => {
    let store: FlakyStore;
    beforeEach(async () => {
      store = new FlakyStore();
      await start({ store, storeTimeout: 300 });
    });

    it('a route that only sets a plain cookie still sets it and answers 200', async () => {
      const session = pairOf(await request(t.server).post('/with-session'), 'session');
      store.down = true;
      const res = await request(t.server).post('/theme').set('Cookie', session);
      expect(res.status).toBe(201);
      expect(setCookies(res)).toEqual(['theme=dark; Path=/; Max-Age=31536000; SameSite=Lax']);
      const raw = await request(t.server).post('/path/raw').set('Cookie', session);
      expect(raw.status).toBe(200);
      expect(setCookies(raw)).toEqual(['path=raw; Path=/; HttpOnly; SameSite=Lax']);
      const read = await request(t.server).get('/get/theme').set('Cookie', `theme=x; ${session}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ value: 'x' });
    });

    it('a route that needs the session is a 503 and sets no cookie', async () => {
      const session = pairOf(await request(t.server).post('/with-session'), 'session');
      store.down = true;
      const res = await request(t.server).post('/with-session').set('Cookie', session);
      expect(res.status).toBe(503);
      expect(setCookies(res)).toEqual([]);
    });
  });

  describe('services from a provider', () => {
    beforeEach(() => start());

    it('CookiesService and FlashService work from a provider, not the handler', async () => {
      const set = await request(t.server).post('/service?theme=light');
      expect(set.status).toBe(303);
      expect(lineOf(set, 'theme')).toBe('theme=light; Path=/; SameSite=Lax');
      expect(lineOf(set, 'owner')).toBeDefined();
      expect(lineOf(set, 'session')).toBeDefined();
      const cookie = ['theme', 'owner', 'session'].map((name) => pairOf(set, name)).join('; ');
      const read = await request(t.server).get('/service').set('Cookie', cookie);
      expect(read.body).toEqual({
        theme: 'light',
        owner: 'ana',
        flashes: ['Theme set to light'],
        pending: true,
      });
      const again = await request(t.server)
        .get('/service')
        .set('Cookie', `theme=light; owner=${valueOf(set, 'owner')}; ${pairOf(read, 'session')}`);
      expect(again.body).toEqual({ theme: 'light', owner: 'ana', flashes: [], pending: false });
    });
  });

  describe.each([
    ['the cookie store', () => ({})],
    ['a server-side store (MemoryStore)', () => ({ store: new MemoryStore() })],
  ])('flash messages on %s', (_label, options) => {
    beforeEach(() => start(options()));

    it('flash on one request, read after the redirect: once, then gone', async () => {
      const agent = request.agent(t.server);
      const flashed = await agent.post('/flash?message=Saved&category=success');
      expect(flashed.status).toBe(303);
      expect(flashed.headers.location).toBe('/flash');
      expect(lineOf(flashed, 'session')).toBeDefined();
      const shown = await agent.get(flashed.headers.location);
      expect(shown.body).toEqual({ flashes: [{ category: 'success', message: 'Saved' }] });
      expect((await agent.get('/flash')).body).toEqual({ flashes: [] });
    });

    it('several messages, in order, with the default category', async () => {
      const agent = request.agent(t.server);
      await agent.post('/flash?message=one');
      await agent.post('/flash?message=two&category=error');
      expect((await agent.get('/flash')).body).toEqual({
        flashes: [
          { category: 'message', message: 'one' },
          { category: 'error', message: 'two' },
        ],
      });
    });

    it('a category filter gives those categories, and consumes them all', async () => {
      const agent = request.agent(t.server);
      await agent.post('/flash?message=one&category=info');
      await agent.post('/flash?message=two&category=error');
      expect((await agent.get('/flash?categories=error')).body).toEqual({
        flashes: [{ category: 'error', message: 'two' }],
      });
      expect((await agent.get('/flash')).body).toEqual({ flashes: [] });
    });

    it('a request that neither flashes nor reads sets no cookie', async () => {
      const agent = request.agent(t.server);
      await agent.post('/flash?message=waiting');
      const res = await agent.get('/nothing');
      expect(res.status).toBe(200);
      expect(setCookies(res)).toEqual([]);
      // The message still waits.
      expect((await agent.get('/flash')).body.flashes).toHaveLength(1);
      const fresh = await request(t.server).get('/nothing');
      expect(setCookies(fresh)).toEqual([]);
    });

    it('reading with nothing waiting sets no cookie', async () => {
      const fresh = await request(t.server).get('/flash');
      expect(fresh.body).toEqual({ flashes: [] });
      expect(setCookies(fresh)).toEqual([]);
      const agent = request.agent(t.server);
      await agent.post('/flash?message=once');
      await agent.get('/flash');
      const res = await agent.get('/flash');
      expect(res.body).toEqual({ flashes: [] });
      expect(setCookies(res)).toEqual([]);
    });
  });
});
