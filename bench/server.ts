// One benchmark app: the same minimal Nest 12 app serving GET /profile, in the variant named by
// BENCH_VARIANT and the scenario named by BENCH_SCENARIO, on Express (this file) or on Fastify
// (bench/fastify-app.ts). Prints "READY <port>" once it listens. GET /login makes the session
// every load request then uses.
import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Controller,
  createParamDecorator,
  Get,
  Inject,
  Injectable,
  type INestApplication,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  type NestModule,
  RequestMethod,
  Req,
  Scope,
  UnauthorizedException,
  UseGuards,
  type DynamicModule,
} from '@nestjs/common';
import { NestFactory, REQUEST } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieSession from 'cookie-session';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import expressSession from 'express-session';
import { createClient } from 'redis';
import { LoggedInGuard, Session, SessionService } from 'nestjs-flask-session';
import { createFastifyApp } from './fastify-app.js';
import {
  BareController,
  type BenchSession,
  bareApp,
  moduleApp,
  moduleProfileController,
  redisPrefix,
  redisUrl,
  scenario,
  SECRET,
} from './session-app.js';
import { type DiagnosticVariant, isFastifyVariant, type Variant } from './variants.js';

const variant = process.env.BENCH_VARIANT as Variant | DiagnosticVariant;

type ExpressSessionRequest = { session: Record<string, any> & { regenerate?: unknown } };

/** Diagnostics: the cost of any Nest middleware on every route. */
@Injectable()
class NoopMiddleware implements NestMiddleware {
  use(_req: unknown, _res: unknown, next: () => void): void {
    next();
  }
}

@Module({})
class NoopMiddlewareModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(NoopMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}

/** Diagnostics: what Nest itself charges for a guard and a custom parameter decorator. */
@Injectable()
class AllowGuard {
  canActivate(): boolean {
    return true;
  }
}
const Constant = createParamDecorator(() => 'bench');

@Controller()
class NestFloorController {
  @Get('login')
  login(): string {
    return 'ok';
  }

  @Get('profile')
  @UseGuards(AllowGuard)
  profile(@Constant() name: string): string {
    return `Profile page of ${name}`;
  }
}

/** Diagnostics: the module mounted, the route not using the session. */
@Controller()
class BareProfileController {
  @Get('profile')
  profile(): string {
    return 'Profile page of bench';
  }
}

/** Diagnostics: the @Session() parameter without the guard. */
@Controller()
class DecoratorOnlyController {
  @Get('profile')
  profile(@Session() session: Session<BenchSession>): string {
    return `Profile page of ${session.get('username')}`;
  }
}

@Controller()
class ServiceController {
  constructor(private readonly sessions: SessionService<BenchSession>) {}

  @Get('profile')
  @UseGuards(LoggedInGuard)
  profile(): string {
    if (scenario === 'write') this.sessions.set('n', (this.sessions.get('n') ?? 0) + 1);
    return `Profile page of ${this.sessions.get('username')}`;
  }
}

/** The request-scoped way: Nest builds this (and the controller) anew for every request. */
@Injectable({ scope: Scope.REQUEST })
class RequestScopedSession {
  constructor(
    @Inject(REQUEST) readonly request: unknown,
    readonly sessions: SessionService<BenchSession>,
  ) {}
}

@Controller()
class RequestScopeController {
  constructor(private readonly scoped: RequestScopedSession) {}

  @Get('profile')
  @UseGuards(LoggedInGuard)
  profile(): string {
    const { sessions } = this.scoped;
    if (scenario === 'write') sessions.set('n', (sessions.get('n') ?? 0) + 1);
    return `Profile page of ${sessions.get('username')}`;
  }
}

@Controller()
class ExpressSessionController {
  @Get('login')
  login(@Req() req: ExpressSessionRequest): string {
    req.session.username = 'bench';
    req.session.logged_in = true;
    req.session.n = 0;
    return 'ok';
  }

  @Get('profile')
  profile(@Req() req: ExpressSessionRequest): string {
    if (req.session?.logged_in !== true) throw new UnauthorizedException();
    if (scenario === 'write') req.session.n = ((req.session.n as number) ?? 0) + 1;
    return `Profile page of ${req.session.username}`;
  }
}

/** The variant's app on Express. */
async function createExpressApp(): Promise<INestApplication> {
  let root: DynamicModule;
  let middleware: ((app: NestExpressApplication) => Promise<void>) | undefined;
  switch (variant) {
    case 'bare':
      root = bareApp();
      break;
    case 'cookie':
    case 'memory':
    case 'redis':
      root = moduleApp(variant, [moduleProfileController()]);
      break;
    case 'noop-middleware':
      root = { module: NoopMiddlewareModule, controllers: [BareController] };
      break;
    case 'nest-floor':
      root = { module: class FloorModule {}, controllers: [NestFloorController] };
      break;
    case 'raw-middleware':
    case 'als-middleware':
      root = bareApp();
      middleware = async (app) => {
        const storage = new AsyncLocalStorage<object>();
        app.use(
          variant === 'raw-middleware'
            ? (_req: unknown, _res: unknown, next: () => void) => next()
            : (req: object, _res: unknown, next: () => void) => storage.run(req, next),
        );
        return Promise.resolve();
      };
      break;
    case 'cookie-untouched':
      root = moduleApp('cookie', [BareProfileController]);
      break;
    case 'cookie-decorator':
      root = moduleApp('cookie', [DecoratorOnlyController]);
      break;
    case 'service':
      root = moduleApp('cookie', [ServiceController]);
      break;
    case 'request-scope':
      root = moduleApp('cookie', [RequestScopeController], [RequestScopedSession]);
      break;
    case 'express-session':
    case 'connect-redis':
    case 'cookie-session':
      root = { module: class ExpressSessionModule {}, controllers: [ExpressSessionController] };
      middleware = async (app) => {
        if (variant === 'cookie-session') {
          app.use(
            cookieSession({ name: 'session', keys: [SECRET], httpOnly: true, sameSite: 'lax' }),
          );
          return;
        }
        let store: expressSession.Store | undefined;
        if (variant === 'connect-redis') {
          const client = createClient({ url: redisUrl });
          await client.connect();
          store = new ConnectRedisStore({ client, prefix: redisPrefix });
        }
        app.use(
          expressSession({
            secret: SECRET,
            name: 'session',
            resave: false,
            saveUninitialized: false,
            store,
            cookie: { httpOnly: true, sameSite: 'lax' },
          }),
        );
      };
      break;
    default:
      throw new Error(`unknown BENCH_VARIANT ${String(variant)}`);
  }
  const app = await NestFactory.create<NestExpressApplication>(root, { logger: ['error'] });
  await middleware?.(app);
  return app;
}

async function main(): Promise<void> {
  const app = isFastifyVariant(variant)
    ? await createFastifyApp(variant)
    : await createExpressApp();
  app.enableShutdownHooks(['SIGTERM']);
  await app.listen(0, '127.0.0.1');
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  console.log(`READY ${address.port}`);
}

// Under `node --cpu-prof`, SIGINT exits normally so the profile gets written.
process.on('SIGINT', () => process.exit(0));

void main();
