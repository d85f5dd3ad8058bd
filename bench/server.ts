// One benchmark app: the same minimal Nest 12 app on Express serving GET /profile, in the
// variant named by BENCH_VARIANT and the scenario named by BENCH_SCENARIO. Prints
// "READY <port>" once it listens. GET /login makes the session every load request then uses.
import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  Controller,
  createParamDecorator,
  Get,
  Inject,
  Injectable,
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
  type Type,
} from '@nestjs/common';
import { NestFactory, REQUEST } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieSession from 'cookie-session';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import expressSession from 'express-session';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import {
  LoggedInGuard,
  MemoryStore,
  Session,
  SessionModule,
  SessionService,
} from 'nestjs-flask-session';
import { RedisStore } from 'nestjs-flask-session/redis';
import type { DiagnosticVariant, Scenario, Variant } from './variants.js';

const SECRET = 'bench-secret-0123456789-abcdefghijklmnopq';
const variant = process.env.BENCH_VARIANT as Variant | DiagnosticVariant;
const scenario = process.env.BENCH_SCENARIO as Scenario;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisPrefix = process.env.BENCH_REDIS_PREFIX ?? 'bench:';

interface BenchSession {
  username: string;
  logged_in: boolean;
  n: number;
}
type ExpressSessionRequest = { session: Record<string, any> & { regenerate?: unknown } };

@Controller()
class BareController {
  @Get('login')
  login(): string {
    return 'ok';
  }

  @Get('profile')
  profile(): string {
    return 'Profile page of bench';
  }
}

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
class ModuleController {
  @Get('login')
  login(@Session() session: Session<BenchSession>): string {
    session.set('username', 'bench');
    session.set('logged_in', true);
    session.set('n', 0);
    return 'ok';
  }
}

@Controller()
class ModuleReadController {
  @Get('profile')
  @UseGuards(LoggedInGuard)
  profile(@Session() session: Session<BenchSession>): string {
    return `Profile page of ${session.get('username')}`;
  }
}

@Controller()
class ModuleWriteController {
  @Get('profile')
  profile(@Session() session: Session<BenchSession>): string {
    const n = session.get('n', 0) + 1;
    session.set('n', n);
    return `Profile page of ${session.get('username')}: ${n}`;
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

function moduleApp(
  store: 'cookie' | 'memory' | 'redis',
  controllers: Type[],
  providers: Type[] = [],
): DynamicModule {
  const sessionStore =
    store === 'memory'
      ? new MemoryStore()
      : store === 'redis'
        ? new RedisStore({
            client: new Redis(redisUrl, { enableOfflineQueue: true, enableAutoPipelining: true }),
            prefix: redisPrefix,
          })
        : undefined;
  @Module({})
  class BenchModule {}
  return {
    module: BenchModule,
    imports: [SessionModule.forRoot({ secretKey: SECRET, store: sessionStore })],
    controllers: [ModuleController, ...controllers],
    providers,
  };
}

async function main(): Promise<void> {
  const write = scenario === 'write';
  let root: DynamicModule;
  let middleware: ((app: NestExpressApplication) => Promise<void>) | undefined;
  switch (variant) {
    case 'bare':
      root = { module: class BareModule {}, controllers: [BareController] };
      break;
    case 'cookie':
    case 'memory':
    case 'redis':
      root = moduleApp(variant, [write ? ModuleWriteController : ModuleReadController]);
      break;
    case 'noop-middleware':
      root = { module: NoopMiddlewareModule, controllers: [BareController] };
      break;
    case 'nest-floor':
      root = { module: class FloorModule {}, controllers: [NestFloorController] };
      break;
    case 'raw-middleware':
    case 'als-middleware':
      root = { module: class BareModule {}, controllers: [BareController] };
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
  app.enableShutdownHooks(['SIGTERM']);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  console.log(`READY ${address.port}`);
}

// Under `node --cpu-prof`, SIGINT exits normally so the profile gets written.
process.on('SIGINT', () => process.exit(0));

void main();
