import { deriveKeys } from '../cookie/keys.js';
import { TimedSigner } from '../cookie/timed-signer.js';
import type { SessionDiagnostics } from '../session.diagnostics.js';
import { SessionLockTimeoutError, SessionStoreError } from '../session.errors.js';
import { fromSessionJson, holdsDates, toSessionJson } from '../session-json.js';
import type { ResolvedSessionOptions } from '../session-options.js';
import { type LoadedSessionState, RequestSession } from '../session.js';
import type { ReleaseLock, SessionStore, StoredSession } from '../stores/session-store.js';
import { isSessionId, newSessionId, storeKey } from './session-id.js';
import {
  type CookieAction,
  NO_COOKIE,
  type SessionStrategy,
  cookieDecision,
} from './session-strategy.js';

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

  constructor(
    private readonly store: SessionStore,
    private readonly options: ResolvedSessionOptions,
    private readonly diagnostics: SessionDiagnostics,
  ) {
    this.storeName = store.name;
    this.signer = new TimedSigner(deriveKeys(options.secrets, 'session-id-signing'));
  }

  load(token: string | undefined, nowMs: number): RequestSession | Promise<RequestSession> {
    const id = this.verifiedId(token, nowMs);
    if (id === undefined) return new RequestSession(true, undefined);
    return this.call('get', this.store.get(storeKey(id))).then((record) => {
      const state = this.stateOf(id, record);
      return new RequestSession(state === undefined, state);
    });
  }

  async commit(session: RequestSession, nowMs: number): Promise<CookieAction> {
    const expiresAt = nowMs + this.options.permanentLifetime;
    const key = session.id === undefined ? undefined : storeKey(session.id);
    switch (cookieDecision(session, this.options.refreshEachRequest)) {
      case 'none':
        return NO_COOKIE;
      case 'expire':
        if (key !== undefined) await this.call('destroy', this.store.destroy(key));
        return { kind: 'expire' };
      case 'refresh':
        if (!(await this.call('touch', this.store.touch(key as string, expiresAt))))
          return { kind: 'expire' };
        return this.cookieFor(session, nowMs);
      case 'save':
        break;
    }
    if (key === undefined || session.regenerated) {
      // A new record under a new id: first save, or regenerate() (fixation defence at login).
      const data: Record<string, string> = {};
      for (const [k, v] of session.changes().set) data[k] = toSessionJson(v, session.mayHoldDates);
      const id = newSessionId();
      await this.call(
        'create',
        this.store.create(storeKey(id), {
          data,
          permanent: session.permanent,
          expiresAt,
          issuedAt: nowMs,
        }),
      );
      if (key !== undefined) await this.call('destroy', this.store.destroy(key));
      session.id = id;
      return this.cookieFor(session, nowMs);
    }
    const changes = session.changes();
    const set: Record<string, string> = {};
    for (const [k, v] of changes.set) set[k] = toSessionJson(v, session.mayHoldDates);
    const patch = {
      replace: changes.replace,
      set,
      unset: changes.unset,
      permanent: session.permanent,
      expiresAt,
    };
    // Only if the record still exists: a logout that happened meanwhile wins.
    if (!(await this.call('update', this.store.update(key, patch)))) return { kind: 'expire' };
    return this.cookieFor(session, nowMs);
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
      session.reset(this.stateOf(session.id, await this.call('get', this.store.get(key))));
      return release;
    } catch (error) {
      await release();
      throw error;
    }
  }

  ping(): Promise<void> {
    return this.call('ping', this.store.ping());
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private verifiedId(token: string | undefined, nowMs: number): string | undefined {
    if (token === undefined) return undefined;
    const verified = this.signer.unsign(token, this.options.permanentLifetime, nowMs);
    if (!verified.ok) {
      if (verified.reason === 'bad-signature') this.diagnostics.badSignature();
      return undefined;
    }
    return isSessionId(verified.value) ? verified.value : undefined;
  }

  /** The record as session state; undefined (a new session) when missing or unreadable. */
  private stateOf(id: string, record: StoredSession | undefined): LoadedSessionState | undefined {
    // Unknown or expired id: a new session; the client's id is never adopted.
    if (record === undefined) return undefined;
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
    return { data, permanent: record.permanent, id, original: record.data, mayHoldDates };
  }

  private cookieFor(session: RequestSession, nowMs: number): CookieAction {
    return {
      kind: 'set',
      value: this.signer.sign(session.id as string, nowMs),
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
