/**
 * A session as a server-side store keeps it. Values arrive already serialised, one JSON string
 * per key, so a store can save key-level changes without knowing the value format.
 */
export interface StoredSession {
  data: Record<string, string>;
  permanent: boolean;
  /** Absolute expiry, ms since the epoch. A record past it must read as missing. */
  expiresAt: number;
  /** When the session was issued (login or first write), ms since the epoch: the absolute lifetime counts from it. */
  issuedAt: number;
}

/** One request's changes to a stored session (its issuedAt stays). */
export interface SessionPatch {
  /** Drop every stored key before applying `set` (after clear() or a forced save). */
  replace: boolean;
  set: Record<string, string>;
  unset: string[];
  permanent: boolean;
  expiresAt: number;
}

export interface LockOptions {
  /** Longest wait for a lock another request holds, in ms; then SessionLockTimeoutError. */
  waitMs: number;
  /** Longest hold, in ms: a holder that dies cannot block the session for longer. */
  ttlMs: number;
}

/** Frees a lock taken with SessionStore.lock; safe to call twice, and after the lock expired. */
export type ReleaseLock = () => Promise<void>;

/**
 * The contract of a server-side store. Every `key` is a hash of the session id: a store never
 * sees a raw id. Missing, expired and unreadable records all read as `undefined`; a rejected
 * promise means the store itself failed, and the request answers 503.
 *
 * Abstract class rather than interface, so it also serves as a typed DI token.
 */
export abstract class SessionStore {
  /** Short name for logs and /healthz, e.g. `'memory'`. */
  abstract readonly name: string;

  /** The record, or undefined when missing, expired or unreadable (delete and log a garbage record). */
  abstract get(key: string): Promise<StoredSession | undefined>;

  /**
   * Writes a record under a new key (first save, regenerate). `replaces`: on regenerate, the key
   * of the record destroyed right after this one is written; a store with a bound on its size
   * counts the two as one, so a full store still lets a user log in.
   */
  abstract create(key: string, session: StoredSession, replaces?: string): Promise<void>;

  /**
   * Applies key-level changes, only if the record still exists, atomically: two requests that
   * change different keys both survive. Returns false when the record is gone (destroyed by a
   * logout meanwhile): the change is dropped, so a logout cannot be undone.
   */
  abstract update(key: string, patch: SessionPatch): Promise<boolean>;

  /** Moves the expiry of an existing record; false when the record is gone. */
  abstract touch(key: string, expiresAt: number): Promise<boolean>;

  abstract destroy(key: string): Promise<void>;

  /** Takes the per-session lock for a read-modify-write request. */
  abstract lock(key: string, options: LockOptions): Promise<ReleaseLock>;

  /** Rejects when the store cannot be reached (for health checks). */
  ping(): Promise<void> {
    return Promise.resolve();
  }

  /** Stops timers and closes what the store opened (not a client the user passed in). */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
