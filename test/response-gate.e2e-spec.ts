import {
  Controller,
  type LoggerService,
  Module,
  Post,
  Query,
  Res,
  type INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Response } from 'express';
import type { Server } from 'node:http';
import request from 'supertest';
import {
  CookieStore,
  MemoryStore,
  Session,
  SessionModule,
  type SessionModuleOptions,
} from '@app/session';
import { SECRET } from './support/demo.js';
import { FlakyStore } from './support/flaky-store.js';
import { CapturingLogger } from './support/test-app.js';

// The response gate (lifecycle/response-gate.ts) on raw writes: held calls that throw when replayed.

@Controller()
class GateController {
  /** A chunk Node refuses (it throws), alone or after a good one. */
  @Post('bad-write')
  badWrite(
    @Query('first') first: string | undefined,
    @Session() session: Session,
    @Res() res: Response,
  ): void {
    session.set('bad', 'yes');
    if (first === undefined) res.write('partial,');
    res.write(123);
    res.end('never');
  }
}

interface GateApp {
  app: INestApplication;
  server: Server;
}

async function startGateApp(
  store: SessionModuleOptions['store'],
  logger: LoggerService | false = false,
): Promise<GateApp> {
  @Module({
    imports: [SessionModule.forRoot({ secretKey: SECRET, store })],
    controllers: [GateController],
  })
  class GateAppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [GateAppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger });
  await app.init();
  return { app, server: app.getHttpServer() as Server };
}

/** A memory store whose every operation takes a while, like a remote one. */
function slowStore(): FlakyStore {
  const store = new FlakyStore();
  store.hangMs = 150;
  return store;
}

const stores = {
  cookie: () => new CookieStore(),
  'encrypted cookie': () => new CookieStore({ encrypt: true }),
  memory: () => new MemoryStore(),
  'slow memory': slowStore,
};
type StoreKind = keyof typeof stores;
/** Stores whose commit is asynchronous: the gate holds the response while it runs. */
const held = (kind: StoreKind) => kind === 'memory' || kind === 'slow memory';

// No test here listens for 'unhandledRejection' itself: in Jest's sandbox process.on() never sees
// it, because jest-circus takes that event over on the real process and fails the running test
// with the rejection's error. That is what catches a held call that throws into nowhere.

/** The status, or 'closed' when the connection ended without a whole response. */
async function outcome(req: request.Test): Promise<number | 'closed'> {
  try {
    // A response the gate leaves open fails the test in time instead of hanging the run.
    return (await req.timeout(3000)).status;
  } catch (error) {
    if ((error as { timeout?: number }).timeout !== undefined) throw error;
    return 'closed';
  }
}

describe.each(Object.keys(stores) as StoreKind[])('the response gate on the %s store', (kind) => {
  let t: GateApp;
  beforeEach(async () => {
    t = await startGateApp(stores[kind]());
  });
  afterEach(() => t.app.close());

  if (held(kind)) {
    it('a held write that throws when replayed, before anything was sent, is a 500', async () => {
      expect(await outcome(request(t.server).post('/bad-write?first'))).toBe(500);
    });

    it('a held write that throws when replayed after the headers went out closes the connection', async () => {
      expect(await outcome(request(t.server).post('/bad-write'))).toBe('closed');
    });
  }
});

describe('the response gate when failing the response throws too', () => {
  let t: GateApp;
  beforeEach(async () => {
    // fail() logs the cause: a logger that throws makes fail() throw.
    const logger = new CapturingLogger();
    logger.error = () => {
      throw new Error('logger down');
    };
    t = await startGateApp(new MemoryStore(), logger);
  });
  afterEach(() => t.app.close());

  it('closes the connection, and nothing escapes as an unhandled rejection', async () => {
    expect(await outcome(request(t.server).post('/bad-write?first'))).toBe('closed');
  });
});
