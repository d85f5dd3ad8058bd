import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type MemoryStore, SessionRuntime } from 'nestjs-flask-session';
import request from 'supertest';
import {
  type DemoHandle,
  STORES,
  consumeFlashes,
  login,
  removeRedisKeys,
  sessionCookie,
  setCookieLine,
  startDemo,
} from './support/demo.js';
import { PLATFORMS } from './support/platform.js';

// The demo's "Flash messages" and "Plain cookies" contract (../shared/spec/demo-app.md), on
// every store and both platforms.

const HTML_PAGES = ['/', '/login', '/profile', '/dashboard'];

/** The flash elements of an HTML page: [classes, text]. */
function flashesIn(html: string): Array<[string, string]> {
  return [...html.matchAll(/<p class="(flash [^"]*)"[^>]*>([^<]*)<\/p>/g)].map((m) => [m[1], m[2]]);
}

describe.each(PLATFORMS)('on %s', (platform) => {
  describe.each(STORES)('flash messages on the %s store', (store) => {
    let demo: DemoHandle;
    afterEach(() => demo?.close());

    it('login flashes "Logged in as NAME" (success); the page it redirects to shows it once', async () => {
      demo = await startDemo(store, {}, platform);
      const cookie = await login(demo.server);
      const home = await request(demo.server).get('/').set('Cookie', cookie);
      expect(home.status).toBe(200);
      expect(flashesIn(home.text)).toEqual([['flash flash-success', 'Logged in as admin']]);
      // Consumed: the session was written without it, and a reload shows nothing.
      const after = sessionCookie(home) ?? cookie;
      const reload = await request(demo.server).get('/').set('Cookie', after);
      expect(reload.status).toBe(200);
      expect(reload.text).toContain('Welcome, admin!');
      expect(flashesIn(reload.text)).toEqual([]);
    });

    it.each(HTML_PAGES)('%s shows the waiting messages, then they are gone', async (path) => {
      demo = await startDemo(store, {}, platform);
      const cookie = await login(demo.server);
      const page = await request(demo.server)
        .get(path)
        .set('Cookie', cookie)
        .set('Accept', 'text/html');
      expect(page.status).toBe(200);
      expect(flashesIn(page.text)).toEqual([['flash flash-success', 'Logged in as admin']]);
      const json = await request(demo.server)
        .get('/flashes')
        .set('Cookie', sessionCookie(page) ?? cookie);
      expect(json.body).toEqual({ messages: [] });
    });

    it('messages are HTML-escaped', async () => {
      demo = await startDemo(store, { DEMO_USERS: '<b>"eve"&co:pw' }, platform);
      const cookie = await login(demo.server, { user: '<b>"eve"&co', password: 'pw' });
      const home = await request(demo.server).get('/').set('Cookie', cookie);
      expect(flashesIn(home.text)).toEqual([
        ['flash flash-success', 'Logged in as &lt;b&gt;&quot;eve&quot;&amp;co'],
      ]);
      expect(home.text).not.toContain('<b>"eve"');
    });

    it('GET /flashes answers them as JSON and consumes them', async () => {
      demo = await startDemo(store, {}, platform);
      const first = await consumeFlashes(demo.server, await login(demo.server));
      expect(first.messages).toEqual([{ category: 'success', message: 'Logged in as admin' }]);
      const second = await consumeFlashes(demo.server, first.cookie);
      expect(second.messages).toEqual([]);
    });

    it('a request that flashes nothing and reads no flash writes nothing', async () => {
      demo = await startDemo(store, {}, platform);
      const { cookie } = await consumeFlashes(demo.server, await login(demo.server));
      for (const path of ['/cart', '/flashes', '/', '/preferences']) {
        const res = await request(demo.server).get(path).set('Cookie', cookie);
        expect(res.status).toBe(200);
        expect(setCookieLine(res)).toBeUndefined();
      }
      // An anonymous visit that renders the flash area creates no session either.
      const anonymous = await request(demo.server).get('/login');
      expect(anonymous.status).toBe(200);
      expect(setCookieLine(anonymous)).toBeUndefined();
    });
  });

  describe.each(['file', 'redis'] as const)(
    'flashes across two instances on one %s store',
    (store) => {
      let a: DemoHandle;
      let b: DemoHandle;
      let env: NodeJS.ProcessEnv;
      beforeEach(async () => {
        env =
          store === 'file'
            ? {
                SESSION_FILE_DIR: join(
                  tmpdir(),
                  `sessions-flash-${randomBytes(6).toString('hex')}`,
                ),
              }
            : { REDIS_PREFIX: `test:${randomBytes(6).toString('hex')}:` };
        a = await startDemo(store, env, platform);
        b = await startDemo(store, env, platform);
      });
      afterEach(async () => {
        await Promise.all([a.close(), b.close()]);
        if (store === 'file') rmSync(env.SESSION_FILE_DIR!, { recursive: true, force: true });
        else await removeRedisKeys(a.config.redisUrl, env.REDIS_PREFIX!);
      });

      it('a message flashed by one instance is shown by the other, once', async () => {
        const cookie = await login(a.server);
        const shown = await consumeFlashes(b.server, cookie);
        expect(shown.messages).toEqual([{ category: 'success', message: 'Logged in as admin' }]);
        expect((await consumeFlashes(a.server, shown.cookie)).messages).toEqual([]);
      });
    },
  );

  describe.each(STORES)('the theme cookie on the %s store', (store) => {
    let demo: DemoHandle;
    afterEach(() => demo?.close());

    it('GET /preferences reads the theme cookie: light when missing or unknown', async () => {
      demo = await startDemo(store, {}, platform);
      const cases: Array<[string | undefined, string]> = [
        [undefined, 'light'],
        ['theme=dark', 'dark'],
        ['theme=light', 'light'],
        ['theme=purple', 'light'],
        ['theme=', 'light'],
        ['other=1; theme=dark', 'dark'],
      ];
      for (const [cookie, theme] of cases) {
        const req = request(demo.server).get('/preferences');
        if (cookie !== undefined) void req.set('Cookie', cookie);
        const res = await req;
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ theme });
      }
    });

    it.each([
      ['form', 'dark'],
      ['json', 'light'],
    ])(
      'POST /preferences (%s) sets exactly the theme cookie and touches no session',
      async (type, theme) => {
        demo = await startDemo(store, {}, platform);
        const res = await request(demo.server).post('/preferences').type(type).send({ theme });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ theme });
        expect(res.headers['set-cookie']).toEqual([
          `theme=${theme}; Path=/; Max-Age=31536000; SameSite=Lax`,
        ]);
        expect(setCookieLine(res)).toBeUndefined();
        expect(await storedRecords(demo)).toBe(0);
      },
    );

    it('POST /preferences beside a session changes only the theme', async () => {
      demo = await startDemo(store, {}, platform);
      const { cookie } = await consumeFlashes(demo.server, await login(demo.server));
      const before = await storedRecords(demo);
      const res = await request(demo.server)
        .post('/preferences')
        .set('Cookie', cookie)
        .send({ theme: 'dark' });
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie']).toEqual([
        'theme=dark; Path=/; Max-Age=31536000; SameSite=Lax',
      ]);
      expect(await storedRecords(demo)).toBe(before);
      const profile = await request(demo.server)
        .get('/profile')
        .set('Cookie', `${cookie}; theme=dark`)
        .set('Accept', 'application/json');
      expect(profile.body).toEqual({ username: 'admin' });
    });

    it.each([['purple'], [''], [['dark']], [1], [null]])(
      'POST /preferences with theme %j: 400 naming theme, no cookie',
      async (theme) => {
        demo = await startDemo(store, {}, platform);
        const res = await request(demo.server).post('/preferences').send({ theme });
        expect(res.status).toBe(400);
        expect(res.body.statusCode).toBe(400);
        expect(JSON.stringify(res.body.message)).toContain('theme');
        expect(res.headers['set-cookie']).toBeUndefined();
      },
    );

    it('HTML pages carry the theme as a class on <body>', async () => {
      demo = await startDemo(store, {}, platform);
      const cookie = await login(demo.server);
      for (const path of HTML_PAGES) {
        const dark = await request(demo.server)
          .get(path)
          .set('Cookie', `${cookie}; theme=dark`)
          .set('Accept', 'text/html');
        expect(dark.text).toContain('<body class="theme-dark">');
        const light = await request(demo.server)
          .get(path)
          .set('Cookie', cookie)
          .set('Accept', 'text/html');
        expect(light.text).toContain('<body class="theme-light">');
      }
    });

    it('the theme cookie is Secure over HTTPS (TRUST_PROXY=1, X-Forwarded-Proto: https)', async () => {
      demo = await startDemo(store, { TRUST_PROXY: '1' }, platform);
      const res = await request(demo.server)
        .post('/preferences')
        .set('X-Forwarded-Proto', 'https')
        .send({ theme: 'dark' });
      expect(res.headers['set-cookie']).toEqual([
        'theme=dark; Path=/; Max-Age=31536000; Secure; SameSite=Lax',
      ]);
    });

    it('a cross-site POST /preferences is refused and sets no cookie', async () => {
      demo = await startDemo(store, {}, platform);
      const res = await request(demo.server)
        .post('/preferences')
        .set('Sec-Fetch-Site', 'cross-site')
        .send({ theme: 'dark' });
      expect(res.status).toBe(403);
      expect(res.headers['set-cookie']).toBeUndefined();
    });
  });
});

/** How many session records the demo's server-side store holds (0 for the cookie store). */
async function storedRecords(demo: DemoHandle): Promise<number> {
  switch (demo.config.store) {
    case 'file':
      try {
        return readdirSync(demo.config.fileDir).length;
      } catch {
        return 0;
      }
    case 'redis': {
      const client = new Redis(demo.config.redisUrl);
      try {
        return (await client.keys(`${demo.config.redisPrefix}*`)).length;
      } finally {
        await client.quit();
      }
    }
    case 'memory':
      return (demo.app.get(SessionRuntime).options.store as MemoryStore).size;
    default:
      return 0;
  }
}
