// The benchmark's apps on Fastify: the same minimal Nest app as on Express (bench/server.ts),
// created with Nest's FastifyAdapter: the bare route, this module on the cookie and Redis stores,
// and the sessions Fastify apps use today, @fastify/secure-session (the whole session in an
// encrypted cookie) and @fastify/session (an id in a signed cookie; its MemoryStore, or Redis
// through connect-redis), registered as plugins on the app's Fastify instance.
import { createHash } from 'node:crypto';
import {
  Controller,
  Get,
  type INestApplication,
  Req,
  UnauthorizedException,
  type DynamicModule,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySecureSession from '@fastify/secure-session';
import fastifySession from '@fastify/session';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import { createClient } from 'redis';
import {
  bareApp,
  moduleApp,
  moduleProfileController,
  redisPrefix,
  redisUrl,
  scenario,
  SECRET,
} from './session-app.js';
import type { FastifyVariant } from './variants.js';

/** What both Fastify session plugins put on the request (both have get and set). */
interface FastifySessionRequest {
  session: { get(key: string): unknown; set(key: string, value: unknown): void };
}

/** Fastify's sessions, guarded by hand the way LoggedInGuard guards this module's route. */
@Controller()
class FastifySessionController {
  @Get('login')
  login(@Req() req: FastifySessionRequest): string {
    req.session.set('username', 'bench');
    req.session.set('logged_in', true);
    req.session.set('n', 0);
    return 'ok';
  }

  @Get('profile')
  profile(@Req() req: FastifySessionRequest): string {
    const { session } = req;
    if (session.get('logged_in') !== true) throw new UnauthorizedException();
    const name = session.get('username') as string;
    if (scenario !== 'write') return `Profile page of ${name}`;
    const n = ((session.get('n') as number) ?? 0) + 1;
    session.set('n', n);
    return `Profile page of ${name}: ${n}`;
  }
}

/** The cookie attributes every session here sets, as on Express (plain HTTP: not Secure). */
const cookie = { path: '/', httpOnly: true, sameSite: 'lax', secure: false } as const;

/** Registers the variant's session plugin, if it has one, on the app's Fastify instance. */
async function registerSession(
  app: NestFastifyApplication,
  variant: FastifyVariant,
): Promise<void> {
  if (variant === 'fastify-secure-session') {
    // A 32-byte key (libsodium's secretbox), derived from the bench's secret.
    const key = createHash('sha256').update(SECRET).digest();
    await app.register(fastifySecureSession, { key, cookieName: 'session', cookie });
    return;
  }
  if (variant !== 'fastify-session' && variant !== 'fastify-session-redis') return;
  let store: fastifySession.SessionStore | undefined; // undefined: its MemoryStore
  if (variant === 'fastify-session-redis') {
    // connect-redis's callbacks are the express-session store's, which @fastify/session takes.
    const client = createClient({ url: redisUrl });
    await client.connect();
    store = new ConnectRedisStore({ client, prefix: redisPrefix });
  }
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: SECRET,
    cookieName: 'session',
    // As express-session's rows: saved when changed, the cookie not re-sent on every response
    // (@fastify/session's defaults, saveUninitialized and rolling, would save every request).
    saveUninitialized: false,
    rolling: false,
    store,
    cookie,
  });
}

/** The variant's app on Fastify, not yet listening. */
export async function createFastifyApp(variant: FastifyVariant): Promise<INestApplication> {
  let root: DynamicModule;
  switch (variant) {
    case 'fastify-bare':
      root = bareApp();
      break;
    case 'fastify-cookie':
      root = moduleApp('cookie', [moduleProfileController()]);
      break;
    case 'fastify-redis':
      root = moduleApp('redis', [moduleProfileController()]);
      break;
    case 'fastify-secure-session':
    case 'fastify-session':
    case 'fastify-session-redis':
      root = { module: class FastifySessionModule {}, controllers: [FastifySessionController] };
      break;
  }
  const app = await NestFactory.create<NestFastifyApplication>(root, new FastifyAdapter(), {
    logger: ['error'],
  });
  await registerSession(app, variant);
  return app;
}
