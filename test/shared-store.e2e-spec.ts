import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  type DemoHandle,
  login,
  removeRedisKeys,
  sessionCookie,
  startDemo,
} from './support/demo.js';
import { PLATFORMS } from './support/platform.js';

/** Settings under which two demo instances share one store. */
interface SharedBackend {
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

const backends: Record<string, () => SharedBackend> = {
  file: () => {
    const dir = join(tmpdir(), `sessions-shared-${randomBytes(6).toString('hex')}`);
    return {
      env: { SESSION_STORE: 'file', SESSION_FILE_DIR: dir },
      cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  },
  redis: () => {
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const prefix = `test:${randomBytes(6).toString('hex')}:`;
    return {
      env: { SESSION_STORE: 'redis', REDIS_URL: url, REDIS_PREFIX: prefix },
      cleanup: () => removeRedisKeys(url, prefix),
    };
  },
};

describe.each(PLATFORMS)('on %s', (platform) => {
  describe.each(Object.keys(backends))('two demo instances sharing one %s store', (kind) => {
    let backend: SharedBackend;
    let a: DemoHandle;
    let b: DemoHandle;
    beforeEach(async () => {
      backend = backends[kind]();
      a = await startDemo(kind as 'file' | 'redis', backend.env, platform);
      b = await startDemo(kind as 'file' | 'redis', backend.env, platform);
    });
    afterEach(async () => {
      await Promise.all([a.close(), b.close()]);
      await backend.cleanup();
    });

    it('log in on one, open /profile on the other', async () => {
      const cookie = await login(a.server);
      const res = await request(b.server)
        .get('/profile')
        .set('Cookie', cookie)
        .set('Accept', 'application/json');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ username: 'admin' });
    });

    it('a session survives a restart of the app', async () => {
      const cookie = await login(a.server);
      await request(a.server).post('/cart').set('Cookie', cookie).send({ item: 'kept' });
      await a.close();
      a = await startDemo(kind as 'file' | 'redis', backend.env, platform);
      const res = await request(a.server).get('/cart').set('Cookie', cookie);
      expect(res.body).toEqual({ items: ['kept'] });
      expect((await request(a.server).get('/dashboard').set('Cookie', cookie)).status).toBe(200);
    });

    it('20 concurrent POST /cart, spread over both instances, keep all 20', async () => {
      const cookie = await login(a.server);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          request((i % 2 ? a : b).server)
            .post('/cart')
            .set('Cookie', cookie)
            .send({ item: `item-${i}` }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
      const items = (await request(a.server).get('/cart').set('Cookie', cookie)).body
        .items as string[];
      expect(new Set(items).size).toBe(20);
    });

    it('a logout during in-flight requests is not undone', async () => {
      const cookie = await login(a.server);
      const inFlight = Array.from({ length: 10 }, (_, i) =>
        request((i % 2 ? a : b).server)
          .post('/cart')
          .set('Cookie', cookie)
          .send({ item: `item-${i}` }),
      );
      const pending = Promise.all(inFlight.map((r) => r.then((res) => res)));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const logout = await request(b.server).post('/logout').set('Cookie', cookie);
      expect(logout.status).toBe(302);
      const responses = await pending;
      // The old cookie opens nothing, on either instance, once the dust settles...
      for (const app of [a, b]) {
        expect((await request(app.server).get('/profile').set('Cookie', cookie)).status).toBe(401);
        expect((await request(app.server).get('/cart').set('Cookie', cookie)).body).toEqual({
          items: [],
        });
      }
      // ...and no late response handed out a logged-in session.
      for (const res of responses) {
        const issued = sessionCookie(res);
        if (issued !== undefined && issued !== cookie && !/^session=$/.test(issued)) {
          expect((await request(a.server).get('/profile').set('Cookie', issued)).status).toBe(401);
        }
      }
    });
  });
});
