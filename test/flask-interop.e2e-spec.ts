import { Body, Controller, Get, type INestApplication, Module, Post, Res } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import fc from 'fast-check';
import {
  FlaskCookieStore,
  Session,
  SessionModule,
  type SessionModuleOptions,
} from 'nestjs-flask-session';
import { SessionTestKit } from 'nestjs-flask-session/testing';
import request from 'supertest';
import {
  flaskSessionData,
  flaskStoredForm,
} from '../libs/session/src/flask/flask-cookie.arbitraries.js';
import { flaskScript } from './support/flask-python.js';
import { FlaskServer } from './support/flask-server.js';
import { PLATFORMS, type Platform, initApp } from './support/platform.js';

// A Flask app (the real Flask, test/support/flask/app.py) and a Nest app on FlaskCookieStore with
// the same secret share sessions both ways, over real HTTP.

const SECRET = 'flask-interop-e2e-secret-key-0123456789-abc';
const NEW_SECRET = 'flask-interop-e2e-new-secret-9876543210-xyz';
const FOREIGN_SECRET = 'flask-interop-e2e-foreign-secret-000000000-q';
const LIFETIME_S = 3600;

/** A Date as the routes below carry it in JSON. */
type Wire = unknown;

/** Dates as {"$date": seconds}, as app.py's script mode writes Python's datetimes. */
function toWire(value: unknown): Wire {
  if (value instanceof Date) return { $date: value.getTime() / 1000 };
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  return value;
}

function fromWire(value: Wire): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (Object.keys(record).length === 1 && typeof record.$date === 'number')
      return new Date(record.$date * 1000);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fromWire(v)]));
  }
  return value;
}

@Controller()
class InteropController {
  @Get('get')
  get(@Session() session: Session): { data: Wire; permanent: boolean; isNew: boolean } {
    const data = Object.fromEntries(session.keys().map((key) => [key, session.get(key)]));
    return { data: toWire(data), permanent: session.permanent, isNew: session.isNew };
  }

  @Post('set')
  set(@Body() body: Record<string, unknown>, @Session() session: Session): { ok: true } {
    for (const [key, value] of Object.entries(body)) {
      if (key === 'permanent') session.permanent = value === true;
      else session.set(key, fromWire(value));
    }
    return { ok: true };
  }

  @Post('login')
  login(@Body() body: { username: string }, @Session() session: Session): { ok: true } {
    session.regenerate();
    session.set('username', body.username);
    session.set('logged_in', true);
    return { ok: true };
  }

  @Get('whoami')
  whoami(
    @Session() session: Session,
    @Res({ passthrough: true })
    res: { status?: (n: number) => unknown; code?: (n: number) => unknown },
  ): { username: string | null } {
    if (session.get('logged_in') !== true) {
      if (typeof res.code === 'function') res.code(401);
      else res.status?.(401);
      return { username: null };
    }
    return { username: session.get('username') as string };
  }
}

async function nestApp(platform: Platform, options: Partial<SessionModuleOptions> = {}) {
  @Module({
    imports: [
      SessionModule.forRoot({
        secretKey: SECRET,
        store: new FlaskCookieStore(),
        permanentLifetime: LIFETIME_S * 1000,
        crossOrigin: false,
        ...options,
      }),
    ],
    controllers: [InteropController],
  })
  class InteropModule {}
  const moduleRef = await Test.createTestingModule({ imports: [InteropModule] }).compile();
  return initApp(moduleRef, platform);
}

/** The session cookie a supertest response set: its value, and the whole line. */
function nestCookie(res: request.Response): { value: string; line: string } {
  const lines = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  const line = lines.find((l) => l.startsWith('session='));
  if (line === undefined) throw new Error(`no session cookie in ${JSON.stringify(lines)}`);
  return { value: line.slice('session='.length, line.indexOf(';')), line };
}

function flip(text: string, at: number): string {
  return text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
}

/** Ways to spoil a cookie, none of which either side may accept. */
function tamperings(cookie: string, foreign: string): Array<[string, string]> {
  const parts = cookie.split('.');
  const [signature, timestamp] = [parts.at(-1)!, parts.at(-2)!];
  const payloadEnd = cookie.length - signature.length - timestamp.length - 2;
  return [
    ['payload changed', flip(cookie, Math.floor(payloadEnd / 2))],
    ['signature changed', `${cookie.slice(0, -signature.length)}${flip(signature, 5)}`],
    ['timestamp changed', `${cookie.slice(0, payloadEnd + 1)}${flip(timestamp, 2)}.${signature}`],
    ['truncated', cookie.slice(0, -3)],
    ['signed with another secret', foreign],
  ];
}

const RICH = {
  text: 'plain',
  unicode: 'Zoë 😀 日本語 \u2028',
  int: 42,
  negative: -7,
  float: 1.25,
  big: 2 ** 60,
  yes: true,
  no: false,
  nothing: null,
  list: [1, 'two', [3], { four: 4 }],
  nested: { a: { b: { c: ['deep'] } }, ' t': 'tag-named key among others' },
  lonely: { ' d': 'a one-key object named like a tag' },
};
/** 2024-02-29T12:34:56Z, as Flask's tagged JSON writes a datetime. */
const WHEN = new Date(Date.UTC(2024, 1, 29, 12, 34, 56));

describe.each(PLATFORMS)('%s', (platform) => {
  let flask: FlaskServer;
  let app: INestApplication;

  beforeAll(async () => {
    [flask, app] = await Promise.all([
      FlaskServer.start({ secretKey: SECRET, permanentLifetimeSeconds: LIFETIME_S }),
      nestApp(platform),
    ]);
  });
  afterAll(async () => {
    await Promise.all([flask?.close(), app?.close()]);
  });

  describe('a session made by Flask is read here', () => {
    it.each([false, true])('with its data, types and permanent (%s)', async (permanent) => {
      const set = await flask.request('POST', '/set', { json: { ...RICH, big: 0, permanent } });
      const dated = await flask.request('POST', '/set-tagged', {
        cookie: set.cookie,
        // 2^60 spelled exactly (JSON.stringify would write 1152921504606847000, another int).
        body: JSON.stringify({
          when: { ' d': 'Thu, 29 Feb 2024 12:34:56 GMT' },
          pair: { ' t': [1, 'x'] },
        }).replace(/^\{/, '{"big":1152921504606846976,'),
      });
      expect(dated.body.types).toMatchObject({ when: 'datetime', pair: 'tuple' });
      const res = await request(app.getHttpServer())
        .get('/get')
        .set('cookie', `session=${dated.cookie}`)
        .expect(200);
      expect(res.body.isNew).toBe(false);
      expect(res.body.permanent).toBe(permanent);
      expect(fromWire(res.body.data)).toEqual({ ...RICH, when: WHEN, pair: [1, 'x'] });
    });

    it('a login made in Flask is a login here', async () => {
      const login = await flask.request('POST', '/login', { json: { username: 'alice' } });
      await request(app.getHttpServer()).get('/whoami').expect(401);
      const res = await request(app.getHttpServer())
        .get('/whoami')
        .set('cookie', `session=${login.cookie}`)
        .expect(200);
      expect(res.body).toEqual({ username: 'alice' });
    });

    it("Flask's flashed messages (tuples) read as arrays", async () => {
      const flashed = await flask.request('POST', '/flash', {
        json: { message: 'Saved', category: 'info' },
      });
      const res = await request(app.getHttpServer())
        .get('/get')
        .set('cookie', `session=${flashed.cookie}`)
        .expect(200);
      expect(res.body.data).toEqual({ _flashes: [['info', 'Saved']] });
    });

    it('an int a JavaScript number cannot hold exactly (2^63 - 1) makes the cookie no session, never a 500', async () => {
      const set = await flask.request('POST', '/set-tagged', {
        body: '{"id":9223372036854775807,"username":"admin"}',
      });
      expect(set.body.types).toMatchObject({ id: 'int' });
      const res = await request(app.getHttpServer())
        .get('/get')
        .set('cookie', `session=${set.cookie}`)
        .expect(200);
      expect(res.body).toMatchObject({ isNew: true, data: {} });
    });

    it('a session Flask compressed', async () => {
      const items = Array.from({ length: 80 }, (_, i) => `item-${i}`);
      const set = await flask.request('POST', '/set', { json: { items } });
      expect(set.cookie!.startsWith('.')).toBe(true);
      const res = await request(app.getHttpServer())
        .get('/get')
        .set('cookie', `session=${set.cookie}`)
        .expect(200);
      expect(res.body.data).toEqual({ items });
    });
  });

  describe('a session made here is read by Flask', () => {
    it.each([false, true])('with its data, types and permanent (%s)', async (permanent) => {
      const res = await request(app.getHttpServer())
        .post('/set')
        .send(toWire({ ...RICH, when: WHEN, permanent }) as object)
        .expect(201);
      const got = await flask.request('GET', '/get', { cookie: nestCookie(res).value });
      expect(got.body.permanent).toBe(permanent);
      expect(got.body.types).toMatchObject({
        when: 'datetime',
        list: 'list',
        nested: 'dict',
        big: 'int',
        float: 'float',
      });
      // Flask's jsonify writes the datetime as an HTTP date.
      expect(got.body.data).toEqual({ ...RICH, when: 'Thu, 29 Feb 2024 12:34:56 GMT' });
    });

    it('a login made here is a login in Flask', async () => {
      const res = await request(app.getHttpServer())
        .post('/login')
        .send({ username: 'bob' })
        .expect(201);
      const whoami = await flask.request('GET', '/whoami', { cookie: nestCookie(res).value });
      expect(whoami.status).toBe(200);
      expect(whoami.body).toEqual({ username: 'bob' });
      expect((await flask.request('GET', '/whoami')).status).toBe(401);
    });

    it('a session compressed here', async () => {
      const items = Array.from({ length: 80 }, (_, i) => `item-${i}`);
      const res = await request(app.getHttpServer()).post('/set').send({ items }).expect(201);
      const cookie = nestCookie(res).value;
      expect(cookie.startsWith('.')).toBe(true);
      const got = await flask.request('GET', '/get', { cookie });
      expect(got.body.data).toEqual({ items });
    });
  });

  describe('the cookie', () => {
    it('has no Max-Age when not permanent, and Max-Age = permanentLifetime when permanent', async () => {
      const session = await request(app.getHttpServer()).post('/set').send({ a: 1 }).expect(201);
      expect(nestCookie(session).line).not.toMatch(/max-age/i);
      const permanent = await request(app.getHttpServer())
        .post('/set')
        .send({ a: 1, permanent: true })
        .expect(201);
      expect(nestCookie(permanent).line).toMatch(new RegExp(`Max-Age=${LIFETIME_S}(;|$)`, 'i'));
    });

    it('older than permanentLifetime is refused on both sides', async () => {
      const old = Math.floor(Date.now() / 1000) - LIFETIME_S - 30;
      const [{ cookie: flaskOld }] = await flaskScript<{ cookie: string }>('--sign', [
        { secret: SECRET, tagged: '{"user":"old"}', timestamp: old },
      ]);
      const res = await request(app.getHttpServer())
        .get('/get')
        .set('cookie', `session=${flaskOld}`)
        .expect(200);
      expect(res.body).toMatchObject({ isNew: true, data: {} });
      const kit = SessionTestKit.for(app);
      const ours = await kit.cookieWith({ user: 'old' }, { signedAt: old * 1000 });
      expect((await flask.request('GET', '/get', { cookie: ours })).body.data).toEqual({});
      // The same cookies, freshly signed, are accepted: the age alone refused them.
      const fresh = await kit.cookieWith({ user: 'old' });
      expect((await flask.request('GET', '/get', { cookie: fresh })).body.data).toEqual({
        user: 'old',
      });
    });

    it('is byte for byte the one Flask makes for the same data and time (uncompressed)', async () => {
      const kit = SessionTestKit.for(app);
      const at = 1_750_000_000;
      const cases: Array<[Record<string, unknown>, boolean]> = [
        [{ username: 'alice', logged_in: true }, false],
        [{ name: 'Zoë 😀', when: WHEN, n: 1.5 }, true],
        [{ f: [1e-5, 2 ** 60, -0.5], ok: null }, false],
        [{ ' t': ['only key named like a tag'] }, false],
      ];
      const flaskCookies = await flaskScript<{ cookie: string }>(
        '--sign',
        await Promise.all(
          cases.map(async ([data, permanent]) => {
            // Flask's own reading of our tagged JSON: what it holds, it signs again itself.
            const ours = await kit.cookieWith(data, { permanent, signedAt: at * 1000 });
            const [loaded] = await flaskScript<{ tagged: string; permanent: boolean }>('--load', [
              { secret: SECRET, cookie: ours.slice('session='.length), max_age: 1e10 },
            ]);
            // Flask's text as it is: a JSON round trip in JavaScript would respell big integers.
            return {
              secret: SECRET,
              tagged: loaded.tagged,
              permanent: loaded.permanent,
              timestamp: at,
            };
          }),
        ),
      );
      for (const [i, [data, permanent]] of cases.entries()) {
        const ours = await kit.cookieWith(data, { permanent, signedAt: at * 1000 });
        expect(ours.startsWith('session=.')).toBe(false); // compressed ones: see the property below
        expect(ours).toBe(`session=${flaskCookies[i].cookie}`);
      }
    });
  });

  describe('tampered cookies are refused on both sides', () => {
    it.each(['flask', 'nest'] as const)('a cookie made by %s', async (maker) => {
      let cookie: string;
      let foreign: string;
      if (maker === 'flask') {
        cookie = (await flask.request('POST', '/login', { json: { username: 'mallory' } })).cookie!;
        [{ cookie: foreign }] = await flaskScript<{ cookie: string }>('--sign', [
          {
            secret: FOREIGN_SECRET,
            tagged: '{"logged_in":true,"username":"mallory"}',
            timestamp: Math.floor(Date.now() / 1000),
          },
        ]);
      } else {
        const res = await request(app.getHttpServer())
          .post('/login')
          .send({ username: 'mallory' })
          .expect(201);
        cookie = nestCookie(res).value;
        const kit = SessionTestKit.forOptions({
          secretKey: FOREIGN_SECRET,
          store: new FlaskCookieStore(),
        });
        foreign = (await kit.cookieWith({ logged_in: true, username: 'mallory' })).slice(8);
      }
      // The intact cookie is a login on both sides...
      expect((await flask.request('GET', '/whoami', { cookie })).status).toBe(200);
      await request(app.getHttpServer())
        .get('/whoami')
        .set('cookie', `session=${cookie}`)
        .expect(200);
      // ...and no spoilt one is, on either: Flask sees an empty session, Nest a new one, never a 500.
      for (const [how, bad] of tamperings(cookie, foreign)) {
        const inFlask = await flask.request('GET', '/get', { cookie: bad });
        expect([how, inFlask.body.data]).toEqual([how, {}]);
        const here = await request(app.getHttpServer()).get('/get').set('cookie', `session=${bad}`);
        expect([how, here.status, here.body]).toEqual([
          how,
          200,
          { data: {}, permanent: false, isNew: true },
        ]);
      }
    });
  });

  describe('key rotation', () => {
    it('Flask signs with a new key that Nest holds as a fallback, and the other way round', async () => {
      const rotatedFlask = await FlaskServer.start({ secretKey: NEW_SECRET, fallbacks: [SECRET] });
      const rotatedNest = await nestApp(platform, { secretKey: [NEW_SECRET, SECRET] });
      try {
        // Flask signs with the new key; a Nest app still signing with the old one has the new as a fallback.
        const fallbackNest = await nestApp(platform, { secretKey: [SECRET, NEW_SECRET] });
        try {
          const login = await rotatedFlask.request('POST', '/login', { json: { username: 'rot' } });
          await request(fallbackNest.getHttpServer())
            .get('/whoami')
            .set('cookie', `session=${login.cookie}`)
            .expect(200, { username: 'rot' });
          // A cookie of the old key (the running Flask's) still reads in the rotated apps.
          const old = await flask.request('POST', '/login', { json: { username: 'old-key' } });
          await request(rotatedNest.getHttpServer())
            .get('/whoami')
            .set('cookie', `session=${old.cookie}`)
            .expect(200, { username: 'old-key' });
          // Nest on the new key -> the Flask that keeps it as a fallback.
          const res = await request(rotatedNest.getHttpServer())
            .post('/login')
            .send({ username: 'rot2' })
            .expect(201);
          const fallbackFlask = await FlaskServer.start({
            secretKey: SECRET,
            fallbacks: [NEW_SECRET],
          });
          try {
            const whoami = await fallbackFlask.request('GET', '/whoami', {
              cookie: nestCookie(res).value,
            });
            expect(whoami.body).toEqual({ username: 'rot2' });
          } finally {
            await fallbackFlask.close();
          }
          // The original Flask, without the new key, refuses it.
          expect(
            (await flask.request('GET', '/whoami', { cookie: nestCookie(res).value })).status,
          ).toBe(401);
        } finally {
          await fallbackNest.close();
        }
      } finally {
        await Promise.all([rotatedFlask.close(), rotatedNest.close()]);
      }
    });
  });
});

describe("Flask's own serializer reads what this module writes (property, one Python process)", () => {
  it('gives back the same data and permanent flag, and the same bytes when uncompressed', async () => {
    const kit = SessionTestKit.forOptions({ secretKey: SECRET, store: new FlaskCookieStore() });
    const samples = fc.sample(fc.tuple(flaskSessionData, fc.boolean()), {
      numRuns: 200,
      seed: 20261202,
    });
    const nowMs = Math.floor(Date.now() / 1000) * 1000;
    const made: Array<{ data: Record<string, unknown>; permanent: boolean; cookie: string }> = [];
    for (const [data, permanent] of samples) {
      try {
        const pair = await kit.cookieWith(data, { permanent, signedAt: nowMs });
        made.push({ data, permanent, cookie: pair.slice('session='.length) });
      } catch (error) {
        // Over 4 KB: the module refuses it, as it must; not what this property is about.
        if ((error as Error).name !== 'SessionTooLargeError') throw error;
      }
    }
    expect(made.length).toBeGreaterThan(150);
    const loaded = await flaskScript<{
      ok: boolean;
      error?: string;
      tagged: string;
      plain: Wire;
      permanent: boolean;
    }>(
      '--load',
      made.map(({ cookie }) => ({ secret: SECRET, cookie })),
    );
    const resigned = await flaskScript<{ cookie: string }>(
      '--sign',
      loaded.map((result) => ({
        secret: SECRET,
        tagged: result.tagged ?? '{}',
        permanent: result.permanent,
        timestamp: nowMs / 1000,
      })),
    );
    made.forEach(({ data, permanent, cookie }, i) => {
      const result = loaded[i];
      expect([i, result.ok, result.error]).toEqual([i, true, undefined]);
      expect(result.permanent).toBe(permanent);
      expect(fromWire(result.plain)).toEqual(flaskStoredForm(data));
      // Zlib builds differ (Node's and Python's deflate bytes need not match): uncompressed only.
      if (!cookie.startsWith('.') && !resigned[i].cookie.startsWith('.'))
        expect(resigned[i].cookie).toBe(cookie);
    });
  }, 60_000);
});
