import type { SessionCookieLines } from '../cookie/cookie-header.js';
import { MAX_COOKIE_BYTES } from '../session.constants.js';
import type { SessionDiagnostics } from '../session.diagnostics.js';
import { SessionTooLargeError } from '../session.errors.js';
import { largestKeys } from '../session-json.js';
import type { ResolvedSessionOptions } from '../session-options.js';
import { type LoadedSessionState, RequestSession } from '../session.js';
import { cookieMaxAge } from './session-lifetime.js';
import {
  type CookieAction,
  NO_COOKIE,
  type SessionStrategy,
  type SessionToken,
  cookieDecision,
} from './session-strategy.js';

/** A session read from its cookie, and its packed body when re-signing it is enough to refresh it. */
export type OpenedCookie = LoadedSessionState & { body: string | undefined };

/**
 * The whole session in the signed cookie, nothing on the server: what the module's own cookie
 * format (CookieStrategy) and Flask's (FlaskCookieStrategy) share. A format says how a value is
 * opened, sealed and re-signed; the rest (the first valid of repeated cookies, Flask's rule for
 * when the cookie goes out, the 4 KB check) is here.
 */
export abstract class ClientCookieStrategy implements SessionStrategy {
  /** The oldest a cookie may be since it was signed (cookieMaxAge). */
  protected readonly maxAge: number;

  constructor(
    readonly storeName: string,
    protected readonly options: ResolvedSessionOptions,
    protected readonly diagnostics: SessionDiagnostics,
    /** The module's Set-Cookie lines: their length decides whether a session fits. */
    private readonly lines: SessionCookieLines,
  ) {
    this.maxAge = cookieMaxAge(options);
  }

  /** The session in a cookie value, if its signature, its age and its content allow. */
  protected abstract open(token: string, nowMs: number): OpenedCookie | undefined;
  /** A session as a signed cookie value. */
  protected abstract seal(session: RequestSession, nowMs: number): string;
  /** A packed body (OpenedCookie.body) signed again at `nowMs`: a refresh without changes. */
  protected abstract resign(body: string, nowMs: number): string;

  load(token: SessionToken, nowMs: number): RequestSession {
    const opened = this.firstValid(token, nowMs);
    if (opened === undefined) return new RequestSession(true, undefined);
    const session = new RequestSession(false, opened);
    session.source = opened.body;
    return session;
  }

  commit(session: RequestSession, nowMs: number): CookieAction {
    switch (cookieDecision(session, this.options, nowMs)) {
      case 'none':
        return NO_COOKIE;
      case 'expire':
        return { kind: 'expire' };
      case 'refresh': {
        const body = session.source;
        if (body === undefined) return this.save(session, nowMs);
        return { kind: 'set', value: this.resign(body, nowMs), permanent: session.permanent };
      }
      case 'save':
        return this.save(session, nowMs);
    }
  }

  issue(session: RequestSession, issuedAtMs: number, nowMs: number): string {
    session.issuedAt = issuedAtMs;
    return this.save(session, nowMs).value;
  }

  lock(): Promise<undefined> {
    // Nothing to lock: a cookie session has no shared record. Concurrent requests each carry their own copy.
    return Promise.resolve(undefined);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * The first of the request's session cookies that is valid: a planted duplicate of the name
   * (a sibling subdomain's) cannot shadow the real one.
   */
  private firstValid(token: SessionToken, nowMs: number): OpenedCookie | undefined {
    if (token === undefined) return undefined;
    if (typeof token === 'string') return this.open(token, nowMs);
    for (const value of token) {
      const opened = this.open(value, nowMs);
      if (opened !== undefined) return opened;
    }
    return undefined;
  }

  private save(session: RequestSession, nowMs: number): CookieAction & { kind: 'set' } {
    const value = this.seal(session, nowMs);
    const bytes = this.lines.longest(value.length);
    if (bytes > MAX_COOKIE_BYTES)
      throw new SessionTooLargeError(bytes, largestKeys(session.snapshotData()));
    return { kind: 'set', value, permanent: session.permanent };
  }
}
