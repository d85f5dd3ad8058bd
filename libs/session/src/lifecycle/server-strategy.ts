import { deriveKeys } from '../cookie/keys.js';
import { TimedSigner } from '../cookie/timed-signer.js';
import type { SessionDiagnostics } from '../session.diagnostics.js';
import {
  SessionLockTimeoutError,
  SessionStoreError,
  SessionTooLargeError,
} from '../session.errors.js';
import { fromSessionJson, holdsDates, largestKeys, toSessionJson } from '../session-json.js';
import type { ResolvedSessionOptions } from '../session-options.js';
import { type LoadedSessionState, RequestSession } from '../session.js';
import type { ReleaseLock, SessionStore, StoredSession } from '../stores/session-store.js';
import { isSessionId, newSessionId, storeKey } from './session-id.js';
import { cookieMaxAge, recordExpiry, withinAbsoluteLifetime } from './session-lifetime.js';
import {
  type CookieAction,
  NO_COOKIE,
  type SessionStrategy,
  type SessionToken,
  cookieDecision,
} from './session-strategy.js';

/** A session id from a cookie whose signature and age were checked. */
interface VerifiedId {
  id: string;
  signedAt: number;
}

/** Longest a read-modify-write route waits for the per-session lock, and holds it. */
const LOCK_WAIT_MS = 5000;
const LOCK_TTL_MS = 10_000;

/**
 * Data in a server-side store; the cookie carries only the signed session id. The id is checked
 * (signature, age) before any store lookup, an unknown id is never adopted, and a request that
 * writes nothing creates no record.
 */
export class ServerStrategy implements SessionStrategy {
  readonly storeName: string;
  private readonly signer: TimedSigner;
  /** The oldest a cookie may be since it was signed (cookieMaxAge). */
  private readonly maxAge: number;

  constructor(
    private readonly store: SessionStore,
    private readonly options: ResolvedSessionOptions,
    private readonly diagnostics: SessionDiagnostics,
  ) {
    this.storeName = store.name;
    this.signer = new TimedSigner(deriveKeys(options.secrets, 'session-id-signing'));
    this.maxAge = cookieMaxAge(options);
  }

  load(token: SessionToken, nowMs: number): RequestSession | Promise<RequestSession> {
    if (Array.isArray(token)) return this.loadFirstLive(token, nowMs);
    const verified = token === undefined ? undefined : this.verifyId(token, nowMs);
    if (verified === undefined) return new RequestSession(true, undefined);
    return this.loadVerified(verified, nowMs);
  }

  async commit(session: RequestSession, nowMs: number): Promise<CookieAction> {
    const key = session.id === undefined ? undefined : storeKey(session.id);
    switch (cookieDecision(session, this.options, nowMs)) {
      case 'none':
        return NO_COOKIE;
      case 'expire':
        if (key !== undefined) await this.call('destroy', this.store.destroy(key));
        return { kind: 'expire' };
      case 'refresh': {
        const touched = this.store.touch(key as string, this.expiryOf(session, nowMs));
        if (!(await this.call('touch', touched))) return { kind: 'expire' };
        return this.cookieFor(session, nowMs);
      }
      case 'save':
        break;
    }
    if (key === undefined || session.regenerated) {
      // A new record under a new id, newly issued: first save, or regenerate() (fixation
      // defence at login; the absolute lifetime starts again).
      await this.create(session, nowMs, nowMs, key);
      if (key !== undefined) await this.call('destroy', this.store.destroy(key));
      return this.cookieFor(session, nowMs);
    }
    const changes = session.changes();
    const set: Record<string, string> = {};
    for (const [k, v] of changes.set) set[k] = toSessionJson(v, session.mayHoldDates);
    this.assertFits(session, set);
    const patch = {
      replace: changes.replace,
      set,
      unset: changes.unset,
      permanent: session.permanent,
      expiresAt: this.expiryOf(session, nowMs),
    };
    // Only if the record still exists: a logout that happened meanwhile wins.
    if (!(await this.call('update', this.store.update(key, patch)))) return { kind: 'expire' };
    return this.cookieFor(session, nowMs);
  }

  async issue(session: RequestSession, issuedAtMs: number, nowMs: number): Promise<string> {
    await this.create(session, issuedAtMs, nowMs, undefined);
    return this.signId(session.id as string, nowMs);
  }

  /** A cookie value naming `id`, signed at `nowMs`, whether or not a record has that id. */
  signId(id: string, nowMs: number): string {
    return this.signer.sign(id, nowMs);
  }

  async lock(session: RequestSession): Promise<ReleaseLock | undefined> {
    if (session.id === undefined) return undefined;
    const key = storeKey(session.id);
    // Bounded even if the store hangs: the lock's own wait plus one store timeout.
    const release = await this.call(
      'lock',
      this.store.lock(key, { waitMs: LOCK_WAIT_MS, ttlMs: LOCK_TTL_MS }),
      LOCK_WAIT_MS + this.options.storeTimeout,
    );
    try {
      // Read again under the lock: the data loaded before it may be stale by now.
      const record = await this.call('get', this.store.get(key));
      session.reset(this.stateOf(session.id, record, Date.now()));
      return release;
    } catch (error) {
      await release().catch(() => undefined); // the lock expires by itself; the first error matters
      throw error;
    }
  }

  ping(): Promise<void> {
    return this.call('ping', this.store.ping());
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private loadVerified({ id, signedAt }: VerifiedId, nowMs: number): Promise<RequestSession> {
    return this.call('get', this.store.get(storeKey(id))).then((record) => {
      const state = this.stateOf(id, record, nowMs);
      if (state !== undefined) state.signedAt = signedAt;
      return new RequestSession(state === undefined, state);
    });
  }

  /**
   * The session cookie's name came more than once (one may be planted from a sibling subdomain):
   * the first whose id verifies and still has a live record. A validly signed id of a session
   * that ended (anyone can make one by logging out) must not hide the real one.
   */
  private async loadFirstLive(tokens: string[], nowMs: number): Promise<RequestSession> {
    for (const token of tokens) {
      const verified = this.verifyId(token, nowMs);
      if (verified === undefined) continue;
      const session = await this.loadVerified(verified, nowMs);
      if (!session.isNew) return session;
    }
    return new RequestSession(true, undefined);
  }

  /** When a loaded session's record may be dropped if nothing refreshes it again. */
  private expiryOf(session: RequestSession, nowMs: number): number {
    return recordExpiry(session.issuedAt ?? nowMs, nowMs, this.options);
  }

  /** The id in a cookie value, if its signature and age allow. */
  private verifyId(token: string, nowMs: number): VerifiedId | undefined {
    const verified = this.signer.unsign(token, this.maxAge, nowMs);
    if (!verified.ok) {
      if (verified.reason === 'bad-signature') this.diagnostics.badSignature();
      return undefined;
    }
    return isSessionId(verified.value)
      ? { id: verified.value, signedAt: verified.signedAt }
      : undefined;
  }

  /**
   * The session would take more than maxSessionBytes as stored JSON: refuse it like a cookie
   * too large (keys this request does not change count at their stored size).
   */
  private assertFits(session: RequestSession, set: Record<string, string>): void {
    const bytes = session.storedBytes(set);
    const { maxSessionBytes } = this.options;
    if (bytes <= maxSessionBytes) return;
    throw new SessionTooLargeError(bytes, largestKeys(session.snapshotData()), {
      maxSessionBytes,
      store: this.storeName,
    });
  }

  /**
   * The record as session state; undefined (a new session) when missing, unreadable, or past
   * its absolute lifetime.
   */
  private stateOf(
    id: string,
    record: StoredSession | undefined,
    nowMs: number,
  ): LoadedSessionState | undefined {
    // Unknown or expired id: a new session; the client's id is never adopted.
    if (record === undefined || !withinAbsoluteLifetime(record.issuedAt, nowMs, this.options))
      return undefined;
    const data: Record<string, unknown> = {};
    try {
      for (const key of Object.keys(record.data)) {
        if (key !== '__proto__') data[key] = fromSessionJson(record.data[key]);
      }
    } catch (error) {
      this.diagnostics.error(
        `Unreadable session record in the ${this.storeName} store, treated as no session`,
        error,
      );
      void this.store.destroy(storeKey(id)).catch(() => undefined);
      return undefined;
    }
    const mayHoldDates = Object.values(record.data).some(holdsDates);
    return {
      data,
      permanent: record.permanent,
      id,
      original: record.data,
      mayHoldDates,
      issuedAt: record.issuedAt,
    };
  }

  /** Saves the session's data as a new record under a new id (`replaces`: the id it succeeds). */
  private async create(
    session: RequestSession,
    issuedAtMs: number,
    nowMs: number,
    replaces: string | undefined,
  ): Promise<void> {
    const data: Record<string, string> = {};
    for (const [k, v] of session.changes().set) data[k] = toSessionJson(v, session.mayHoldDates);
    this.assertFits(session, data);
    const id = newSessionId();
    const record = {
      data,
      permanent: session.permanent,
      expiresAt: recordExpiry(issuedAtMs, nowMs, this.options),
      issuedAt: issuedAtMs,
    };
    await this.call('create', this.store.create(storeKey(id), record, replaces));
    session.id = id;
    session.issuedAt = issuedAtMs;
  }

  private cookieFor(session: RequestSession, nowMs: number): CookieAction {
    return {
      kind: 'set',
      value: this.signId(session.id as string, nowMs),
      permanent: session.permanent,
    };
  }

  /**
   * Runs a store operation with the per-operation timeout; any failure becomes SessionStoreError
   * (a lock that could not be had in time stays SessionLockTimeoutError).
   */
  private call<T>(
    operation: string,
    promise: Promise<T>,
    timeoutMs = this.options.storeTimeout,
  ): Promise<T> {
    // One promise and one timer per operation (no Promise.race): this runs twice a request.
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return; // a late failure after the timeout was already reported
        settled = true;
        clearTimeout(timer);
        if (error instanceof SessionLockTimeoutError) return reject(error);
        // Logged here, once per failure, whichever path (load, lock, commit, health) hit it.
        this.diagnostics.error(`Session store ${this.storeName} failed (${operation})`, error);
        reject(new SessionStoreError(operation, error));
      };
      const timer = setTimeout(() => fail(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      promise.then((value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      }, fail);
    });
  }
}
