import { CookieStore, FileStore, MemoryStore } from 'nestjs-flask-session';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import request from 'supertest';
import { DemoProcess } from './support/demo-process.js';
import {
  type DemoHandle,
  OLD_SECRET,
  SECRET,
  STORES,
  login,
  sessionCookie,
  startDemo,
  inCookie,
} from './support/demo.js';
import { forgeClientSession, forgeSignedId, valueOf } from './support/forge.js';
import { PLATFORMS } from './support/platform.js';
import { CapturingLogger, type TestApp, startTestApp } from './support/test-app.js';

const NEW_SECRET = 'brand-new-secret-0123456789-abcdefghijk';

/** A cookie of a session that expired 40 days ago, for the store. */
async function expired(store: string): Promise<string> {
  const longAgo = Date.now() - 40 * 86400_000;
  return inCookie(store)
    ? await forgeClientSession(store, SECRET, { username: 'admin', logged_in: true }, longAgo, true)
    : forgeSignedId(SECRET, 'E'.repeat(43), longAgo);
}

/** A local port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.each(PLATFORMS)('on %s', (platform) => {
  describe('encrypted cookies across a key rotation', () => {
    const apps: TestApp[] = [];
    const start = async (secretKey: string[]): Promise<TestApp> => {
      const app = await startTestApp(
        { secretKey, store: new CookieStore({ encrypt: true }) },
        false,
        platform,
      );
      apps.push(app);
      return app;
    };
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
    });

    /** GET /keys with a cookie: the keys it reads, and the refreshed cookie it sets. */
    const visit = async (app: TestApp, cookie: string) => {
      const res = await request(app.server).get('/keys').set('Cookie', cookie);
      return { keys: (res.body as { keys: string[] }).keys, cookie: sessionCookie(res) ?? cookie };
    };

    it('a remembered session survives its second, third... request after the rotation, and a rollback', async () => {
      const before = await start([OLD_SECRET]);
      const rotated = await start([NEW_SECRET, OLD_SECRET]);
      const newOnly = await start([NEW_SECRET]);
      const rolledBack = await start([OLD_SECRET, NEW_SECRET]);
      const remembered = sessionCookie(await request(before.server).post('/permanent'))!;

      // First request after the rotation: read under the old key, re-sent under the new one.
      const first = await visit(rotated, remembered);
      expect(first.keys).toEqual(['p']);
      expect(first.cookie).not.toBe(remembered);
      // The second request (where every remembered user used to be logged out) and the next.
      const second = await visit(rotated, first.cookie);
      expect(second.keys).toEqual(['p']);
      expect((await visit(rotated, second.cookie)).keys).toEqual(['p']);
      // Re-sealed under the new key, not only re-signed: the old key is no longer needed.
      expect((await visit(newOnly, first.cookie)).keys).toEqual(['p']);
      // Rolling the rotation back (old key first again) keeps the session too, both ways.
      const back = await visit(rolledBack, second.cookie);
      expect(back.keys).toEqual(['p']);
      expect((await visit(rolledBack, back.cookie)).keys).toEqual(['p']);
      expect((await visit(before, back.cookie)).keys).toEqual(['p']);
    });
  });

  describe.each(STORES)(
    'a session cookie planted beside the real one, on the %s store',
    (store) => {
      let demo: DemoHandle;
      let real: string;
      beforeAll(async () => {
        demo = await startDemo(store, {}, platform);
        real = valueOf(await login(demo.server));
      });
      afterAll(() => demo.close());

      const profile = (cookieHeader: string) =>
        request(demo.server)
          .get('/profile')
          .set('Accept', 'application/json')
          .set('Cookie', cookieHeader);

      it.each([
        ['garbage first', () => 'session=bogus; session=REAL'],
        ['garbage after', () => 'session=REAL; session=bogus'],
        ['an empty one first', () => 'session=; session=REAL'],
        [
          'one signed with a foreign key first',
          async () =>
            `session=${
              inCookie(store)
                ? await forgeClientSession(
                    store,
                    'x'.repeat(40),
                    { username: 'mallory', logged_in: true },
                    Date.now(),
                  )
                : forgeSignedId('x'.repeat(40), 'M'.repeat(43), Date.now())
            }; session=REAL`,
        ],
        ['an expired one first', async () => `session=${await expired(store)}; session=REAL`],
        ['three, the real one last', () => 'a=1; session=x; session=y; other=2; session=REAL'],
      ])('%s: the first that verifies is used', async (_case, header) => {
        const res = await profile((await header()).replace('REAL', real));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ username: 'admin' });
      });

      if (!inCookie(store)) {
        it('the id of a session that ended (logged out) first: the live one is used', async () => {
          const ended = await login(demo.server, { user: 'bob', password: 's3cret' });
          await request(demo.server).get('/logout').set('Cookie', ended);
          const res = await profile(`${ended}; session=${real}`);
          expect(res.status).toBe(200);
          expect(res.body).toEqual({ username: 'admin' });
        });
      }

      it('several cookies none of which verifies: no session, never an error', async () => {
        expect((await profile('session=a; session=b; session=c')).status).toBe(401);
      });
    },
  );

  describe('a __Host- session cookie', () => {
    it('is set with Secure, Path=/ and no Domain, and read back', async () => {
      const app = await startTestApp(
        {
          secretKey: SECRET,
          cookie: { name: '__Host-session', secure: true },
          trustProxy: true,
        },
        false,
        platform,
      );
      try {
        const res = await request(app.server)
          .post('/set/a?value=1')
          .set('X-Forwarded-Proto', 'https');
        const line = (res.headers['set-cookie'] as unknown as string[])[0];
        expect(line).toMatch(/^__Host-session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
        const read = await request(app.server)
          .get('/read/a')
          .set('Cookie', line.split(';')[0])
          .set('X-Forwarded-Proto', 'https');
        expect(read.body).toEqual({ value: '1' });
      } finally {
        await app.close();
      }
    });

    it('with a Domain is refused at boot, saying how to fix it', async () => {
      await expect(
        startTestApp(
          {
            secretKey: SECRET,
            cookie: { name: '__Host-session', secure: true, domain: 'example.com' },
          },
          false,
          platform,
        ),
      ).rejects.toThrow(
        /cookie.domain: a __Host- cookie cannot have a domain; remove the domain option/,
      );
    });
  });

  describe.each([
    ['cookie', () => new CookieStore()],
    ['memory', () => new MemoryStore()],
  ])('values changed after set(), on the %s store', (_kind, makeStore) => {
    let t: TestApp;
    let logger: CapturingLogger;
    beforeEach(async () => {
      logger = new CapturingLogger();
      t = await startTestApp({ secretKey: SECRET, store: makeStore() }, logger, platform);
    });
    afterEach(() => t.close());

    it('a function put into a set object fails the response, naming the key, instead of vanishing', async () => {
      const res = await request(t.server).post('/mutate-after-set?put=function');
      expect(res.status).toBe(500);
      expect(sessionCookie(res)).toBeUndefined();
      expect(logger.messages('error').join('\n')).toMatch(
        /Session value for key "profile" cannot be stored: profile\.greet is a function/,
      );
    });

    it('a Date put into a set object comes back as a Date', async () => {
      const res = await request(t.server).post('/mutate-after-set?put=date');
      expect(res.status).toBe(201);
      const read = await request(t.server).get('/profile-since').set('Cookie', sessionCookie(res)!);
      expect(read.body).toEqual({ isDate: true, iso: '2024-02-29T00:00:00.000Z' });
    });
  });

  describe('LoggedInGuard and a long path', () => {
    let demo: DemoHandle;
    beforeAll(async () => {
      demo = await startDemo('cookie', {}, platform);
    });
    afterAll(() => demo.close());

    it('a path over 200 characters is not carried as next, so the login that follows succeeds', async () => {
      const long = `/profile?q=${'a'.repeat(300)}`;
      const refused = await request(demo.server).get(long).set('Accept', 'text/html');
      expect(refused.status).toBe(302);
      expect(refused.headers.location).toBe('/login');
      // The login form drops a next the login would refuse.
      const form = await request(demo.server).get(`/login?next=${encodeURIComponent(long)}`);
      expect(form.text).not.toContain('name="next"');
      const res = await request(demo.server)
        .post('/login')
        .type('form')
        .send({ username: 'admin', password: 'admin' });
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('/');
    });

    it('a path of 200 characters or less still is', async () => {
      const path = `/profile?q=${'a'.repeat(150)}`;
      const refused = await request(demo.server).get(path).set('Accept', 'text/html');
      expect(refused.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
      const form = await request(demo.server).get(refused.headers.location);
      expect(form.text).toContain('name="next"');
    });
  });

  describe('the demo on Redis with credentials in REDIS_URL', () => {
    it('logs the host and port it cannot reach, never the user name or password', async () => {
      const port = await closedPort();
      const demo = await DemoProcess.start({
        HTTP_ADAPTER: platform,
        SESSION_SECRET: SECRET,
        SESSION_STORE: 'redis',
        REDIS_URL: `redis://sessionuser:hunter2-secret@127.0.0.1:${port}/0`,
      });
      try {
        for (let i = 0; i < 50 && !demo.output.includes('unreachable'); i++)
          await new Promise((resolve) => setTimeout(resolve, 100));
        expect(demo.output).toContain(`Redis at 127.0.0.1:${port} unreachable`);
        expect(demo.output).not.toMatch(/hunter2|sessionuser/);
      } finally {
        await demo.stop();
      }
    });
  });

  describe.each([
    ['memory', () => new MemoryStore({ maxEntries: 3 })],
    ['file', () => new FileStore({ dir: mkdtempSync(join(tmpdir(), 'full-')), maxEntries: 3 })],
  ])('a full %s store under a flood of new sessions', (kind, makeStore) => {
    it('refuses new sessions with 503 and a logged reason; logged-in users stay logged in', async () => {
      const logger = new CapturingLogger();
      const store = makeStore();
      const t = await startTestApp({ secretKey: SECRET, store }, logger, platform);
      try {
        const users = await Promise.all(
          ['ana', 'bo', 'cy'].map(async (name) =>
            sessionCookie(await request(t.server).post(`/set/user?value=${name}`))!,
          ),
        );
        const flood = await Promise.all(
          Array.from({ length: 20 }, () => request(t.server).post('/set/cart?value=x')),
        );
        expect(flood.map((res) => res.status)).toEqual(Array(20).fill(503));
        expect(flood[0].body).toEqual({ statusCode: 503, message: 'Session store unavailable' });
        expect(flood.every((res) => sessionCookie(res) === undefined)).toBe(true);
        expect(logger.messages('error').join('\n')).toMatch(
          new RegExp(`Session store ${kind} failed \\(create\\): .*maxEntries`),
        );
        // A user with a session can still log in: regenerate() replaces a record, it adds none.
        const renewed = await request(t.server).post('/regenerate').set('Cookie', users[0]);
        expect(renewed.status).toBe(201);
        users[0] = sessionCookie(renewed)!;
        expect(users[0]).toBeDefined();
        // Every existing session is untouched, and can still be written to.
        for (const [i, name] of ['ana', 'bo', 'cy'].entries()) {
          const read = await request(t.server).get('/read/user').set('Cookie', users[i]);
          expect(read.body).toEqual({ value: name });
          const write = await request(t.server).post('/set/more?value=1').set('Cookie', users[i]);
          expect(write.status).toBe(201);
        }
      } finally {
        await t.close();
        if (store instanceof FileStore) rmSync(store.dir, { recursive: true, force: true });
      }
    });
  });

  describe('maxSessionBytes on a server-side store', () => {
    it('a save over the limit fails with 500 naming the largest keys, and the stored session stays as it was', async () => {
      const logger = new CapturingLogger();
      const t = await startTestApp(
        { secretKey: SECRET, store: new MemoryStore(), maxSessionBytes: 4096 },
        logger,
        platform,
      );
      try {
        const cookie = sessionCookie(await request(t.server).post('/set/user?value=ana'))!;
        const big = await request(t.server).post('/big?bytes=5000').set('Cookie', cookie);
        expect(big.status).toBe(500);
        expect(big.body).toEqual({ statusCode: 500, message: 'Session too large to store' });
        expect(logger.messages('error').join('\n')).toMatch(
          /Session would take \d+ bytes in the memory store, over maxSessionBytes \(4096\); largest keys: big \(5002 bytes\)/,
        );
        const read = await request(t.server).get('/keys').set('Cookie', cookie);
        expect(read.body).toMatchObject({ keys: ['user'] });
        // Under the limit, the same route saves.
        expect((await request(t.server).post('/big?bytes=3000').set('Cookie', cookie)).status).toBe(
          201,
        );
      } finally {
        await t.close();
      }
    });

    it('a first save over the limit creates no record', async () => {
      const store = new MemoryStore();
      const t = await startTestApp(
        { secretKey: SECRET, store, maxSessionBytes: 1000 },
        false,
        platform,
      );
      try {
        expect((await request(t.server).post('/big?bytes=2000')).status).toBe(500);
        expect(store.size).toBe(0);
      } finally {
        await t.close();
      }
    });
  });
});
