import { SessionLockTimeoutError } from '../session.errors.js';
import type { LockOptions, ReleaseLock } from './session-store.js';

interface Waiter {
  grant: () => void;
}

interface Holder {
  waiters: Waiter[];
  expiry: NodeJS.Timeout;
}

/** In-process mutual exclusion per key, first come first served, with bounded wait and hold. */
export class KeyedLock {
  private readonly held = new Map<string, Holder>();

  acquire(key: string, { waitMs, ttlMs }: LockOptions): Promise<ReleaseLock> {
    const holder = this.held.get(key);
    if (holder === undefined) return Promise.resolve(this.take(key, ttlMs, []));
    return new Promise<ReleaseLock>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(this.take(key, ttlMs, holder.waiters));
        },
      };
      const timer = setTimeout(() => {
        holder.waiters.splice(holder.waiters.indexOf(waiter), 1);
        reject(new SessionLockTimeoutError());
      }, waitMs);
      holder.waiters.push(waiter);
    });
  }

  /** Forgets every lock (shutdown). */
  clear(): void {
    for (const holder of this.held.values()) clearTimeout(holder.expiry);
    this.held.clear();
  }

  private take(key: string, ttlMs: number, waiters: Waiter[]): ReleaseLock {
    let released = false;
    const release = (): Promise<void> => {
      if (released) return Promise.resolve();
      released = true;
      clearTimeout(holder.expiry);
      const next = holder.waiters.shift();
      this.held.delete(key);
      next?.grant();
      return Promise.resolve();
    };
    const holder: Holder = { waiters, expiry: setTimeout(() => void release(), ttlMs) };
    holder.expiry.unref();
    this.held.set(key, holder);
    return release;
  }
}
