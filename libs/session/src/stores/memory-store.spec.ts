import { jest } from '@jest/globals';
import { SessionStoreFullError } from '../session.errors.js';
import { MemoryStore } from './memory-store.js';
import type { SessionPatch, StoredSession } from './session-store.js';

const HOUR = 3600_000;

function record(data: Record<string, string>, expiresAt = Date.now() + HOUR): StoredSession {
  return { data, permanent: false, expiresAt, issuedAt: Date.now() };
}

function patch(change: Partial<SessionPatch>): SessionPatch {
  return {
    replace: false,
    set: {},
    unset: [],
    permanent: false,
    expiresAt: Date.now() + HOUR,
    ...change,
  };
}

describe('MemoryStore', () => {
  let store: MemoryStore;

  beforeEach(() => {
    store = new MemoryStore();
  });

  afterEach(async () => {
    await store.close();
  });

  it('is named memory', () => {
    expect(store.name).toBe('memory');
  });

  it('create then get returns the record', async () => {
    const saved = { data: { a: '1' }, permanent: true, expiresAt: Date.now() + HOUR, issuedAt: 1 };
    await store.create('k1', saved);
    expect(await store.get('k1')).toEqual(saved);
    expect(await store.get('other')).toBeUndefined();
  });

  it('get returns a copy: mutating it does not change the store', async () => {
    await store.create('k1', record({ a: '1' }));
    const got = (await store.get('k1')) as StoredSession;
    got.data.a = '"changed"';
    got.data.b = '2';
    got.permanent = true;
    got.expiresAt = 0;
    const again = (await store.get('k1')) as StoredSession;
    expect(again.data).toEqual({ a: '1' });
    expect(again.permanent).toBe(false);
    expect(again.expiresAt).toBeGreaterThan(Date.now());
  });

  it('create copies its input: changing it afterwards does not change the store', async () => {
    const input = record({ a: '1' });
    await store.create('k1', input);
    input.data.a = '2';
    expect((await store.get('k1'))?.data).toEqual({ a: '1' });
  });

  it('create replaces a record under the same key', async () => {
    await store.create('k1', record({ a: '1' }));
    await store.create('k1', record({ b: '2' }));
    expect((await store.get('k1'))?.data).toEqual({ b: '2' });
    expect(store.size).toBe(1);
  });

  describe('update', () => {
    it('returns false for a missing key and creates nothing', async () => {
      expect(await store.update('missing', patch({ set: { a: '1' } }))).toBe(false);
      expect(await store.get('missing')).toBeUndefined();
      expect(store.size).toBe(0);
    });

    it('returns false for a destroyed record and does not bring it back', async () => {
      await store.create('k1', record({ a: '1' }));
      await store.destroy('k1');
      expect(await store.update('k1', patch({ set: { a: '2' } }))).toBe(false);
      expect(await store.get('k1')).toBeUndefined();
    });

    it('applies set and unset, keeping other keys and the issue time', async () => {
      const { issuedAt } = record({});
      await store.create('k1', { ...record({ a: '1', b: '2', c: '3' }), issuedAt });
      const expiresAt = Date.now() + 2 * HOUR;
      expect(
        await store.update(
          'k1',
          patch({ set: { a: '10', d: '4' }, unset: ['b'], permanent: true, expiresAt }),
        ),
      ).toBe(true);
      expect(await store.get('k1')).toEqual({
        data: { a: '10', c: '3', d: '4' },
        permanent: true,
        expiresAt,
        issuedAt,
      });
    });

    it('replace drops every stored key before set', async () => {
      await store.create('k1', record({ a: '1', b: '2' }));
      expect(await store.update('k1', patch({ replace: true, set: { c: '3' } }))).toBe(true);
      expect((await store.get('k1'))?.data).toEqual({ c: '3' });
    });

    it('two concurrent updates of different keys both survive', async () => {
      await store.create('k1', record({ base: '0' }));
      const results = await Promise.all([
        store.update('k1', patch({ set: { cart: '["x"]' } })),
        store.update('k1', patch({ set: { theme: '"dark"' } })),
      ]);
      expect(results).toEqual([true, true]);
      expect((await store.get('k1'))?.data).toEqual({
        base: '0',
        cart: '["x"]',
        theme: '"dark"',
      });
    });

    it('does not change a copy handed out earlier', async () => {
      await store.create('k1', record({ a: '1' }));
      const before = await store.get('k1');
      await store.update('k1', patch({ set: { a: '2' } }));
      expect(before?.data).toEqual({ a: '1' });
    });
  });

  describe('expiry', () => {
    it('an expired record reads as undefined', async () => {
      await store.create('old', record({ a: '1' }, Date.now() - 1));
      expect(await store.get('old')).toBeUndefined();
    });

    it('an expired record cannot be updated or touched', async () => {
      await store.create('old', record({ a: '1' }, Date.now() - 1));
      expect(await store.update('old', patch({ set: { a: '2' } }))).toBe(false);
      expect(await store.touch('old', Date.now() + HOUR)).toBe(false);
      expect(await store.get('old')).toBeUndefined();
    });

    it('touch moves the expiry of an existing record', async () => {
      const soon = Date.now() + 1000;
      await store.create('k1', record({ a: '1' }, soon));
      const later = Date.now() + 5 * HOUR;
      expect(await store.touch('k1', later)).toBe(true);
      const got = await store.get('k1');
      expect(got?.expiresAt).toBe(later);
      expect(got?.data).toEqual({ a: '1' });
    });

    it('touch of a missing key returns false and creates nothing', async () => {
      expect(await store.touch('missing', Date.now() + HOUR)).toBe(false);
      expect(store.size).toBe(0);
    });

    it('touch into the past makes the record read as missing', async () => {
      await store.create('k1', record({ a: '1' }));
      expect(await store.touch('k1', Date.now() - 1)).toBe(true);
      expect(await store.get('k1')).toBeUndefined();
    });

    it('sweep() drops expired records only', async () => {
      const now = Date.now();
      await store.create('old1', record({}, now - 10));
      await store.create('live', record({}, now + HOUR));
      await store.create('old2', record({}, now - 1));
      expect(store.size).toBe(3);
      store.sweep();
      expect(store.size).toBe(1);
      expect(await store.get('live')).toBeDefined();
    });

    it('sweep(now) uses the given time', async () => {
      const now = Date.now();
      await store.create('a', record({}, now + 1000));
      await store.create('b', record({}, now + 5000));
      store.sweep(now + 2000);
      expect(store.size).toBe(1);
      expect(await store.get('b')).toBeDefined();
    });
  });

  it('destroy removes the record, and is harmless for a missing key', async () => {
    await store.create('k1', record({ a: '1' }));
    await store.create('k2', record({ b: '1' }));
    await store.destroy('k1');
    await store.destroy('never-existed');
    expect(await store.get('k1')).toBeUndefined();
    expect(await store.get('k2')).toBeDefined();
    expect(store.size).toBe(1);
  });

  describe('maxEntries', () => {
    let small: MemoryStore;

    beforeEach(() => {
      small = new MemoryStore({ maxEntries: 3 });
    });

    afterEach(async () => {
      await small.close();
    });

    const fill = async (): Promise<void> => {
      for (const key of ['a', 'b', 'c']) await small.create(key, record({ key }));
    };

    it('refuses a new session when full, and keeps every existing one', async () => {
      await fill();
      const refused = small.create('d', record({}));
      await expect(refused).rejects.toBeInstanceOf(SessionStoreFullError);
      await expect(refused).rejects.toMatchObject({
        store: 'MemoryStore',
        limit: 3,
        message: expect.stringMatching(/MemoryStore is full.*3.*maxEntries.*RedisStore/),
      });
      expect(await small.get('d')).toBeUndefined();
      for (const key of ['a', 'b', 'c']) expect((await small.get(key))?.data).toEqual({ key });
    });

    it('makes room by dropping expired sessions, never live ones', async () => {
      await small.create('gone', record({}, Date.now() - 1));
      await small.create('b', record({}));
      await small.create('c', record({}));
      await small.create('d', record({}));
      expect(small.size).toBe(3);
      for (const key of ['b', 'c', 'd']) expect(await small.get(key)).toBeDefined();
    });

    it('counts a session expired since its last write (touch or time) as room', async () => {
      await fill();
      expect(await small.touch('a', Date.now() - 1)).toBe(true);
      await small.create('d', record({}));
      expect(await small.update('b', patch({ expiresAt: Date.now() + 100 }))).toBe(true);
      await expect(small.create('e', record({}))).rejects.toBeInstanceOf(SessionStoreFullError);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await small.create('e', record({}));
      for (const key of ['c', 'd', 'e']) expect(await small.get(key)).toBeDefined();
    });

    it('has room again after a logout (destroy)', async () => {
      await fill();
      await small.destroy('b');
      await small.create('d', record({}));
      expect(await small.get('d')).toBeDefined();
    });

    it('re-creating an existing key is not a new session: accepted when full', async () => {
      await fill();
      await small.create('b', record({ key: 'b2' }));
      expect(small.size).toBe(3);
      expect(await small.get('a')).toBeDefined();
      expect((await small.get('b'))?.data).toEqual({ key: 'b2' });
    });
  });

  it('refuses invalid options', () => {
    expect(() => new MemoryStore({ maxEntries: 0 })).toThrow(TypeError);
    expect(() => new MemoryStore({ maxEntries: 1.5 })).toThrow(TypeError);
    expect(() => new MemoryStore({ sweepInterval: -1 })).toThrow(TypeError);
  });

  it('lock serialises holders of the same key', async () => {
    const release = await store.lock('k1', { waitMs: 1000, ttlMs: 1000 });
    let second = false;
    const pending = store.lock('k1', { waitMs: 1000, ttlMs: 1000 }).then((r) => {
      second = true;
      return r;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBe(false);
    await release();
    const releaseSecond = await pending;
    expect(second).toBe(true);
    await releaseSecond();
  });
});

describe('MemoryStore timer', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sweeps expired records on its interval', async () => {
    jest.useFakeTimers();
    const store = new MemoryStore({ sweepInterval: 1000 });
    try {
      await store.create('k', record({}, Date.now() + 500));
      expect(store.size).toBe(1);
      jest.advanceTimersByTime(1000);
      expect(store.size).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('close() resolves and stops the sweep timer', async () => {
    jest.useFakeTimers();
    const store = new MemoryStore({ sweepInterval: 1000 });
    await store.create('k', record({}, Date.now() + 500));
    expect(jest.getTimerCount()).toBe(1);
    await expect(store.close()).resolves.toBeUndefined();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(5000);
    expect(store.size).toBe(1); // nothing swept after close
  });

  it('close() also drops held locks and their timers', async () => {
    jest.useFakeTimers();
    const store = new MemoryStore({ sweepInterval: 1000 });
    await store.lock('k', { waitMs: 1000, ttlMs: 10_000 });
    expect(jest.getTimerCount()).toBe(2);
    await store.close();
    expect(jest.getTimerCount()).toBe(0);
  });
});
