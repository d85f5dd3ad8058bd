import { SessionStoreFullError } from '../session.errors.js';
import { KeyedLock } from './keyed-lock.js';
import {
  type LockOptions,
  type ReleaseLock,
  type SessionPatch,
  SessionStore,
  type StoredSession,
} from './session-store.js';
import { positiveInteger } from './store-options.js';

export interface MemoryStoreOptions {
  /**
   * Most sessions kept. When that many live sessions are held, create() refuses a new one with
   * SessionStoreFullError (503) and evicts nothing, so a flood of anonymous sessions cannot log
   * users out. Default 10,000.
   */
  maxEntries?: number;
  /** How often expired sessions are swept, in ms. Default 60,000. */
  sweepInterval?: number;
}

/**
 * Sessions in this process's memory: for development, tests and single-process apps. Bounded
 * (maxEntries), swept on a timer (stopped by close(), which SessionModule calls on shutdown);
 * lost on restart.
 */
export class MemoryStore extends SessionStore {
  readonly name = 'memory';
  private readonly records = new Map<string, StoredSession>();
  private readonly locks = new KeyedLock();
  private readonly maxEntries: number;
  private readonly sweeper: NodeJS.Timeout;
  /**
   * No record expires before this (a lower bound): while the store is full, a sweep before it
   * would free nothing, so a flood of refused creates does not scan every record each time.
   */
  private firstExpiry = Infinity;

  constructor(options: MemoryStoreOptions = {}) {
    super();
    this.maxEntries = positiveInteger('MemoryStore', 'maxEntries', options.maxEntries, 10_000);
    const interval = positiveInteger('MemoryStore', 'sweepInterval', options.sweepInterval, 60_000);
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

  /** Rejects with SessionStoreFullError when full of live sessions (replacing a key is not new). */
  create(key: string, session: StoredSession, replaces?: string): Promise<void> {
    const grows = !this.records.has(key) && (replaces === undefined || !this.records.has(replaces));
    if (grows && this.records.size >= this.maxEntries) {
      if (Date.now() >= this.firstExpiry) this.sweep();
      if (this.records.size >= this.maxEntries) {
        return Promise.reject(new SessionStoreFullError('MemoryStore', this.maxEntries));
      }
    }
    this.records.set(key, { ...session, data: { ...session.data } });
    this.noteExpiry(session.expiresAt);
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
    this.noteExpiry(expiresAt);
    return Promise.resolve(true);
  }

  touch(key: string, expiresAt: number): Promise<boolean> {
    const record = this.live(key);
    if (record === undefined) return Promise.resolve(false);
    record.expiresAt = expiresAt;
    this.noteExpiry(expiresAt);
    return Promise.resolve(true);
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
    this.firstExpiry = Infinity;
    for (const [key, record] of this.records) {
      if (record.expiresAt <= now) this.records.delete(key);
      else this.noteExpiry(record.expiresAt);
    }
  }

  /** The record if it has not expired; an expired one is dropped. */
  private live(key: string): StoredSession | undefined {
    const record = this.records.get(key);
    if (record === undefined || record.expiresAt > Date.now()) return record;
    this.records.delete(key);
    return undefined;
  }

  /** Notes that a record now expires at `time`. */
  private noteExpiry(time: number): void {
    this.firstExpiry = Math.min(this.firstExpiry, time);
  }
}
