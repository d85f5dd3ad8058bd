import { FileStore, MemoryStore, type SessionStore } from 'nestjs-flask-session';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { SECRET, login, sessionCookie, startDemo, tempRedisStore } from './support/demo.js';
import { PLATFORMS } from './support/platform.js';

/** How many sessions a store holds (Redis: keys under its prefix, locks excluded). */
async function records(store: SessionStore): Promise<number> {
  if (store instanceof MemoryStore) return store.size;
  if (store instanceof FileStore)
    return readdirSync(store.dir).filter((f) => f.endsWith('.json')).length;
  const { client, prefix } = store as unknown as { client: Redis; prefix: string };
  return (await client.keys(`${prefix}*`)).filter((k) => !k.startsWith(`${prefix}lock:`)).length;
}
import { startTestApp } from './support/test-app.js';

/** A fresh store of each server-side kind, and how to remove what it wrote. */
const stores: Record<string, () => { store: SessionStore; cleanup(): Promise<void> }> = {
  memory: () => ({ store: new MemoryStore(), cleanup: () => Promise.resolve() }),
  file: () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessions-concurrency-'));
    const store = new FileStore({ dir });
    return {
      store,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  redis: tempRedisStore,
};

describe.each(PLATFORMS)('on %s', (platform) => {
  describe.each(Object.keys(stores))('%s store under concurrency', (kind) => {
    let store: SessionStore;
    let cleanup: () => Promise<void>;
    beforeEach(() => {
      ({ store, cleanup } = stores[kind]());
    });
    afterEach(() => cleanup());

    it('two concurrent requests that change different keys both survive', async () => {
      const t = await startTestApp({ secretKey: SECRET, store }, false, platform);
      try {
        const cookie = sessionCookie(await request(t.server).post('/set/base?value=0'))!;
        // Both load the same session, then write different keys; the slower one saves last.
        await Promise.all([
          request(t.server).post('/set/a?value=1&delay=60').set('Cookie', cookie),
          request(t.server).post('/set/b?value=2&delay=10').set('Cookie', cookie),
        ]);
        const keys = await request(t.server).get('/keys').set('Cookie', cookie);
        expect((keys.body.keys as string[]).sort()).toEqual(['a', 'b', 'base']);
      } finally {
        await t.close();
      }
    });

    it('a logout wins over a write still in flight', async () => {
      const t = await startTestApp({ secretKey: SECRET, store }, false, platform);
      try {
        const cookie = sessionCookie(await request(t.server).post('/set/user?value=ana'))!;
        expect(await records(store)).toBe(1);
        const slowWrite = request(t.server)
          .post('/set/late?value=1&delay=150')
          .set('Cookie', cookie)
          .then((r) => r);
        await sleep(30);
        const logout = await request(t.server).post('/destroy').set('Cookie', cookie);
        expect(logout.status).toBe(201);
        const late = await slowWrite;
        expect(late.status).toBe(201);
        // The late write found no record: it is dropped, and its response expires the cookie.
        expect(late.headers['set-cookie']?.[0]).toMatch(/Max-Age=0/);
        expect(await records(store)).toBe(0);
        const after = await request(t.server).get('/keys').set('Cookie', cookie);
        expect(after.body).toEqual({ keys: [], isNew: true, permanent: false });
      } finally {
        await t.close();
      }
    });

    it('with @SessionLock, 20 concurrent read-modify-writes of one key keep all 20', async () => {
      const t = await startTestApp({ secretKey: SECRET, store }, false, platform);
      try {
        const cookie = sessionCookie(await request(t.server).post('/set/seed?value=1'))!;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            request(t.server).post(`/push-locked?item=${i}`).set('Cookie', cookie),
          ),
        );
        expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
        const list = (await request(t.server).get('/read/list').set('Cookie', cookie)).body
          .value as string[];
        expect(list.sort((a, b) => Number(a) - Number(b))).toEqual(
          Array.from({ length: 20 }, (_, i) => String(i)),
        );
      } finally {
        await t.close();
      }
    });

    it('demo: 20 concurrent POST /cart of one session keep all 20 items', async () => {
      const demo = await startDemo(kind as 'memory' | 'file' | 'redis', {}, platform);
      try {
        const cookie = await login(demo.server);
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            request(demo.server)
              .post('/cart')
              .set('Cookie', cookie)
              .send({ item: `item-${i}` }),
          ),
        );
        expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
        const items = (await request(demo.server).get('/cart').set('Cookie', cookie)).body
          .items as string[];
        expect(items).toHaveLength(20);
        expect(new Set(items).size).toBe(20);
      } finally {
        await demo.close();
      }
    });

    it('requests that write nothing create no record, whatever cookie they send', async () => {
      const t = await startTestApp({ secretKey: SECRET, store }, false, platform);
      try {
        await request(t.server).get('/keys');
        await request(t.server).get('/read/a').set('Cookie', 'session=made-up');
        await request(t.server)
          .get('/untouched')
          .set('Cookie', `session=${'A'.repeat(43)}`);
        expect(await records(store)).toBe(0);
      } finally {
        await t.close();
      }
    });

    it('a rotated secret keeps server-side sessions open (old key verifies, new key signs)', async () => {
      const NEW = 'brand-new-secret-0123456789-abcdefghijk';
      const before = await startTestApp({ secretKey: SECRET, store }, false, platform);
      const after = await startTestApp({ secretKey: [NEW, SECRET], store }, false, platform);
      const onlyOld = await startTestApp({ secretKey: SECRET, store }, false, platform);
      try {
        const cookie = sessionCookie(await request(before.server).post('/set/user?value=ana'))!;
        expect((await request(after.server).get('/read/user').set('Cookie', cookie)).body).toEqual({
          value: 'ana',
        });
        const rewritten = sessionCookie(
          await request(after.server).post('/set/more?value=1').set('Cookie', cookie),
        )!;
        expect(
          (await request(onlyOld.server).get('/read/user').set('Cookie', rewritten)).body,
        ).toEqual({ value: null });
      } finally {
        await Promise.all([before.close(), after.close(), onlyOld.close()]);
      }
    });
  });

  describe('memory store timers', () => {
    it('the sweeper timer runs while the app lives and stops on shutdown', async () => {
      const store = new MemoryStore({ sweepInterval: 10 });
      let sweeps = 0;
      store.sweep = () => void sweeps++;
      const t = await startTestApp({ secretKey: SECRET, store }, false, platform);
      await sleep(60);
      expect(sweeps).toBeGreaterThan(0);
      await t.close();
      sweeps = 0;
      await sleep(60);
      expect(sweeps).toBe(0);
    });
  });
});
