import { SessionLockTimeoutError } from '../session.errors.js';
import { KeyedLock } from './keyed-lock.js';
import type { ReleaseLock } from './session-store.js';

const LONG = { waitMs: 5000, ttlMs: 5000 };

/** Lets every pending promise callback and I/O-phase callback run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('KeyedLock', () => {
  let lock: KeyedLock;

  beforeEach(() => {
    lock = new KeyedLock();
  });

  afterEach(() => {
    lock.clear();
  });

  it('a second acquire of the same key waits until release', async () => {
    const release = await lock.acquire('k', LONG);
    let granted = false;
    const second = lock.acquire('k', LONG).then((r) => {
      granted = true;
      return r;
    });
    await settle();
    await sleep(20);
    expect(granted).toBe(false);
    await release();
    const releaseSecond = await second;
    expect(granted).toBe(true);
    await releaseSecond();
  });

  it('different keys do not block each other', async () => {
    const a = await lock.acquire('a', LONG);
    let granted = false;
    const b = lock.acquire('b', LONG).then((r) => {
      granted = true;
      return r;
    });
    await settle();
    expect(granted).toBe(true);
    await (
      await b
    )();
    await a();
  });

  it('serves waiters in the order they came', async () => {
    const first = await lock.acquire('k', LONG);
    const order: number[] = [];
    const waiters = [1, 2, 3, 4].map((n) =>
      lock.acquire('k', LONG).then(async (release) => {
        order.push(n);
        await settle();
        await release();
      }),
    );
    await settle();
    expect(order).toEqual([]);
    await first();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('a newcomer does not jump ahead of a waiter on release', async () => {
    const first = await lock.acquire('k', LONG);
    const order: string[] = [];
    const waiter = lock.acquire('k', LONG).then(async (release) => {
      order.push('waiter');
      await release();
    });
    await settle();
    await first();
    // Arrives after the release, before the waiter's promise callback ran.
    const newcomer = lock.acquire('k', LONG).then(async (release) => {
      order.push('newcomer');
      await release();
    });
    await Promise.all([waiter, newcomer]);
    expect(order).toEqual(['waiter', 'newcomer']);
  });

  it('a wait longer than waitMs rejects with SessionLockTimeoutError', async () => {
    const release = await lock.acquire('k', LONG);
    const started = Date.now();
    await expect(lock.acquire('k', { waitMs: 30, ttlMs: 5000 })).rejects.toBeInstanceOf(
      SessionLockTimeoutError,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    await release();
  });

  it('a timed-out waiter leaves the queue: the next waiter still gets the lock', async () => {
    const release = await lock.acquire('k', LONG);
    const impatient = lock.acquire('k', { waitMs: 10, ttlMs: 5000 });
    const patient = lock.acquire('k', LONG);
    await expect(impatient).rejects.toBeInstanceOf(SessionLockTimeoutError);
    await release();
    const releasePatient = await patient;
    await releasePatient();
    // The lock is free again: a fresh acquire is granted at once.
    let granted = false;
    const again = lock.acquire('k', { waitMs: 10, ttlMs: 5000 }).then((r) => {
      granted = true;
      return r;
    });
    await settle();
    expect(granted).toBe(true);
    await (
      await again
    )();
  });

  it('ttl releases a lock whose holder never releases', async () => {
    await lock.acquire('k', { waitMs: 5000, ttlMs: 30 }); // never released
    const started = Date.now();
    const release = await lock.acquire('k', { waitMs: 2000, ttlMs: 5000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(20);
    await release();
  });

  it('releasing twice is harmless: it does not release the next holder', async () => {
    const first = await lock.acquire('k', LONG);
    const second = lock.acquire('k', LONG);
    await first();
    const releaseSecond = await second;
    await first(); // second call: must be a no-op

    let thirdGranted = false;
    const third = lock.acquire('k', LONG).then((r) => {
      thirdGranted = true;
      return r;
    });
    await settle();
    expect(thirdGranted).toBe(false); // the second holder still holds it
    await releaseSecond();
    await releaseSecond();
    const releaseThird = await third;
    expect(thirdGranted).toBe(true);
    await releaseThird();
  });

  it('a release after the ttl expired does not release the next holder', async () => {
    const stale = await lock.acquire('k', { waitMs: 5000, ttlMs: 20 });
    const releaseNext = await lock.acquire('k', LONG); // granted when the ttl fires
    await stale(); // the first holder finally finishes

    let granted = false;
    const third = lock.acquire('k', LONG).then((r) => {
      granted = true;
      return r;
    });
    await settle();
    expect(granted).toBe(false);
    await releaseNext();
    await (
      await third
    )();
  });

  async function incrementAll(n: number, useLock: boolean): Promise<number> {
    let counter = 0;
    await Promise.all(
      Array.from({ length: n }, async () => {
        let release: ReleaseLock | undefined;
        if (useLock) release = await lock.acquire('counter', LONG);
        try {
          const read = counter;
          await settle(); // another task may run between the read and the write
          counter = read + 1;
        } finally {
          await release?.();
        }
      }),
    );
    return counter;
  }

  it('20 concurrent read-modify-write increments under the lock end at 20', async () => {
    expect(await incrementAll(20, true)).toBe(20);
  });

  it('without the lock the same increments lose updates (control)', async () => {
    expect(await incrementAll(20, false)).toBeLessThan(20);
  });

  it('clear() forgets every lock', async () => {
    await lock.acquire('k', LONG);
    lock.clear();
    let granted = false;
    const again = lock.acquire('k', LONG).then((r) => {
      granted = true;
      return r;
    });
    await settle();
    expect(granted).toBe(true);
    await (
      await again
    )();
  });
});
