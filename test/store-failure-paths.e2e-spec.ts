import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { SECRET, sessionCookie, setCookieLine } from './support/demo.js';
import { FlakyStore } from './support/flaky-store.js';
import { PLATFORMS } from './support/platform.js';
import { CapturingLogger, type TestApp, startTestApp } from './support/test-app.js';

// A session write whose save fails, on every path a response can take (response-gate.ts): the
// gate answers 503 instead of the handler's response, whatever produced it. A server-side
// store's commit is always asynchronous, so the gate holds the first write either way; what
// differs is where the rest goes. A store that fails at once rejects before the next turn of
// the event loop: what a handler writes later comes after the 503 and is dropped (a piped
// stream stops once the 503 ends the response): the routes "over time". One that fails after
// 50 ms has everything the handler wrote held, then abandoned. (The gate's synchronous path, a
// commit that throws, is the cookie store's, not a store that is down.)

/** What the client gets when the session could not be saved because the store is down. */
const UNAVAILABLE = { statusCode: 503, message: 'Session store unavailable' };

/** Each way a handler's response leaves: [how, route, what it answers when the save works]. */
const PATHS: Array<[string, string, number]> = [
  ['a returned value', '/set/a?value=1', 201],
  ['an HttpException thrown after the write', '/throw-after-set', 400],
  ['the platform reply used directly (@Res())', '/res-after-set', 202],
  ['a redirect through the adapter (@Res())', '/redirect-after-set', 303],
  ['a redirect through @Redirect()', '/redirect-decorator-after-set', 303],
  ['a stream (StreamableFile)', '/stream-after-set', 201],
  ['a stream whose chunks come over time', '/slow-stream-after-set', 201],
  ['raw chunked writes on Node’s response', '/chunks-after-set', 200],
  ['raw writes over time on Node’s response', '/chunks-over-time-after-set', 200],
];

/** [when the store fails, how long each store operation takes first]. */
const FAILURES: Array<[string, number]> = [
  ['at once', 0],
  ['after 50 ms', 50],
];

function expectUnavailable(res: request.Response): void {
  expect(res.status).toBe(503);
  expect(res.body).toEqual(UNAVAILABLE);
  expect(res.headers['set-cookie']).toBeUndefined();
  expect(res.headers.location).toBeUndefined();
  expect(res.headers['cache-control']).toBe('no-store');
}

describe.each(PLATFORMS)('a session write whose save fails, on %s', (platform) => {
  let store: FlakyStore;
  let logger: CapturingLogger;
  let t: TestApp;
  beforeEach(async () => {
    store = new FlakyStore();
    logger = new CapturingLogger();
    t = await startTestApp({ secretKey: SECRET, store, storeTimeout: 300 }, logger, platform);
  });
  afterEach(() => t.close());

  /** The reason was logged once, and nothing else was (no 500, no write after the end). */
  async function expectLoggedOnceAndStillServing(line: string): Promise<void> {
    // Time for what a handler writes after the 503 went out (the gate drops it): a late error,
    // such as a write after the end, is logged by then.
    await sleep(50);
    // A request that does not touch the session: the process answers on.
    const next = await request(t.server).get('/untouched').timeout(3000);
    expect(next.status).toBe(200);
    expect(next.text).toBe('no session used');
    expect(logger.messages('error')).toEqual([line]);
  }

  describe('with the store up (what each route answers when the save works)', () => {
    it.each(PATHS)('%s', async (_how, path, status) => {
      const res = await request(t.server).post(path).timeout(3000);
      expect(res.status).toBe(status);
      expect(setCookieLine(res)).toBeDefined();
      expect(logger.messages('error')).toEqual([]);
    });

    it('a @SessionLock() route', async () => {
      const cookie = sessionCookie(await request(t.server).post('/set/user?value=ana'))!;
      const res = await request(t.server).post('/push-locked?item=x').set('Cookie', cookie);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ n: 1 });
    });
  });

  describe.each(FAILURES)('with a store that is down and fails %s', (_when, delayMs) => {
    it.each(PATHS)(
      '%s is a 503 without Set-Cookie or Location, the reason logged once',
      async (_how, path) => {
        store.down = true;
        store.hangMs = delayMs;
        // A response the gate leaves open fails the test in time instead of hanging the run.
        const res = await request(t.server).post(path).timeout(3000);
        expectUnavailable(res);
        await expectLoggedOnceAndStillServing(
          'Session store memory failed (create): connect ECONNREFUSED 127.0.0.1:6379',
        );
      },
    );
  });

  describe.each(FAILURES)('with a store whose saves fail %s', (_when, delayMs) => {
    it('a @SessionLock() route is a 503, the lock is released and the session untouched', async () => {
      const cookie = sessionCookie(await request(t.server).post('/set/user?value=ana'))!;
      // The session loads and locks (reads work), then cannot be saved.
      store.writesDown = true;
      store.hangMs = delayMs;
      const res = await request(t.server)
        .post('/push-locked?item=x')
        .set('Cookie', cookie)
        .timeout(3000);
      expectUnavailable(res);
      await expectLoggedOnceAndStillServing(
        "Session store memory failed (update): READONLY You can't write against a read only replica.",
      );
      store.writesDown = false;
      store.hangMs = 0;
      // Not lost in silence, not half saved: the push never happened, and the lock is free again
      // (a lock still held would keep the next locked request waiting past its timeout).
      expect((await request(t.server).get('/read/list').set('Cookie', cookie)).body).toEqual({
        value: null,
      });
      const again = await request(t.server)
        .post('/push-locked?item=y')
        .set('Cookie', cookie)
        .timeout(3000);
      expect(again.status).toBe(201);
      expect(again.body).toEqual({ n: 1 });
      expect((await request(t.server).get('/read/user').set('Cookie', cookie)).body).toEqual({
        value: 'ana',
      });
    });
  });
});
