import type { SessionCookieLines } from '../cookie/cookie-header.js';
import { CookiePayloadCodec } from '../cookie/cookie-payload.js';
import { MAX_COOKIE_BYTES } from '../session.constants.js';
import type { SessionDiagnostics } from '../session.diagnostics.js';
import { SessionTooLargeError } from '../session.errors.js';
import { toSessionJson } from '../session-json.js';
import type { ResolvedSessionOptions } from '../session-options.js';
import { RequestSession } from '../session.js';
import type { CookieStore } from '../stores/cookie-store.js';
import {
  type CookieAction,
  NO_COOKIE,
  type SessionStrategy,
  cookieDecision,
} from './session-strategy.js';

/** The whole session in the signed cookie: nothing on the server. */
export class CookieStrategy implements SessionStrategy {
  readonly storeName: string;
  private readonly codec: CookiePayloadCodec;

  constructor(
    store: CookieStore,
    private readonly options: ResolvedSessionOptions,
    private readonly diagnostics: SessionDiagnostics,
    /** The module's Set-Cookie lines: their length decides whether a session fits. */
    private readonly lines: SessionCookieLines,
  ) {
    this.storeName = store.name;
    this.codec = new CookiePayloadCodec(options.secrets, store.encrypt);
  }

  load(token: string | undefined, nowMs: number): RequestSession {
    if (token === undefined) return new RequestSession(true, undefined);
    const decoded = this.codec.decode(token, this.options.permanentLifetime, nowMs);
    if (!decoded.ok) {
      if (decoded.reason === 'bad-signature') this.diagnostics.badSignature();
      return new RequestSession(true, undefined);
    }
    const session = new RequestSession(false, decoded.session);
    session.source = decoded.session.body;
    return session;
  }

  commit(session: RequestSession, nowMs: number): CookieAction {
    switch (cookieDecision(session, this.options.refreshEachRequest)) {
      case 'none':
        return NO_COOKIE;
      case 'expire':
        return { kind: 'expire' };
      case 'refresh': {
        const body = session.source;
        if (body !== undefined)
          return { kind: 'set', value: this.codec.resign(body, nowMs), permanent: true };
        return this.save(session, nowMs);
      }
      case 'save':
        return this.save(session, nowMs);
    }
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

  private save(session: RequestSession, nowMs: number): CookieAction {
    const data = session.snapshotData();
    const value = this.codec.encode(data, session.permanent, nowMs, session.mayHoldDates);
    const bytes = this.lines.longest(value.length);
    if (bytes > MAX_COOKIE_BYTES) throw new SessionTooLargeError(bytes, largestKeys(data));
    return { kind: 'set', value, permanent: session.permanent };
  }
}

function largestKeys(data: Record<string, unknown>): string[] {
  return Object.keys(data)
    .map((key) => ({ key, size: toSessionJson(data[key]).length }))
    .sort((a, b) => b.size - a.size)
    .slice(0, 3)
    .map(({ key, size }) => `${key} (${size} bytes)`);
}
