import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { RedisStore } from './redis-store.js';
import { describeSessionStore, type StoreHarness } from './session-store.conformance.js';

// A real Redis: REDIS_URL (.ci/run starts one when none answers), each store on its own prefix.
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const clients = new WeakMap<RedisStore, { client: Redis; prefix: string }>();

async function removeKeys(client: Redis, prefix: string): Promise<void> {
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
}

const harness: StoreHarness<RedisStore> = {
  create: () => {
    const client = new Redis(url, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    const prefix = `test:${randomBytes(6).toString('hex')}:`;
    const store = new RedisStore({ client, prefix });
    clients.set(store, { client, prefix });
    return store;
  },
  cleanup: async (store) => {
    const { client, prefix } = clients.get(store)!;
    await store.close();
    await removeKeys(client, prefix);
    await client.quit();
  },
  corrupt: async (store, key) => {
    const { client, prefix } = clients.get(store)!;
    await client.hset(`${prefix}${key}`, 'm:exp', 'not-a-number');
  },
  ttlOf: (store, key) => {
    const { client, prefix } = clients.get(store)!;
    return client.pttl(`${prefix}${key}`);
  },
};

describeSessionStore('RedisStore', harness);

describe('RedisStore records', () => {
  it('reads a hash without an issue time (m:iat) as no session, and deletes it', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const store = await harness.create();
    const { client, prefix } = clients.get(store)!;
    try {
      const exp = String(Date.now() + 60_000);
      await client.hset(`${prefix}k`, 'm:permanent', '0', 'm:exp', exp, 'd:a', '1');
      expect(await store.get('k')).toBeUndefined();
      expect(await client.exists(`${prefix}k`)).toBe(0);
    } finally {
      jest.restoreAllMocks();
      await harness.cleanup(store);
    }
  });
});
