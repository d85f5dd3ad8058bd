import { Controller, Get, type INestApplication, Injectable, Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import {
  MemoryStore,
  Session,
  SessionConfigError,
  SessionModule,
  SessionPlatformError,
  type SessionModuleOptions,
  SessionRuntime,
  SessionService,
} from 'nestjs-flask-session';
import request from 'supertest';
import { loadDemoConfig } from '../src/common/demo-config.js';
import { SECRET, sessionCookie } from './support/demo.js';
import { PLATFORMS, type Platform, initApp } from './support/platform.js';
import { CapturingLogger, TestController, WhoAmI, startTestApp } from './support/test-app.js';

@Injectable()
class SettingsService {
  readonly secret = SECRET;
}

@Module({ providers: [SettingsService], exports: [SettingsService] })
class SettingsModule {}

async function boot(
  sessionModule: ReturnType<typeof SessionModule.forRoot>,
  platform: Platform,
): Promise<() => Promise<void>> {
  const moduleRef = await Test.createTestingModule({
    imports: [sessionModule],
    controllers: [TestController],
    providers: [WhoAmI],
  }).compile();
  const app = await initApp(moduleRef, platform, { logger: false });
  const cookie = sessionCookie(await request(app.getHttpServer()).post('/set/a?value=1'))!;
  const read = await request(app.getHttpServer()).get('/read/a').set('Cookie', cookie);
  expect(read.body).toEqual({ value: '1' });
  return () => app.close();
}

describe.each(PLATFORMS)('on %s', (platform) => {
  describe('SessionModule configuration', () => {
    it('forRootAsync with useFactory and inject', async () => {
      const close = await boot(
        SessionModule.forRootAsync({
          imports: [SettingsModule],
          inject: [SettingsService],
          useFactory: (settings: SettingsService) => ({
            secretKey: settings.secret,
            store: new MemoryStore(),
          }),
        }),
        platform,
      );
      await close();
    });

    it('forRootAsync with useClass', async () => {
      @Injectable()
      class Factory {
        create(): SessionModuleOptions {
          return { secretKey: SECRET };
        }
      }
      const close = await boot(SessionModule.forRootAsync({ useClass: Factory }), platform);
      await close();
    });

    it.each([
      ['a missing secret', {}, /secretKey: missing/],
      [
        'a short secret',
        { secretKey: 'short-secret-value' },
        /secretKey: too short \(18 bytes, at least 32/,
      ],
      ['a short rotated key', { secretKey: [SECRET, 'tiny-old-key'] }, /secretKey\[1\]: too short/],
      [
        'SameSite=None without Secure',
        { secretKey: SECRET, cookie: { sameSite: 'none' } },
        /sameSite: 'none' needs cookie.secure: true/,
      ],
      [
        'a non-positive lifetime',
        { secretKey: SECRET, permanentLifetime: 0 },
        /permanentLifetime: must be a positive number/,
      ],
      [
        'an unknown store',
        { secretKey: SECRET, store: { get: () => null } },
        /store: unknown store/,
      ],
      [
        'a misspelt option',
        { secretKey: SECRET, permanentLifeTime: 5 },
        /permanentLifeTime: unknown option/,
      ],
    ])(
      'boot fails on %s, with a fix in the message and no secret echoed',
      async (_case, options, expected) => {
        for (const sessionModule of [
          SessionModule.forRoot(options as SessionModuleOptions),
          SessionModule.forRootAsync({ useFactory: () => options as SessionModuleOptions }),
        ]) {
          const compiling = Test.createTestingModule({ imports: [sessionModule] }).compile();
          await expect(compiling).rejects.toThrow(SessionConfigError);
          await expect(compiling).rejects.toThrow(expected);
          await compiling.catch((error: Error) => {
            expect(error.message).not.toContain('short-secret-value');
            expect(error.message).not.toContain('tiny-old-key');
          });
        }
      },
    );
  });

  describe('diagnostics: why a session does not persist, once per cause', () => {
    it('warns when a Secure cookie is set on a plain-HTTP request', async () => {
      const logger = new CapturingLogger();
      const t = await startTestApp(
        { secretKey: SECRET, cookie: { secure: true } },
        logger,
        platform,
      );
      try {
        await request(t.server).post('/set/a?value=1');
        await request(t.server).post('/set/b?value=1');
        const warnings = logger.messages('warn').filter((m) => m.includes('plain HTTP'));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/trustProxy/);
      } finally {
        await t.close();
      }
    });

    it('warns when a cookie fails under every key (secret changed?)', async () => {
      const logger = new CapturingLogger();
      const old = await startTestApp(
        { secretKey: 'the-previous-secret-0123456789-abcdefgh' },
        false,
        platform,
      );
      const t = await startTestApp({ secretKey: SECRET }, logger, platform);
      try {
        const cookie = sessionCookie(await request(old.server).post('/set/a?value=1'))!;
        await request(t.server).get('/read/a').set('Cookie', cookie);
        await request(t.server).get('/read/a').set('Cookie', cookie);
        const warnings = logger.messages('warn').filter((m) => m.includes('secret changed'));
        expect(warnings).toHaveLength(1);
      } finally {
        await Promise.all([old.close(), t.close()]);
      }
    });

    it('logs the largest keys of a session too large for a cookie', async () => {
      const logger = new CapturingLogger();
      const t = await startTestApp({ secretKey: SECRET }, logger, platform);
      try {
        await request(t.server).post('/big?bytes=6000');
        expect(
          logger.messages('error').some((m) => /largest keys: big \(600\d bytes\)/.test(m)),
        ).toBe(true);
      } finally {
        await t.close();
      }
    });
  });

  describe('demo configuration', () => {
    it('refuses to start in production without SESSION_SECRET, and says why', () => {
      expect(() => loadDemoConfig({ NODE_ENV: 'production' })).toThrow(
        /SESSION_SECRET: required when NODE_ENV=production/,
      );
    });

    it('makes a random key outside production', () => {
      const config = loadDemoConfig({});
      expect(config.randomSecret).toBe(true);
      expect(config.secrets[0].length).toBeGreaterThanOrEqual(32);
    });

    it('reads rotation keys, lifetime and users', () => {
      const config = loadDemoConfig({
        SESSION_SECRET: `${SECRET},${SECRET}-old`,
        SESSION_LIFETIME: '60',
        DEMO_USERS: 'a:b,c:d:e',
      });
      expect(config.secrets).toEqual([SECRET, `${SECRET}-old`]);
      expect(config.lifetimeMs).toBe(60_000);
      expect(config.httpAdapter).toBe('express');
      expect([...config.users]).toEqual([
        ['a', 'b'],
        ['c', 'd:e'],
      ]);
    });

    it.each([
      [{ SESSION_STORE: 'mongo' }, /SESSION_STORE: must be one of cookie, memory, file, redis/],
      [{ SESSION_LIFETIME: '-5' }, /SESSION_LIFETIME: must be a positive whole number/],
      [{ DEMO_USERS: 'nopassword' }, /DEMO_USERS/],
      [{ HTTP_ADAPTER: 'koa' }, /HTTP_ADAPTER: must be one of express, fastify, got "koa"/],
    ])('rejects %j', (env, expected) => {
      expect(() => loadDemoConfig({ SESSION_SECRET: SECRET, ...env })).toThrow(expected);
    });
  });

  describe('asyncContext: AsyncLocalStorage only where SessionService needs it', () => {
    @Controller()
    class LookupController {
      constructor(private readonly moduleRef: ModuleRef) {}

      @Get('lookup')
      lookup(@Session() session: Session): { user: unknown } {
        session.set('user', 'ana');
        // Reached at run time, not injected: boot-time detection cannot see this use.
        const service: SessionService<{ user: string }> = this.moduleRef.get(SessionService, {
          strict: false,
        });
        return { user: service.get('user') };
      }
    }

    async function start(options: SessionModuleOptions): Promise<INestApplication> {
      const moduleRef = await Test.createTestingModule({
        imports: [SessionModule.forRoot(options)],
        controllers: [LookupController],
      }).compile();
      const app = await initApp(moduleRef, platform, { logger: false });
      return app;
    }

    it('is off when nothing injects SessionService, and the service then says how to turn it on', async () => {
      const app = await start({ secretKey: SECRET });
      try {
        expect(app.get(SessionRuntime).asyncContext).toBe(false);
        expect((await request(app.getHttpServer()).get('/lookup')).status).toBe(500);
      } finally {
        await app.close();
      }
      expect(() => new SessionService().current).toThrow(/asyncContext: true/);
    });

    it('asyncContext: true turns it on for such uses', async () => {
      const app = await start({ secretKey: SECRET, asyncContext: true });
      try {
        expect((await request(app.getHttpServer()).get('/lookup')).body).toEqual({ user: 'ana' });
      } finally {
        await app.close();
      }
    });

    it('is on by itself when a provider injects SessionService', async () => {
      const t = await startTestApp({ secretKey: SECRET }, false, platform);
      try {
        expect(t.app.get(SessionRuntime).asyncContext).toBe(true);
      } finally {
        await t.close();
      }
    });
  });
});

/** An adapter of a platform the module does not know (as a Koa or H3 adapter would be). */
class OtherPlatformAdapter extends ExpressAdapter {
  override getType(): string {
    return 'koa';
  }
}

describe('an HTTP platform other than Express and Fastify', () => {
  it('fails the boot with a message that names the platforms that work', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SessionModule.forRoot({ secretKey: SECRET })],
      controllers: [TestController],
      providers: [WhoAmI],
    }).compile();
    const app = moduleRef.createNestApplication(new OtherPlatformAdapter(), { logger: false });
    try {
      const booting = app.init();
      await expect(booting).rejects.toThrow(SessionPlatformError);
      await expect(booting).rejects.toThrow(
        'SessionModule cannot run on the HTTP platform "koa": it supports @nestjs/platform-express ' +
          'and @nestjs/platform-fastify. Create the app with one of them: NestFactory.create(AppModule) ' +
          'for Express, or NestFactory.create(AppModule, new FastifyAdapter()).',
      );
    } finally {
      await app.close();
    }
  });
});
