// The conformance suite every SessionStore passes. A store's spec runs it with one line:
//   describeSessionStore('MyStore', { create: () => new MyStore(...), cleanup: (s) => s.close() });
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { SessionLockTimeoutError } from '../session.errors.js';
import type { SessionPatch, SessionStore, StoredSession } from './session-store.js';

export interface StoreHarness<S extends SessionStore> {
  /** A store with no sessions in it (its own key prefix, its own directory...). */
  create(): S | Promise<S>;
  /** Runs after each test: close the store and remove what it wrote. */
  cleanup(store: S): Promise<void>;
  /** Writes an unreadable record under `key`, as a crash or another program might. */
  corrupt?(store: S, key: string): Promise<void>;
  /** The store's own time-to-live of a record, in ms, where it keeps one (Redis PTTL). */
  ttlOf?(store: S, key: string): Promise<number>;
}

const key = (): string => randomBytes(32).toString('base64url');
const record = (
  data: Record<string, string>,
  lifetimeMs = 60_000,
  permanent = false,
): StoredSession => ({
  data,
  permanent,
  expiresAt: Date.now() + lifetimeMs,
  issuedAt: Date.now(),
});
const patch = (
  set: Record<string, string>,
  unset: string[] = [],
  replace = false,
  lifetimeMs = 60_000,
): SessionPatch => ({
  replace,
  set,
  unset,
  permanent: false,
  expiresAt: Date.now() + lifetimeMs,
});

export function describeSessionStore<S extends SessionStore>(
  name: string,
  harness: StoreHarness<S>,
): void {
  describe(`${name} conforms to the SessionStore contract`, () => {
    let store: S;
    beforeEach(async () => {
      store = await harness.create();
    });
    afterEach(() => harness.cleanup(store));

    it('has a name and answers ping', async () => {
      expect(typeof store.name).toBe('string');
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('reads an unknown key as undefined and creates nothing', async () => {
      const k = key();
      expect(await store.get(k)).toBeUndefined();
      expect(await store.get(k)).toBeUndefined();
      expect(await store.touch(k, Date.now() + 60_000)).toBe(false);
      expect(await store.get(k)).toBeUndefined();
    });

    it('creates and reads back data, permanence and expiry', async () => {
      const k = key();
      const saved = record({ user: '"ana"', cart: '["a","b"]' }, 60_000, true);
      await store.create(k, saved);
      const read = await store.get(k);
      expect(read?.data).toEqual(saved.data);
      expect(read?.permanent).toBe(true);
      expect(Math.abs((read?.expiresAt ?? 0) - saved.expiresAt)).toBeLessThan(1000);
    });

    it('keeps the issue time across reads, updates, replaces and touches', async () => {
      const k = key();
      const issuedAt = Date.now() - 3 * 86_400_000; // an old login, distinct from any "now"
      await store.create(k, { ...record({ a: '1' }), issuedAt });
      expect((await store.get(k))?.issuedAt).toBe(issuedAt);
      expect(await store.update(k, patch({ b: '2' }))).toBe(true);
      expect((await store.get(k))?.issuedAt).toBe(issuedAt);
      expect(await store.update(k, patch({ c: '3' }, [], true))).toBe(true);
      expect((await store.get(k))?.issuedAt).toBe(issuedAt);
      expect(await store.touch(k, Date.now() + 120_000)).toBe(true);
      expect(await store.get(k)).toMatchObject({ data: { c: '3' }, issuedAt });
    });

    it('returns a copy: changing what get() returned changes nothing stored', async () => {
      const k = key();
      await store.create(k, record({ a: '1' }));
      const read = await store.get(k);
      read!.data.a = '2';
      read!.data.b = '3';
      expect((await store.get(k))?.data).toEqual({ a: '1' });
    });

    it('applies key-level changes: set and unset, other keys kept', async () => {
      const k = key();
      await store.create(k, record({ a: '1', b: '2', c: '3' }));
      expect(await store.update(k, { ...patch({ b: '20', d: '4' }, ['c']), permanent: true })).toBe(
        true,
      );
      const read = await store.get(k);
      expect(read?.data).toEqual({ a: '1', b: '20', d: '4' });
      expect(read?.permanent).toBe(true);
    });

    it('replace drops every key not set', async () => {
      const k = key();
      await store.create(k, record({ a: '1', b: '2' }));
      expect(await store.update(k, patch({ c: '3' }, [], true))).toBe(true);
      expect((await store.get(k))?.data).toEqual({ c: '3' });
    });

    it('writes only if the record exists: a missing or destroyed record is not recreated', async () => {
      const missing = key();
      expect(await store.update(missing, patch({ a: '1' }))).toBe(false);
      expect(await store.get(missing)).toBeUndefined();
      const k = key();
      await store.create(k, record({ a: '1' }));
      await store.destroy(k);
      expect(await store.update(k, patch({ late: '1' }))).toBe(false);
      expect(await store.touch(k, Date.now() + 60_000)).toBe(false);
      expect(await store.get(k)).toBeUndefined();
    });

    it('keeps every concurrent change to different keys', async () => {
      const k = key();
      await store.create(k, record({ base: '0' }));
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.update(k, patch({ [`k${i}`]: String(i) }))),
      );
      const data = (await store.get(k))?.data ?? {};
      expect(Object.keys(data).sort()).toEqual(
        ['base', ...Array.from({ length: 10 }, (_, i) => `k${i}`)].sort(),
      );
    });

    it('destroys a record; destroying a missing one is harmless', async () => {
      const k = key();
      await store.create(k, record({ a: '1' }));
      await store.destroy(k);
      expect(await store.get(k)).toBeUndefined();
      await expect(store.destroy(k)).resolves.toBeUndefined();
    });

    it('a record past its expiry reads as missing', async () => {
      const k = key();
      await store.create(k, record({ a: '1' }, 400));
      expect((await store.get(k))?.data).toEqual({ a: '1' });
      await sleep(600);
      expect(await store.get(k)).toBeUndefined();
      expect(await store.update(k, patch({ a: '2' }))).toBe(false);
    });

    it('touch moves the expiry of an existing record', async () => {
      const k = key();
      await store.create(k, record({ a: '1' }, 400));
      const later = Date.now() + 60_000;
      expect(await store.touch(k, later)).toBe(true);
      await sleep(600);
      const read = await store.get(k);
      expect(read?.data).toEqual({ a: '1' });
      expect(Math.abs((read?.expiresAt ?? 0) - later)).toBeLessThan(1000);
    });

    if (harness.ttlOf) {
      const ttlOf = harness.ttlOf;
      it("keeps the store's own TTL close to the remaining lifetime", async () => {
        const k = key();
        await store.create(k, record({ a: '1' }, 30_000));
        expect(Math.abs((await ttlOf(store, k)) - 30_000)).toBeLessThan(1500);
        await store.update(k, patch({ a: '2' }, [], false, 50_000));
        expect(Math.abs((await ttlOf(store, k)) - 50_000)).toBeLessThan(1500);
        await store.touch(k, Date.now() + 70_000);
        expect(Math.abs((await ttlOf(store, k)) - 70_000)).toBeLessThan(1500);
      });
    }

    if (harness.corrupt) {
      const corrupt = harness.corrupt;
      it('reads a garbage record as no session, and deletes it', async () => {
        const k = key();
        await store.create(k, record({ a: '1' }));
        await corrupt(store, k);
        expect(await store.get(k)).toBeUndefined();
        expect(await store.update(k, patch({ a: '2' }))).toBe(false);
      });
    }

    describe('the per-session lock', () => {
      const options = { waitMs: 3000, ttlMs: 5000 };

      it('makes N concurrent read-modify-writes of one key keep all N', async () => {
        const k = key();
        await store.create(k, record({ list: '[]' }));
        const n = 20;
        await Promise.all(
          Array.from({ length: n }, async (_, i) => {
            const release = await store.lock(k, options);
            try {
              const list = JSON.parse((await store.get(k))!.data.list) as number[];
              await sleep(2);
              list.push(i);
              await store.update(k, patch({ list: JSON.stringify(list) }));
            } finally {
              await release();
            }
          }),
        );
        const list = JSON.parse((await store.get(k))!.data.list) as number[];
        expect(list.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      });

      it('gives up after the wait with SessionLockTimeoutError', async () => {
        const k = key();
        const release = await store.lock(k, options);
        const started = Date.now();
        await expect(store.lock(k, { waitMs: 200, ttlMs: 5000 })).rejects.toBeInstanceOf(
          SessionLockTimeoutError,
        );
        expect(Date.now() - started).toBeLessThan(2000);
        await release();
      });

      it('expires a lock whose holder never releases it', async () => {
        const k = key();
        await store.lock(k, { waitMs: 1000, ttlMs: 300 });
        const release = await store.lock(k, { waitMs: 3000, ttlMs: 5000 });
        await release();
      });

      it('a late release does not free a lock that another request holds now', async () => {
        const k = key();
        const stale = await store.lock(k, { waitMs: 1000, ttlMs: 200 });
        await sleep(400);
        const current = await store.lock(k, options);
        await stale(); // the first holder comes back after its lock expired
        await expect(store.lock(k, { waitMs: 200, ttlMs: 5000 })).rejects.toBeInstanceOf(
          SessionLockTimeoutError,
        );
        await current();
        await current(); // twice is harmless
        const again = await store.lock(k, options);
        await again();
      });
    });
  });
}
