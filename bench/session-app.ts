// What the benchmark apps share on either platform: the environment they run in, the session's
// shape, the bare route, and this module's app on a given store with its login, read and write
// controllers (the module's decorators and guard work the same on Express and Fastify).
import { Controller, Get, Module, UseGuards, type DynamicModule, type Type } from '@nestjs/common';
import { Redis } from 'ioredis';
import { LoggedInGuard, MemoryStore, Session, SessionModule } from 'nestjs-flask-session';
import { RedisStore } from 'nestjs-flask-session/redis';
import type { Scenario } from './variants.js';

export const SECRET = 'bench-secret-0123456789-abcdefghijklmnopq';
export const scenario = process.env.BENCH_SCENARIO as Scenario;
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const redisPrefix = process.env.BENCH_REDIS_PREFIX ?? 'bench:';

export interface BenchSession {
  username: string;
  logged_in: boolean;
  n: number;
}

@Controller()
export class BareController {
  @Get('login')
  login(): string {
    return 'ok';
  }

  @Get('profile')
  profile(): string {
    return 'Profile page of bench';
  }
}

export function bareApp(): DynamicModule {
  return { module: class BareModule {}, controllers: [BareController] };
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
export class ModuleReadController {
  @Get('profile')
  @UseGuards(LoggedInGuard)
  profile(@Session() session: Session<BenchSession>): string {
    return `Profile page of ${session.get('username')}`;
  }
}

@Controller()
export class ModuleWriteController {
  @Get('profile')
  profile(@Session() session: Session<BenchSession>): string {
    const n = session.get('n', 0) + 1;
    session.set('n', n);
    return `Profile page of ${session.get('username')}: ${n}`;
  }
}

/** The scenario's /profile controller for this module. */
export function moduleProfileController(): Type {
  return scenario === 'write' ? ModuleWriteController : ModuleReadController;
}

/** This module on a store, GET /login making the session, with the given /profile controllers. */
export function moduleApp(
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
