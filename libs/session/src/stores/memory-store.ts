import { KeyedLock } from './keyed-lock.js';
import {
  type LockOptions,
  type ReleaseLock,
  type SessionPatch,
  SessionStore,
  type StoredSession,
} from './session-store.js';

export interface MemoryStoreOptions {
  /** Most sessions kept; past it the least recently used is evicted. Default 10,000. */
  maxEntries?: number;
  /** How often expired sessions are swept, in ms. Default 60,000. */
  sweepInterval?: number;
}

/**
 * Sessions in this process's memory: for development, tests and single-process apps. Bounded,
 * swept on a timer (stopped by close(), which SessionModule calls on shutdown); lost on restart.
 */
export class MemoryStore extends SessionStore {
  readonly name = 'memory';
  private readonly records = new Map<string, StoredSession>();
  private readonly locks = new KeyedLock();
  private readonly maxEntries: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: MemoryStoreOptions = {}) {
    super();
    this.maxEntries = positiveInteger('maxEntries', options.maxEntries, 10_000);
    const interval = positiveInteger('sweepInterval', options.sweepInterval, 60_000);
    this.sweeper = setInterval(() => this.sweep(), interval);
    this.sweeper.unref();
  }

  /** Sessions held now, expired ones not yet swept included. */
  get size(): number {
    return this.records.size;
  }

  get(key: string): Promise<StoredSession | undefined> {
    const record = this.live(key);
    // A copy: the caller must not change what the store holds.
    return Promise.resolve(record && { ...record, data: { ...record.data } });
  }

  create(key: string, session: StoredSession): Promise<void> {
    this.records.delete(key);
    while (this.records.size >= this.maxEntries) {
      this.records.delete(this.records.keys().next().value as string);
    }
    this.records.set(key, { ...session, data: { ...session.data } });
    return Promise.resolve();
  }

  update(key: string, patch: SessionPatch): Promise<boolean> {
    const record = this.live(key);
    if (record === undefined) return Promise.resolve(false);
    const data = patch.replace ? {} : record.data;
    for (const k of patch.unset) delete data[k];
    Object.assign(data, patch.set);
    const { permanent, expiresAt } = patch;
    this.records.set(key, { ...record, data, permanent, expiresAt });
    return Promise.resolve(true);
  }

  touch(key: string, expiresAt: number): Promise<boolean> {
    const record = this.live(key);
    if (record !== undefined) record.expiresAt = expiresAt;
    return Promise.resolve(record !== undefined);
  }

  destroy(key: string): Promise<void> {
    this.records.delete(key);
    return Promise.resolve();
  }

  lock(key: string, options: LockOptions): Promise<ReleaseLock> {
    return this.locks.acquire(key, options);
  }

  override close(): Promise<void> {
    clearInterval(this.sweeper);
    this.locks.clear();
    return Promise.resolve();
  }

  /** Drops expired records. Runs on the timer; public for tests and manual use. */
  sweep(now = Date.now()): void {
    for (const [key, record] of this.records) if (record.expiresAt <= now) this.records.delete(key);
  }

  /** The record if it has not expired, moved to the back of the eviction order (it was used). */
  private live(key: string): StoredSession | undefined {
    const record = this.records.get(key);
    if (record === undefined) return undefined;
    this.records.delete(key);
    if (record.expiresAt <= Date.now()) return undefined;
    this.records.set(key, record);
    return record;
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(
      `MemoryStore option ${name} must be a positive integer, got ${String(value)}`,
    );
  }
  return value;
}
