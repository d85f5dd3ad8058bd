import { PLATFORMS, initApp } from './support/platform.js';
import {
  Controller,
  Get,
  type INestApplication,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  type LoggerService,
  type NestModule,
  Post,
  UseGuards,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import {
  AllowCrossOrigin,
  LoggedInGuard,
  MemoryStore,
  Session,
  SessionModule,
  type SessionModuleOptions,
  SessionService,
} from 'nestjs-flask-session';
import { loadDemoConfig } from '../src/common/demo-config.js';
import {
  type DemoHandle,
  SECRET,
  STORES,
  login,
  sessionCookie,
  startDemo,
} from './support/demo.js';
import { CapturingLogger } from './support/test-app.js';

const REFUSED = '{"statusCode":403,"message":"Cross-origin request refused"}';
// supertest picks a new port for each request: the tests name the host themselves.
const HOST = 'shop.test';
const SELF = `http://${HOST}`;
const EVIL = 'http://evil.example';
const PARTNER = 'https://partner.example';

/** Headers a browser would send from `origin`, with the Sec-Fetch-Site it would compute. */
function from(req: request.Test, origin: string | undefined, site?: string): request.Test {
  void req.set('Host', HOST);
  if (origin !== undefined) void req.set('Origin', origin);
  if (site !== undefined) void req.set('Sec-Fetch-Site', site);
  return req;
}

function expectRefused(res: request.Response): void {
  expect(res.status).toBe(403);
  expect(res.text).toBe(REFUSED);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['set-cookie']).toBeUndefined();
}

const CREDENTIALS = { username: 'admin', password: 'admin' };

describe.each(PLATFORMS)('on %s', (platform) => {
  describe.each(STORES)('cross-origin requests to the demo (%s store)', (store) => {
    let demo: DemoHandle;
    beforeAll(async () => {
      demo = await startDemo(
        store,
        { TRUSTED_ORIGINS: `${PARTNER}, http://localhost:5173` },
        platform,
      );
    });
    afterAll(() => demo.close());

    const post = (path: string, origin: string | undefined, site?: string): request.Test =>
      from(request(demo.server).post(path), origin, site);

    describe('POST /login with valid credentials', () => {
      it('cross-site (Sec-Fetch-Site): 403 with the exact body, no cookie (no login CSRF)', async () => {
        expectRefused(await post('/login', EVIL, 'cross-site').type('form').send(CREDENTIALS));
      });

      it('same-site (a sibling subdomain): 403', async () => {
        expectRefused(await post('/login', 'http://blog.shop.test', 'same-site').send(CREDENTIALS));
      });

      it('an Origin that is not the own origin, without Sec-Fetch-Site (older browser): 403', async () => {
        expectRefused(await post('/login', EVIL).send(CREDENTIALS));
        expectRefused(await post('/login', 'https://shop.test').send(CREDENTIALS)); // other scheme
        expectRefused(await post('/login', 'http://shop.test:8080').send(CREDENTIALS)); // other port
        expectRefused(await post('/login', 'null').send(CREDENTIALS));
      });

      it.each<[string, string | undefined, string | undefined]>([
        ['the own Origin, without Sec-Fetch-Site', SELF, undefined],
        [
          'the own Origin with an explicit default port and capitals',
          'http://Shop.TEST:80',
          undefined,
        ],
        ['Sec-Fetch-Site: same-origin', SELF, 'same-origin'],
        ['Sec-Fetch-Site: none (typed by the user)', undefined, 'none'],
        ['neither header (curl, server-to-server)', undefined, undefined],
        ['a trusted origin, cross-site', PARTNER, 'cross-site'],
        ['a trusted origin, no Sec-Fetch-Site', PARTNER, undefined],
        ['the second trusted origin', 'http://localhost:5173', 'cross-site'],
      ])('passes with %s: logged in', async (_label, origin, site) => {
        const res = await post('/login', origin, site).type('form').send(CREDENTIALS);
        expect(res.status).toBe(302);
        const cookie = sessionCookie(res)!;
        expect(cookie).toBeDefined();
        const profile = await request(demo.server)
          .get('/profile')
          .set('Cookie', cookie)
          .set('Accept', 'application/json');
        expect(profile.body).toEqual({ username: 'admin' });
      });
    });

    it('safe methods pass cross-site: GET /cart and GET /login', async () => {
      const cart = await from(request(demo.server).get('/cart'), EVIL, 'cross-site');
      expect(cart.status).toBe(200);
      expect(cart.body).toEqual({ items: [] });
      const form = await from(request(demo.server).get('/login'), EVIL, 'cross-site');
      expect(form.status).toBe(200);
    });

    it('POST /cart cross-site: 403 and the cart unchanged', async () => {
      const first = await request(demo.server).post('/cart').send({ item: 'apple' });
      const cookie = sessionCookie(first)!;
      const refused = await post('/cart', EVIL, 'cross-site')
        .set('Cookie', cookie)
        .send({ item: 'bomb' });
      expectRefused(refused);
      const after = await request(demo.server).get('/cart').set('Cookie', cookie);
      expect(after.body).toEqual({ items: ['apple'] });
    });

    it('POST /logout cross-site: 403 and the user stays logged in', async () => {
      const cookie = await login(demo.server);
      expectRefused(await post('/logout', EVIL, 'cross-site').set('Cookie', cookie));
      const profile = await request(demo.server)
        .get('/profile')
        .set('Cookie', cookie)
        .set('Accept', 'application/json');
      expect(profile.status).toBe(200);
    });
  });

  describe('the demo behind a proxy (TRUST_PROXY=1)', () => {
    let demo: DemoHandle;
    beforeAll(async () => {
      demo = await startDemo('cookie', { TRUST_PROXY: '1' }, platform);
    });
    afterAll(() => demo.close());

    const post = (origin: string): request.Test =>
      from(request(demo.server).post('/login'), origin)
        .set('X-Forwarded-Proto', 'https')
        .send(CREDENTIALS);

    it('X-Forwarded-Proto: https makes https://HOST the own origin', async () => {
      const res = await post(`https://${HOST}`);
      expect(res.status).toBe(302);
      expect(sessionCookie(res)).toBeDefined();
    });

    it('and http://HOST another origin', async () => {
      expectRefused(await post(SELF));
    });

    it('without TRUST_PROXY, X-Forwarded-Proto does not count', async () => {
      const direct = await startDemo('cookie', {}, platform);
      try {
        const https = from(request(direct.server).post('/login'), `https://${HOST}`)
          .set('X-Forwarded-Proto', 'https')
          .send(CREDENTIALS);
        expectRefused(await https);
      } finally {
        await direct.close();
      }
    });
  });

  describe('TRUSTED_ORIGINS in the demo config', () => {
    it('is split on commas, trimmed', () => {
      const config = loadDemoConfig({
        TRUSTED_ORIGINS: ' https://a.example ,http://localhost:5173,',
      });
      expect(config.trustedOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
      expect(loadDemoConfig({}).trustedOrigins).toEqual([]);
    });

    it.each([
      ['https://a.example/', 'https://a.example'],
      ['HTTPS://A.example', 'https://a.example'],
      ['https://a.example:443', 'https://a.example'],
      ['a.example', 'https://app.example.com'],
      ['null', 'https://app.example.com'],
    ])('refuses %s, suggesting %s', (value, suggestion) => {
      expect(() => loadDemoConfig({ TRUSTED_ORIGINS: value })).toThrow(
        `TRUSTED_ORIGINS: "${value}" is not an origin; write scheme://host[:port] with no path or trailing slash, separated by commas, e.g. ${suggestion}`,
      );
    });
  });

  // An app of the test's own: the opt-out decorator, and a middleware of the app that writes the
  // session before the guard refuses the request.

  /** Writes the session on every POST, from a MiddlewareConsumer middleware (runs before guards). */
  @Injectable()
  class StampMiddleware implements NestMiddleware {
    constructor(private readonly sessions: SessionService<{ stamp: string }>) {}

    use(
      req: IncomingMessage & { originalUrl: string },
      _res: ServerResponse,
      next: () => void,
    ): void {
      if (req.method === 'POST') this.sessions.set('stamp', req.originalUrl);
      next();
    }
  }

  @Controller()
  class OptOutController {
    @Post('hook')
    @AllowCrossOrigin()
    hook(@Session() session: Session): { ok: true } {
      session.set('hook', 'called');
      return { ok: true };
    }

    @Post('protected')
    protectedRoute(@Session() session: Session): { ok: true } {
      session.set('protected', 'called');
      return { ok: true };
    }

    @Post('guarded')
    @UseGuards(LoggedInGuard)
    guarded(): { ok: true } {
      return { ok: true };
    }

    @Get('state')
    state(@Session() session: Session): Record<string, unknown> {
      return Object.fromEntries(session.keys().map((key) => [key, session.get(key)]));
    }
  }

  @Controller('partner')
  @AllowCrossOrigin()
  class PartnerController {
    @Post('return')
    back(@Session() session: Session): { ok: true } {
      session.set('partner', 'returned');
      return { ok: true };
    }
  }

  @Module({ controllers: [OptOutController, PartnerController] })
  class OptOutModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(StampMiddleware).forRoutes('*');
    }
  }

  async function startOptOutApp(
    options: Partial<SessionModuleOptions>,
    logger: LoggerService | false = false,
  ): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [SessionModule.forRoot({ secretKey: SECRET, ...options }), OptOutModule],
    }).compile();
    return initApp(moduleRef, platform, { logger });
  }

  describe.each([
    ['cookie store', () => ({})],
    ['memory store', () => ({ store: new MemoryStore() })],
  ])('@AllowCrossOrigin() and refused requests in an app (%s)', (_label, storeOptions) => {
    let app: INestApplication;
    let cookie: string;
    beforeEach(async () => {
      app = await startOptOutApp(storeOptions());
      // A session to attack: stamped by a same-origin POST.
      cookie = sessionCookie(await request(app.getHttpServer()).post('/protected'))!;
    });
    afterEach(() => app.close());

    const state = async (c: string): Promise<unknown> =>
      (await request(app.getHttpServer()).get('/state').set('Cookie', c)).body;

    it('a route with @AllowCrossOrigin() takes a cross-site POST and writes the session', async () => {
      const res = await from(request(app.getHttpServer()).post('/hook'), EVIL, 'cross-site').set(
        'Cookie',
        cookie,
      );
      expect(res.status).toBe(201);
      const saved = sessionCookie(res) ?? cookie;
      // The app middleware's write is saved too: the route opted out.
      expect(await state(saved)).toEqual({ protected: 'called', stamp: '/hook', hook: 'called' });
    });

    it('on a controller, @AllowCrossOrigin() covers its routes', async () => {
      const res = await from(request(app.getHttpServer()).post('/partner/return'), EVIL);
      expect(res.status).toBe(201);
      expect(await state(sessionCookie(res)!)).toEqual({
        stamp: '/partner/return',
        partner: 'returned',
      });
    });

    it('a refused request saves nothing, not even what an app middleware wrote before the guard', async () => {
      const res = await from(
        request(app.getHttpServer()).post('/protected'),
        EVIL,
        'cross-site',
      ).set('Cookie', cookie);
      expectRefused(res);
      expect(await state(cookie)).toEqual({ protected: 'called', stamp: '/protected' });
    });

    it('a refused request to no route (404) saves nothing either', async () => {
      const res = await from(request(app.getHttpServer()).post('/nowhere'), EVIL, 'cross-site').set(
        'Cookie',
        cookie,
      );
      expect(res.status).toBe(404);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(await state(cookie)).toEqual({ protected: 'called', stamp: '/protected' });
    });

    it('the refusal comes before the route guards (403, not 401)', async () => {
      expectRefused(await from(request(app.getHttpServer()).post('/guarded'), EVIL, 'cross-site'));
    });
  });

  describe('the log', () => {
    it('tells the first refusal, with the way to allow it, once', async () => {
      const logger = new CapturingLogger();
      const app = await startOptOutApp({}, logger);
      try {
        for (const path of ['/protected?token=secret', '/guarded']) {
          const res = await from(request(app.getHttpServer()).post(path), EVIL, 'cross-site');
          expect(res.status).toBe(403);
        }
        const warnings = logger.messages('warn').filter((m) => m.includes('cross-origin'));
        expect(warnings).toEqual([
          'Refused a cross-origin POST /protected with 403 (Origin: http://evil.example, Sec-Fetch-Site: cross-site). ' +
            'If that origin is yours, add it to crossOrigin.trustedOrigins; a route other sites must post to can take ' +
            '@AllowCrossOrigin(). Logged once.',
        ]);
      } finally {
        await app.close();
      }
    });
  });

  describe('crossOrigin: false', () => {
    it('turns the protection off', async () => {
      const app = await startOptOutApp({ crossOrigin: false });
      try {
        const res = await from(request(app.getHttpServer()).post('/protected'), EVIL, 'cross-site');
        expect(res.status).toBe(201);
        expect(sessionCookie(res)).toBeDefined();
      } finally {
        await app.close();
      }
    });

    it('trustedOrigins apply to the app, exactly', async () => {
      const app = await startOptOutApp({ crossOrigin: { trustedOrigins: [PARTNER] } });
      try {
        const ok = await from(
          request(app.getHttpServer()).post('/protected'),
          PARTNER,
          'cross-site',
        );
        expect(ok.status).toBe(201);
        expectRefused(
          await from(
            request(app.getHttpServer()).post('/protected'),
            `${PARTNER}:8443`,
            'cross-site',
          ),
        );
      } finally {
        await app.close();
      }
    });
  });
});
