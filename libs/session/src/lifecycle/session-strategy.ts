import type { ResolvedSessionOptions } from '../session-options.js';
import type { RequestSession } from '../session.js';
import type { ReleaseLock } from '../stores/session-store.js';
import { idleRefreshDue } from './session-lifetime.js';

/** What commit decided the response must carry. */
export type CookieAction =
  { kind: 'none' } | { kind: 'set'; value: string; permanent: boolean } | { kind: 'expire' };

export const NO_COOKIE: CookieAction = { kind: 'none' };

/** The session cookie's values in the request: usually one; several when the name repeats. */
export type SessionToken = string | string[] | undefined;

/**
 * How a kind of store loads a session before the handler and commits it after. The cookie store
 * works synchronously; server-side stores return promises. Neither touches HTTP headers: the
 * middleware turns a CookieAction into them.
 */
export interface SessionStrategy {
  readonly storeName: string;
  load(token: SessionToken, nowMs: number): RequestSession | Promise<RequestSession>;
  commit(session: RequestSession, nowMs: number): CookieAction | Promise<CookieAction>;
  /**
   * Saves a new session issued at `issuedAtMs` whose cookie is signed at `nowMs`, and returns
   * the cookie's value (the test kit's cookies, `nestjs-flask-session/testing`).
   */
  issue(session: RequestSession, issuedAtMs: number, nowMs: number): string | Promise<string>;
  /** Takes the per-session lock and reloads the session under it (read-modify-write routes). */
  lock(session: RequestSession): Promise<ReleaseLock | undefined>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Flask's rule for when the cookie goes out: the session changed, or it is permanent and
 * refreshEachRequest slides it forward; and ours: the idle deadline is due to move. Returns
 * 'expire' for a session that became empty.
 */
export function cookieDecision(
  session: RequestSession,
  options: ResolvedSessionOptions,
  nowMs: number,
): 'none' | 'save' | 'refresh' | 'expire' {
  if (session.destroyed) return session.isNew && session.id === undefined ? 'none' : 'expire';
  if (session.modified) {
    if (session.isEmpty) return session.isNew ? 'none' : 'expire';
    return 'save';
  }
  if (session.isNew) return 'none';
  if (session.permanent && options.refreshEachRequest) return 'refresh';
  return idleRefreshDue(session.signedAt ?? 0, nowMs, options) ? 'refresh' : 'none';
}
