import { SessionLockTimeoutError } from 'nestjs-flask-session';
import request from 'supertest';
import { SECRET, sessionCookie, setCookieLine } from './support/demo.js';
import { FlakyStore } from './support/flaky-store.js';
import { PLATFORMS } from './support/platform.js';
import { CapturingLogger, type TestApp, startTestApp } from './support/test-app.js';

describe.each(PLATFORMS)('a server-side store that fails, on %s', (platform) => {
  let store: FlakyStore;
  let logger: CapturingLogger;
  let t: TestApp;
  let cookie: string;
  beforeEach(async () => {
    store = new FlakyStore();
    logger = new CapturingLogger();
    t = await startTestApp({ secretKey: SECRET, store, storeTimeout: 300 }, logger, platform);
    cookie = sessionCookie(await request(t.server).post('/set/user?value=ana'))!;
  });
  afterEach(() => t.close());

  it('answers 503 with a short reason where the session is needed, and logs the cause', async () => {
    store.down = true;
    const res = await request(t.server).get('/read/user').set('Cookie', cookie);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ statusCode: 503, message: 'Session store unavailable' });
    expect(
      logger.messages('error').some((m) => m.includes('memory') && m.includes('ECONNREFUSED')),
    ).toBe(true);
  });

  it('serves routes that do not use the session', async () => {
    store.down = true;
    const res = await request(t.server).get('/untouched').set('Cookie', cookie);
    expect(res.status).toBe(200);
  });

  it('a write that fails is a 503 without Set-Cookie, never a silent loss', async () => {
    store.down = true;
    // A response the failure leaves open must fail this test in time, not hang the run.
    const fresh = await request(t.server).post('/set/a?value=1').timeout(3000);
    expect(fresh.status).toBe(503);
    expect(setCookieLine(fresh)).toBeUndefined();
    expect(fresh.body).toEqual({ statusCode: 503, message: 'Session store unavailable' });
  });

  it('a store that hangs fails the request within the store timeout', async () => {
    store.hangMs = 5000;
    const started = Date.now();
    const res = await request(t.server).get('/read/user').set('Cookie', cookie);
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2500);
    store.hangMs = 0;
  });

  it('the health check fails while the store is down', async () => {
    store.down = true;
    expect((await request(t.server).get('/health')).status).toBe(503);
    store.down = false;
    expect((await request(t.server).get('/health')).status).toBe(200);
  });

  it('recovers without a restart, and the user was never logged out', async () => {
    store.down = true;
    expect((await request(t.server).get('/read/user').set('Cookie', cookie)).status).toBe(503);
    store.down = false;
    const res = await request(t.server).get('/read/user').set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ value: 'ana' });
  });

  it('a lock that cannot be had in time is a 503 "busy", and the session is untouched', async () => {
    store.lock = () => Promise.reject(new SessionLockTimeoutError());
    const res = await request(t.server).post('/push-locked?item=x').set('Cookie', cookie);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ statusCode: 503, message: 'Session is busy, retry the request' });
    expect((await request(t.server).get('/read/list').set('Cookie', cookie)).body).toEqual({
      value: null,
    });
  });

  it('a store that fails while taking the lock is a 503 with the cause logged', async () => {
    store.lock = () =>
      Promise.reject(new Error('READONLY You cannot write against a read only replica'));
    const res = await request(t.server).post('/push-locked?item=x').set('Cookie', cookie);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ statusCode: 503, message: 'Session store unavailable' });
    expect(
      logger.messages('error').some((m) => m.includes('(lock)') && m.includes('READONLY')),
    ).toBe(true);
  });
});
