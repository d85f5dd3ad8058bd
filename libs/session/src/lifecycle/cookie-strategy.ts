import type { SessionCookieLines } from '../cookie/cookie-header.js';
import { CookiePayloadCodec, type DecodedCookie } from '../cookie/cookie-payload.js';
import { MAX_COOKIE_BYTES } from '../session.constants.js';
import type { SessionDiagnostics } from '../session.diagnostics.js';
import { SessionTooLargeError } from '../session.errors.js';
import { largestKeys } from '../session-json.js';
import type { ResolvedSessionOptions } from '../session-options.js';
import { RequestSession } from '../session.js';
import type { CookieStore } from '../stores/cookie-store.js';
import { cookieMaxAge, withinAbsoluteLifetime } from './session-lifetime.js';
import {
  type CookieAction,
  NO_COOKIE,
  type SessionStrategy,
  type SessionToken,
  cookieDecision,
} from './session-strategy.js';

/** The whole session in the signed cookie: nothing on the server. */
export class CookieStrategy implements SessionStrategy {
  readonly storeName: string;
  private readonly codec: CookiePayloadCodec;
  /** The oldest a cookie may be since it was signed (cookieMaxAge). */
  private readonly maxAge: number;

  constructor(
    store: CookieStore,
    private readonly options: ResolvedSessionOptions,
    private readonly diagnostics: SessionDiagnostics,
    /** The module's Set-Cookie lines: their length decides whether a session fits. */
    private readonly lines: SessionCookieLines,
  ) {
    this.storeName = store.name;
    this.codec = new CookiePayloadCodec(options.secrets, store.encrypt);
    this.maxAge = cookieMaxAge(options);
  }

  load(token: SessionToken, nowMs: number): RequestSession {
    const decoded = this.firstValid(token, nowMs);
    if (decoded === undefined) return new RequestSession(true, undefined);
    const session = new RequestSession(false, decoded);
    session.source = decoded.body;
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
        const value = this.codec.resign(body, nowMs);
        return { kind: 'set', value, permanent: session.permanent };
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
  private firstValid(token: SessionToken, nowMs: number): DecodedCookie | undefined {
    if (token === undefined) return undefined;
    if (typeof token === 'string') return this.valid(token, nowMs);
    for (const value of token) {
      const decoded = this.valid(value, nowMs);
      if (decoded !== undefined) return decoded;
    }
    return undefined;
  }

  /** A cookie value as a session, if its signature, its age and its issue time allow. */
  private valid(token: string, nowMs: number): DecodedCookie | undefined {
    const decoded = this.codec.decode(token, this.maxAge, nowMs);
    if (!decoded.ok) {
      if (decoded.reason === 'bad-signature') this.diagnostics.badSignature();
      return undefined;
    }
    return withinAbsoluteLifetime(decoded.session.issuedAt, nowMs, this.options)
      ? decoded.session
      : undefined;
  }

  private save(session: RequestSession, nowMs: number): CookieAction & { kind: 'set' } {
    const data = session.snapshotData();
    // regenerate() (login) issues a new session: the absolute lifetime starts again.
    const issuedAt = session.regenerated ? nowMs : (session.issuedAt ?? nowMs);
    const value = this.codec.encode(data, session.permanent, nowMs, issuedAt, session.mayHoldDates);
    const bytes = this.lines.longest(value.length);
    if (bytes > MAX_COOKIE_BYTES) throw new SessionTooLargeError(bytes, largestKeys(data));
    return { kind: 'set', value, permanent: session.permanent };
  }
}
