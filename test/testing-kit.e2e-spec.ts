// The test kit (nestjs-flask-session/testing) against a real Nest app over real HTTP, on every
// store: the cookies it makes are the app's own, and it reads what a response left as the next
// request would.
import { PLATFORMS, type Platform, httpAdapter, initApp } from './support/platform.js';
import {
  Body,
  Controller,
  Get,
  type INestApplication,
  Module,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CookieStore,
  FileStore,
  LoggedInGuard,
  MemoryStore,
  Session,
  SessionConfigError,
  SessionModule,
  type SessionModuleOptions,
  SessionRuntime,
  type SessionStore,
  SessionTooLargeError,
  SessionValueError,
} from 'nestjs-flask-session';
import { SessionTestKit } from 'nestjs-flask-session/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { OLD_SECRET, SECRET, tempRedisStore } from './support/demo.js';

const DAY = 86_400_000;
const PERMANENT_MAX_AGE = 31 * DAY; // the default permanentLifetime
const ABSOLUTE_LIFETIME = 90 * DAY; // the default absoluteLifetime

/** Dates as `{ date: iso }`, so a JSON answer shows which values the app read as Dates. */
function tagDates(value: unknown): unknown {
  if (value instanceof Date) return { date: value.toISOString() };
  if (Array.isArray(value)) return value.map(tagDates);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tagDates(v)]));
  return value;
}

@Controller()
class KitController {
  constructor(private readonly runtime: SessionRuntime) {}

  @Get('session')
  show(@Session() session: Session) {
    const data = Object.fromEntries(session.keys().map((key) => [key, session.get(key)]));
    return { isNew: session.isNew, permanent: session.permanent, data: tagDates(data) };
  }

  @Get('me')
  @UseGuards(LoggedInGuard)
  me(@Session() session: Session) {
    return { user: session.get('user') };
  }

  @Get('read')
  read(@Session() session: Session) {
    return { user: session.get('user') ?? null };
  }

  @Post('set')
  set(@Body() body: Record<string, unknown>, @Session() session: Session) {
    session.update(body);
    return { ok: true };
  }

  @Post('destroy')
  destroy(@Session() session: Session) {
    session.destroy();
    return { ok: true };
  }

  /** Cookies of the app's own around the session's, one of them a stale line of its name. */
  @Post('with-cookies')
  withCookies(@Session() session: Session, @Res({ passthrough: true }) reply: object) {
    // On Node's response, which Express's is and Fastify's reply wraps: both send what it holds.
    const res = (reply as { raw?: ServerResponse }).raw ?? (reply as ServerResponse);
    res.appendHeader('set-cookie', 'theme=dark; Path=/');
    res.appendHeader('set-cookie', `${this.runtime.options.cookie.name}=stale; Path=/`);
    session.set('visits', 1);
    res.appendHeader('set-cookie', 'lang=fr; Path=/');
    return { ok: true };
  }
}

interface StartedApp {
  app: INestApplication;
  url: string;
  kit: SessionTestKit;
}

/** The app on 127.0.0.1 (for supertest and fetch), and its kit. */
async function startApp(options: SessionModuleOptions, platform: Platform): Promise<StartedApp> {
  @Module({ imports: [SessionModule.forRoot(options)], controllers: [KitController] })
  class KitAppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [KitAppModule] }).compile();
  const app = moduleRef.createNestApplication(httpAdapter(platform), { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, kit: SessionTestKit.for(app) };
}

interface TestStore {
  store: CookieStore | SessionStore;
  /** Removes what the store wrote (and closes what the test opened for it). */
  cleanup(): Promise<void>;
}

/** A fresh store of each kind. */
const STORES = {
  cookie: () => ({ store: new CookieStore(), cleanup: () => Promise.resolve() }),
  memory: () => ({ store: new MemoryStore(), cleanup: () => Promise.resolve() }),
  file: () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessions-kit-'));
    return {
      store: new FileStore({ dir }),
      cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  },
  redis: tempRedisStore,
} satisfies Record<string, () => TestStore>;

describe.each(PLATFORMS)('on %s', (platform) => {
  describe.each(Object.keys(STORES) as (keyof typeof STORES)[])(
    'SessionTestKit on the %s store',
    (kind) => {
      const serverSide = kind !== 'cookie';
      let store: CookieStore | SessionStore;
      let cleanup: () => Promise<void>;
      let app: INestApplication;
      let url: string;
      let kit: SessionTestKit;
      const http = () => request(app.getHttpServer());
      const sessionOf = (cookie: string) => http().get('/session').set('Cookie', cookie);

      beforeAll(async () => {
        ({ store, cleanup } = STORES[kind]());
        ({ app, url, kit } = await startApp({ secretKey: SECRET, store }, platform));
      });
      afterAll(async () => {
        await app.close();
        await cleanup();
      });

      describe('cookieWith', () => {
        it('gives a cookie whose data the app reads back: nested objects, arrays, Dates as Dates', async () => {
          const cookie = await kit.cookieWith({
            user: 'ana',
            profile: { name: 'Ana', tags: ['a', 'b'], address: { city: 'Lyon', zip: null } },
            since: new Date(Date.UTC(2024, 1, 29, 12)),
            logins: [{ at: new Date(Date.UTC(2025, 0, 1)), ok: true }],
            count: 3,
          });
          expect(cookie).toMatch(/^session=[^;\s]+$/);
          const res = await sessionOf(cookie).expect(200);
          expect(res.body).toEqual({
            isNew: false,
            permanent: false,
            data: {
              user: 'ana',
              profile: { name: 'Ana', tags: ['a', 'b'], address: { city: 'Lyon', zip: null } },
              since: { date: '2024-02-29T12:00:00.000Z' },
              logins: [{ at: { date: '2025-01-01T00:00:00.000Z' }, ok: true }],
              count: 3,
            },
          });
        });

        it('a permanent session reads as permanent and its refresh carries Max-Age', async () => {
          const res = await sessionOf(await kit.cookieWith({ user: 'ana' }, { permanent: true }));
          expect(res.body).toMatchObject({ isNew: false, permanent: true });
          const line = (res.headers['set-cookie'] as unknown as string[])[0];
          expect(line).toMatch(new RegExp(`^session=[^;]+; Max-Age=${PERMANENT_MAX_AGE / 1000};`));
        });

        it('a non-permanent session ends with the browser: a read re-sends nothing', async () => {
          const res = await sessionOf(await kit.cookieWith({ user: 'ana' }));
          expect(res.body).toMatchObject({ isNew: false, permanent: false });
          expect(res.headers['set-cookie']).toBeUndefined();
        });

        it('each call starts a session of its own', async () => {
          const first = await kit.cookieWith({ user: 'ana' });
          const second = await kit.cookieWith({ user: 'ana' });
          if (serverSide) expect(second).not.toBe(first); // two records, two ids
          const written = await kit.sessionAfter(
            await http().post('/set').set('Cookie', first).send({ user: 'bob' }),
          );
          expect(written.data).toEqual({ user: 'bob' });
          expect((await sessionOf(second)).body.data).toEqual({ user: 'ana' });
        });

        if (serverSide) {
          it('writes a record under the id its cookie names', async () => {
            const cookie = await kit.cookieWith({ user: 'ana' });
            const id = cookie.slice('session='.length).split('.')[0];
            // The same id signed again (as the app signs a refresh) finds the same record. A
            // minute back: signing times are whole seconds, and 1 s back can be the same second.
            const resigned = kit.cookieForId(id, { signedAt: Date.now() - 60_000 });
            expect(resigned).not.toBe(cookie);
            expect((await sessionOf(resigned)).body.data).toEqual({ user: 'ana' });
            // An id with no record is no session, however well signed.
            const unknown = kit.cookieForId(randomBytes(32).toString('base64url'));
            expect((await sessionOf(unknown)).body.isNew).toBe(true);
          });
        } else {
          it('cookieForId throws: the cookie store has no ids', () => {
            expect(() => kit.cookieForId('abc')).toThrow(
              'SessionTestKit.cookieForId: the cookie store keeps the session in the cookie, not under an id. Use cookieWith(data) instead.',
            );
          });
        }

        it('a cookie signed longer ago than the lifetime is no session', async () => {
          const data = { user: 'ana', logged_in: true };
          const aged = (days: number, permanent: boolean) =>
            kit.cookieWith(data, { permanent, signedAt: Date.now() - days * DAY });
          for (const permanent of [false, true]) {
            await http()
              .get('/me')
              .set('Cookie', await aged(30, permanent))
              .expect(200, { user: 'ana' });
            await http()
              .get('/me')
              .set('Cookie', await aged(32, permanent))
              .expect(401);
          }
        });

        it('a session issued longer ago than absoluteLifetime is no session, however fresh its cookie', async () => {
          const issued = (days: number) =>
            kit.cookieWith(
              { user: 'ana', logged_in: true },
              { permanent: true, issuedAt: Date.now() - days * DAY },
            );
          await http()
            .get('/me')
            .set('Cookie', await issued(89))
            .expect(200);
          await http()
            .get('/me')
            .set('Cookie', await issued(ABSOLUTE_LIFETIME / DAY + 1))
            .expect(401);
        });

        it.each([
          ['a function', { callback: () => 1 }, SessionValueError, /"callback" cannot be stored/],
          ['a class instance', { when: new URL('https://x.test') }, SessionValueError, /"when"/],
          ['NaN', { n: Number.NaN }, SessionValueError, /"n"/],
          ['a BigInt', { n: 1n }, SessionValueError, /"n"/],
          [
            'key __proto__',
            JSON.parse('{"__proto__": 1}'),
            TypeError,
            /"__proto__" is not allowed/,
          ],
          ['an empty key', { '': 1 }, TypeError, /non-empty strings/],
        ])('refuses %s as session.set() does', async (_what, data, type, message) => {
          const attempt = kit.cookieWith({ ok: 1, ...data });
          await expect(attempt).rejects.toThrow(type);
          await expect(attempt).rejects.toThrow(message);
        });

        it('refuses a session too large to store', async () => {
          const big = randomBytes(kind === 'cookie' ? 4000 : 70_000).toString('base64');
          await expect(kit.cookieWith({ big })).rejects.toThrow(SessionTooLargeError);
        });

        it('refuses a time that is not one', async () => {
          await expect(
            kit.cookieWith({ user: 'ana' }, { signedAt: new Date('x') }),
          ).rejects.toThrow('SessionTestKit: not a time');
        });
      });

      describe('sessionAfter', () => {
        it("'set' after a write: the data the handler left, and a pair the next request can send", async () => {
          const sent = await kit.cookieWith({ user: 'ana' });
          const res = await http()
            .post('/set')
            .set('Cookie', sent)
            .send({ cart: ['book'] });
          const after = await kit.sessionAfter(res);
          expect(after).toEqual({
            cookie: 'set',
            exists: true,
            data: { user: 'ana', cart: ['book'] },
            permanent: false,
            cookiePair: expect.stringMatching(/^session=[^;\s]+$/),
          });
          expect((await sessionOf(after.cookiePair!)).body.data).toEqual({
            user: 'ana',
            cart: ['book'],
          });
        });

        it("'set' with the permanent flag and Dates of the session", async () => {
          const sent = await kit.cookieWith({ since: new Date(0) }, { permanent: true });
          const after = await kit.sessionAfter(await sessionOf(sent)); // a refresh
          expect(after).toMatchObject({ cookie: 'set', exists: true, permanent: true });
          expect(after.data.since).toBeInstanceOf(Date);
          expect(after.data.since).toEqual(new Date(0));
        });

        it("'cleared' after destroy(): no session", async () => {
          const res = await http()
            .post('/destroy')
            .set('Cookie', await kit.cookieWith({ user: 'ana' }));
          expect(await kit.sessionAfter(res)).toEqual({
            cookie: 'cleared',
            exists: false,
            data: {},
            permanent: false,
            cookiePair: undefined,
          });
        });

        it("'unchanged' for a pure read; with the sent cookie, the session the client keeps", async () => {
          const sent = await kit.cookieWith({ user: 'ana' });
          const res = await http().get('/read').set('Cookie', sent).expect(200, { user: 'ana' });
          expect(await kit.sessionAfter(res)).toMatchObject({ cookie: 'unchanged', exists: false });
          expect(await kit.sessionAfter(res, sent)).toEqual({
            cookie: 'unchanged',
            exists: true,
            data: { user: 'ana' },
            permanent: false,
            cookiePair: sent,
          });
        });

        it("'unchanged' when no session was sent or made", async () => {
          const res = await http().get('/read').expect(200, { user: null });
          expect(await kit.sessionAfter(res)).toMatchObject({ cookie: 'unchanged', exists: false });
        });

        it('with the sent cookie, the session as the client has it now: a server record as another request left it', async () => {
          const sent = await kit.cookieWith({ user: 'ana', n: 1 });
          const read = await http().get('/read').set('Cookie', sent);
          // Another request of the same session changes it after the read answered.
          await http().post('/set').set('Cookie', sent).send({ n: 2 }).expect(201);
          const after = await kit.sessionAfter(read, sent);
          expect(after.cookie).toBe('unchanged');
          // A server store holds one record: the read's client now sees n = 2. A cookie store's
          // client still holds its own copy, n = 1.
          expect(after.data).toEqual({ user: 'ana', n: serverSide ? 2 : 1 });
          // A logout through another request ends a server session at once; a cookie copy lives on.
          await http().post('/destroy').set('Cookie', sent).expect(201);
          expect((await kit.sessionAfter(read, sent)).exists).toBe(!serverSide);
        });

        it('takes the sent cookie as a whole Cookie header, or as an array, among other cookies', async () => {
          const sent = await kit.cookieWith({ user: 'ana' });
          const res = await http()
            .get('/read')
            .set('Cookie', ['theme=dark', sent, 'lang=fr'])
            .expect(200, { user: 'ana' });
          for (const given of [`theme=dark; ${sent}; lang=fr`, ['theme=dark', sent, 'lang=fr']]) {
            expect(await kit.sessionAfter(res, given)).toMatchObject({
              exists: true,
              data: { user: 'ana' },
              cookiePair: sent,
            });
          }
        });

        it('reads a repeated cookie name as the app does: the first live session', async () => {
          const real = await kit.cookieWith({ user: 'ana' });
          const foreign = await SessionTestKit.forOptions({
            secretKey: OLD_SECRET,
            store,
          }).cookieWith({
            user: 'eve',
          });
          const header = `${foreign}; session=garbage; ${real}`;
          const res = await http().get('/read').set('Cookie', header).expect(200, { user: 'ana' });
          expect(await kit.sessionAfter(res, header)).toMatchObject({
            data: { user: 'ana' },
            cookiePair: real,
          });
        });

        it("finds the session line among the app's own cookies: the last line of its name wins", async () => {
          const res = await http()
            .post('/with-cookies')
            .set('Cookie', await kit.cookieWith({ user: 'ana' }));
          const lines = res.headers['set-cookie'] as unknown as string[];
          expect(lines.map((line) => line.split('=')[0])).toEqual([
            'theme',
            'session',
            'lang',
            'session',
          ]);
          expect(lines[1]).toMatch(/^session=stale;/);
          expect(await kit.sessionAfter(res)).toMatchObject({
            cookie: 'set',
            exists: true,
            data: { user: 'ana', visits: 1 },
          });
        });

        it('reads a fetch Response, and the Set-Cookie lines themselves', async () => {
          const sent = await kit.cookieWith({ user: 'ana' });
          const res = await fetch(`${url}/set`, {
            method: 'POST',
            headers: { cookie: sent, 'content-type': 'application/json' },
            body: JSON.stringify({ n: 1 }),
          });
          expect(res.status).toBe(201);
          const lines = res.headers.getSetCookie();
          const expected = { cookie: 'set', exists: true, data: { user: 'ana', n: 1 } };
          expect(await kit.sessionAfter(res)).toMatchObject(expected);
          expect(await kit.sessionAfter(lines)).toMatchObject(expected);
          expect(await kit.sessionAfter(lines[0])).toMatchObject(expected);
        });

        it('reads Set-Cookie lines as a browser would', async () => {
          const pair = await kit.cookieWith({ user: 'ana' });
          const cleared = 'session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0';
          const after = async (lines: string[]) => (await kit.sessionAfter(lines)).cookie;
          // The last line of the name decides.
          expect(await after([`${pair}; Path=/`, cleared])).toBe('cleared');
          expect(await after([cleared, `${pair}; Path=/`])).toBe('set');
          // Expired by Expires alone, or by a Max-Age that outranks a future Expires.
          const past = new Date(Date.now() - DAY).toUTCString();
          const future = new Date(Date.now() + DAY).toUTCString();
          expect(await after([`${pair}; Path=/; Expires=${past}`])).toBe('cleared');
          expect(await after([`${pair}; Path=/; Expires=${future}; Max-Age=0`])).toBe('cleared');
          expect(await after([`${pair}; Path=/; Expires=${past}; Max-Age=60`])).toBe('set');
          expect(await after([`${pair}; Path=/; Max-Age=oops; Expires=${past}`])).toBe('cleared');
          expect(await after(['session=; Path=/'])).toBe('cleared');
          // Another path or domain is another cookie of the same name: the session's stays.
          expect(await after([pair, 'session=; Path=/admin; Max-Age=0'])).toBe('set');
          expect(await after([pair, 'session=; Domain=other.test; Max-Age=0'])).toBe('set');
          // Names compare exactly.
          expect(await after(['Session=x', 'session_old=; Max-Age=0', ' other=session='])).toBe(
            'unchanged',
          );
        });

        it('refuses a value that is not a response', async () => {
          const res = await http().get('/read');
          await expect(kit.sessionAfter(res.headers as never)).rejects.toThrow(
            'SessionTestKit: expected a response',
          );
          await expect(kit.sessionAfter(http().get('/read') as never)).rejects.toThrow(
            'SessionTestKit: expected a response',
          );
        });
      });

      describe('forOptions', () => {
        it("another secret's cookies are refused by the app; the app's own options make good ones", async () => {
          const foreign = SessionTestKit.forOptions({ secretKey: OLD_SECRET, store });
          const data = { user: 'ana', logged_in: true };
          await http()
            .get('/me')
            .set('Cookie', await foreign.cookieWith(data))
            .expect(401);
          const same = SessionTestKit.forOptions({ secretKey: SECRET, store });
          await http()
            .get('/me')
            .set('Cookie', await same.cookieWith(data))
            .expect(200);
        });

        it('a secret rotation: cookies signed by the old key still pass', async () => {
          // An app of its own, on a store of its own (closing an app closes its store).
          const own = STORES[kind]();
          const rotated = await startApp(
            { secretKey: [SECRET, OLD_SECRET], store: own.store },
            platform,
          );
          try {
            const old = SessionTestKit.forOptions({ secretKey: OLD_SECRET, store: own.store });
            await request(rotated.app.getHttpServer())
              .get('/me')
              .set('Cookie', await old.cookieWith({ user: 'ana', logged_in: true }))
              .expect(200);
          } finally {
            await rotated.app.close();
            await own.cleanup();
          }
        });
      });

      describe('a cookie name with special characters', () => {
        const name = '__Host-my.app$sess';
        let own: TestStore;
        let named: StartedApp;
        beforeAll(async () => {
          own = STORES[kind]();
          named = await startApp(
            {
              secretKey: SECRET,
              store: own.store,
              cookie: { name, secure: true },
            },
            platform,
          );
        });
        afterAll(async () => {
          await named.app.close();
          await own.cleanup();
        });

        it('makes and finds the cookie under that name', async () => {
          expect(named.kit.cookieName).toBe(name);
          const sent = await named.kit.cookieWith({ user: 'ana', logged_in: true });
          expect(sent.startsWith(`${name}=`)).toBe(true);
          const server = () => request(named.app.getHttpServer());
          await server()
            .get('/me')
            .set('Cookie', `session=x; ${sent}`)
            .expect(200, { user: 'ana' });
          const res = await server().post('/with-cookies').set('Cookie', sent);
          expect(await named.kit.sessionAfter(res)).toMatchObject({
            cookie: 'set',
            data: { user: 'ana', logged_in: true, visits: 1 },
          });
          expect(await named.kit.sessionAfter(await server().get('/read'), sent)).toMatchObject({
            cookie: 'unchanged',
            data: { user: 'ana' },
          });
        });
      });
    },
  );

  describe('SessionTestKit outside a session app', () => {
    it('for() on an app without SessionModule says what to import', async () => {
      @Controller()
      class PlainController {
        @Get() hello() {
          return 'hi';
        }
      }
      @Module({ controllers: [PlainController] })
      class PlainModule {}
      const moduleRef = await Test.createTestingModule({ imports: [PlainModule] }).compile();
      const app = await initApp(moduleRef, platform, { logger: false });
      try {
        expect(() => SessionTestKit.for(app)).toThrow(
          /^SessionTestKit\.for\(app\): this app has no SessionModule\. Import SessionModule\.forRoot/,
        );
      } finally {
        await app.close();
      }
    });

    it.each([
      ['a short secret', { secretKey: 'short' }, /secretKey/],
      ['an unknown option', { secretKey: SECRET, lifetime: 1 }, /lifetime/],
      ['a bad cookie setting', { secretKey: SECRET, cookie: { sameSite: 'none' } }, /sameSite/],
    ])('forOptions with %s throws SessionConfigError', (_what, options, message) => {
      const make = () => SessionTestKit.forOptions(options as SessionModuleOptions);
      expect(make).toThrow(SessionConfigError);
      expect(make).toThrow(message);
    });
  });
});
