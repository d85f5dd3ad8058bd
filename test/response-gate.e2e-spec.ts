import {
  Controller,
  Get,
  type LoggerService,
  Module,
  Post,
  Query,
  Res,
  type INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { once } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import request from 'supertest';
import {
  CookieStore,
  MemoryStore,
  Session,
  SessionModule,
  type SessionModuleOptions,
} from 'nestjs-flask-session';
import { SECRET, setCookieLine } from './support/demo.js';
import { FlakyStore } from './support/flaky-store.js';
import { PLATFORMS, type Platform, initApp } from './support/platform.js';
import { CapturingLogger, nodeResponse } from './support/test-app.js';

// The response gate (lifecycle/response-gate.ts) on raw writes: backpressure while a commit is
// held, the headers of writeHead(status, headers), and held calls that throw when replayed. The
// handlers write Node's response under the platform's (nodeResponse: on Fastify, the reply is
// hijacked), so the gate is tested at Node's level on both platforms.

/** The platform's response object (Express's Response, Fastify's FastifyReply). */
type PlatformResponse = object;

/** Chunk i of a body: told apart by its number and letter. */
const chunkAt = (i: number, size: number) =>
  `${i}:`.padEnd(size, String.fromCharCode(97 + (i % 26)));
const bodyOf = (size: number, count: number) =>
  Array.from({ length: count }, (_, i) => chunkAt(i, size)).join('');

/** What the backpressure route saw: how much it wrote before anything could leave. */
interface WriterRun {
  highWaterMark: number;
  /** The most bytes written while the headers had not gone out: all held by the gate. */
  heldMost: number;
  /** How many of those writes answered false. */
  falseWhileHeld: number;
  /** 'drain' events that came while the socket was still full (Node's own comes after). */
  drainsWhileFull: number;
}
let lastRun: WriterRun | undefined;

const HEADERS = {
  'Content-Type': 'text/plain',
  'Cache-Control': 'public, max-age=60',
  'Set-Cookie': 'other=1',
  Vary: 'Accept-Encoding',
};
const HEADER_LIST = [
  'Content-Type',
  'text/plain',
  'Cache-Control',
  'public, max-age=60',
  'Set-Cookie',
  'other=1',
  'Set-Cookie',
  'other=2',
  'Vary',
  'Accept-Encoding',
];

@Controller()
class GateController {
  /** A writer that respects backpressure: it stops at false and goes on at 'drain'. */
  @Get('backpressure')
  async backpressure(
    @Query('size') size: string,
    @Query('count') count: string,
    @Session() session: Session,
    @Res() reply: PlatformResponse,
  ): Promise<void> {
    const res = nodeResponse(reply);
    lastRun = undefined;
    session.set('streamed', 'yes');
    res.setHeader('content-type', 'text/plain');
    const run: WriterRun = {
      highWaterMark: res.writableHighWaterMark,
      heldMost: 0,
      falseWhileHeld: 0,
      drainsWhileFull: 0,
    };
    res.on('drain', () => {
      if (res.writableNeedDrain) run.drainsWhileFull++;
    });
    for (let i = 0; i < Number(count); i++) {
      const ok = res.write(chunkAt(i, Number(size)));
      if (!res.headersSent) {
        run.heldMost += Number(size);
        if (!ok) run.falseWhileHeld++;
      }
      if (!ok) await once(res, 'drain');
    }
    res.end();
    lastRun = run;
  }

  @Post('write-head')
  writeHead(
    @Query('form') form: 'object' | 'message' | 'list',
    @Query('session') use: 'write' | 'read',
    @Session() session: Session,
    @Res() reply: PlatformResponse,
  ): void {
    const res = nodeResponse(reply);
    if (use === 'write') session.set('a', '1');
    else session.get('a');
    if (form === 'object') res.writeHead(200, HEADERS);
    else if (form === 'message') res.writeHead(200, 'Fine', HEADERS);
    else res.writeHead(200, HEADER_LIST);
    res.end('written');
  }

  /** The same, on a route that never touches the session. */
  @Post('write-head-untouched')
  writeHeadUntouched(@Query('form') form: 'object' | 'list', @Res() reply: PlatformResponse): void {
    const res = nodeResponse(reply);
    res.writeHead(200, form === 'object' ? HEADERS : HEADER_LIST);
    res.end('written');
  }

  /** A list with a name and no value: writeHead throws, as Node's does, and the handler answers. */
  @Post('write-head-odd')
  writeHeadOdd(@Session() session: Session, @Res() reply: PlatformResponse): void {
    session.set('a', '1');
    const res = nodeResponse(reply);
    try {
      res.writeHead(200, ['Cache-Control']);
      res.end('written');
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: (error as { code?: string }).code }));
    }
  }

  /** A write and an end with callbacks, held while the session is saved: what each callback saw. */
  @Post('write-callbacks')
  writeCallbacks(@Session() session: Session, @Res() reply: PlatformResponse): void {
    session.set('cb', 'yes');
    const res = nodeResponse(reply);
    const seen = (what: string) => (error?: Error | null) =>
      callbacksSeen.push(
        `${what}: ${(error as { code?: string } | null | undefined)?.code ?? 'ok'}`,
      );
    res.write('chunk', seen('write'));
    res.end('last', seen('end'));
  }

  /** A chunk Node refuses (it throws), alone or after a good one. */
  @Post('bad-write')
  badWrite(
    @Query('first') first: string | undefined,
    @Session() session: Session,
    @Res() reply: PlatformResponse,
  ): void {
    session.set('bad', 'yes');
    const res = nodeResponse(reply);
    if (first === undefined) res.write('partial,');
    res.write(123);
    res.end('never');
  }
}

/** What the callbacks of /write-callbacks were called with, in order. */
const callbacksSeen: string[] = [];

interface GateApp {
  app: INestApplication;
  server: Server;
}

async function startGateApp(
  platform: Platform,
  store: SessionModuleOptions['store'],
  logger: LoggerService | false = false,
): Promise<GateApp> {
  @Module({
    imports: [SessionModule.forRoot({ secretKey: SECRET, store })],
    controllers: [GateController],
  })
  class GateAppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [GateAppModule] }).compile();
  const app = await initApp(moduleRef, platform, { logger });
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

const statusMessage = (res: request.Response) =>
  (res as unknown as { res: IncomingMessage }).res.statusMessage;
const varyOf = (res: request.Response) =>
  String(res.headers.vary ?? '')
    .split(',')
    .map((name) => name.trim());

describe.each(PLATFORMS)('on %s', (platform) => {
  describe.each(Object.keys(stores) as StoreKind[])('the response gate on the %s store', (kind) => {
    let t: GateApp;
    beforeEach(async () => {
      t = await startGateApp(platform, stores[kind]());
    });
    afterEach(() => t.app.close());

    it.each([
      [1024, 256],
      [65536, 16],
    ])(
      'a writer that respects backpressure holds no more than the high-water mark, and the body arrives whole (%i-byte chunks)',
      async (size, count) => {
        const res = await request(t.server)
          .get(`/backpressure?size=${size}&count=${count}`)
          .timeout(5000);
        expect(res.status).toBe(200);
        expect(res.text).toBe(bodyOf(size, count));
        expect(setCookieLine(res)).toBeDefined();
        const run = lastRun!;
        // Without backpressure the whole body waits in memory behind the store.
        expect(run.heldMost).toBeLessThanOrEqual(run.highWaterMark + size);
        if (held(kind)) expect(run.falseWhileHeld).toBeGreaterThan(0);
        // The replayed writes filled the socket: the 'drain' is Node's, when it empties.
        expect(run.drainsWhileFull).toBe(0);
      },
    );

    it('a writer held back on a HEAD request, whose writes Node drops, gets its drain', async () => {
      // The socket never fills, so only the gate can tell the writer to go on.
      const res = await request(t.server).head('/backpressure?size=1024&count=64').timeout(3000);
      expect(res.status).toBe(200);
      expect(setCookieLine(res)).toBeDefined();
      if (held(kind)) expect(lastRun!.falseWhileHeld).toBeGreaterThan(0);
    });

    describe.each(['object', 'message', 'list'] as const)(
      'writeHead(status, headers) in %s form',
      (form) => {
        it('keeps the session cookie, no-store and Vary: Cookie, with the handler’s headers', async () => {
          const res = await request(t.server).post(`/write-head?form=${form}&session=write`);
          expect(res.status).toBe(200);
          expect(res.text).toBe('written');
          expect(res.headers['content-type']).toBe('text/plain');
          expect(setCookieLine(res)).toMatch(/^session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
          expect(setCookieLine(res, 'other')).toBe('other=1');
          if (form === 'list') expect(res.headers['set-cookie']).toContain('other=2');
          expect(res.headers['cache-control']).toBe('no-store');
          expect(varyOf(res)).toEqual(expect.arrayContaining(['Accept-Encoding', 'Cookie']));
          if (form === 'message') expect(statusMessage(res)).toBe('Fine');
        });

        it('a session only read adds Cookie to its Vary and leaves its caching alone', async () => {
          const res = await request(t.server).post(`/write-head?form=${form}&session=read`);
          expect(res.status).toBe(200);
          expect(setCookieLine(res)).toBeUndefined();
          expect(res.headers['cache-control']).toBe('public, max-age=60');
          expect(varyOf(res)).toEqual(['Accept-Encoding', 'Cookie']);
        });
      },
    );

    it.each(['object', 'list'] as const)(
      'a route that never touches the session keeps its writeHead headers as they are (%s form)',
      async (form) => {
        const res = await request(t.server).post(`/write-head-untouched?form=${form}`);
        expect(res.status).toBe(200);
        expect(res.headers['set-cookie']).toEqual(
          form === 'object' ? ['other=1'] : ['other=1', 'other=2'],
        );
        expect(res.headers['cache-control']).toBe('public, max-age=60');
        expect(res.headers.vary).toBe('Accept-Encoding');
        expect(res.headers['content-type']).toBe('text/plain');
      },
    );

    it('a header list of odd length throws ERR_INVALID_ARG_VALUE at writeHead, as Node’s does', async () => {
      const res = await request(t.server).post('/write-head-odd').timeout(3000);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 'ERR_INVALID_ARG_VALUE' });
      expect(setCookieLine(res)).toBeDefined();
    });

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
      t = await startGateApp(platform, new MemoryStore(), logger);
    });
    afterEach(() => t.app.close());

    it('closes the connection, and nothing escapes as an unhandled rejection', async () => {
      expect(await outcome(request(t.server).post('/bad-write?first'))).toBe('closed');
    });
  });

  describe('a held write that throws when replayed', () => {
    it('is logged as a failed write after the session was saved, not as a failed save', async () => {
      const logger = new CapturingLogger();
      const t = await startGateApp(platform, new MemoryStore(), logger);
      try {
        const res = await request(t.server).post('/bad-write?first').timeout(3000);
        expect(res.status).toBe(500);
        expect(res.body).toEqual({ statusCode: 500, message: 'Internal server error' });
        const errors = logger.messages('error').join('\n');
        expect(errors).toMatch(/The response could not be written after the session was saved: /);
        expect(errors).not.toMatch(/Session could not be saved/);
      } finally {
        await t.app.close();
      }
    });
  });

  describe('held writes whose commit fails', () => {
    /** A memory store whose saves fail after a moment, like a Redis that went away mid-request. */
    class FailingSaves extends MemoryStore {
      override async create(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('connection lost');
      }
    }

    it('call back with an error, so a handler awaiting a write does not wait forever', async () => {
      callbacksSeen.length = 0;
      const t = await startGateApp(platform, new FailingSaves());
      try {
        expect(await outcome(request(t.server).post('/write-callbacks'))).toBe(503);
        for (let i = 0; i < 20 && callbacksSeen.length < 2; i++)
          await new Promise((resolve) => setTimeout(resolve, 10));
        expect(callbacksSeen).toEqual(['write: ERR_STREAM_DESTROYED', 'end: ERR_STREAM_DESTROYED']);
      } finally {
        await t.app.close();
      }
    });
  });
});
