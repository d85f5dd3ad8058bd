import type { SessionCookieLines } from '../cookie/cookie-header.js';
import { decodeFlaskSession, encodeFlaskSession } from '../flask/flask-session-codec.js';
import { ItsdangerousSigner } from '../flask/itsdangerous-signer.js';
import { MAX_COOKIE_BYTES } from '../session.constants.js';
import type { SessionDiagnostics } from '../session.diagnostics.js';
import { SessionTooLargeError } from '../session.errors.js';
import { largestKeys } from '../session-json.js';
import type { ResolvedSessionOptions } from '../session-options.js';
import { type LoadedSessionState, RequestSession } from '../session.js';
import type { FlaskCookieStore } from '../stores/flask-cookie-store.js';
import { cookieMaxAge } from './session-lifetime.js';
import {
  type CookieAction,
  NO_COOKIE,
  type SessionStrategy,
  type SessionToken,
  cookieDecision,
} from './session-strategy.js';

/** A loaded Flask cookie: the session, and its payload for a refresh that only re-signs it. */
interface LoadedFlaskCookie {
  state: LoadedSessionState;
  payload: string;
}

/**
 * The whole session in a cookie of Flask's own format (see FlaskCookieStore). The format has no
 * issue time: loaded sessions have `issuedAt` undefined and the absolute lifetime is not
 * enforced (the options refuse it); the permanent lifetime and the idle timeout are, on the
 * signing time.
 */
export class FlaskCookieStrategy implements SessionStrategy {
  readonly storeName: string;
  private readonly signer: ItsdangerousSigner;
  /** The oldest a cookie may be since it was signed (cookieMaxAge). */
  private readonly maxAge: number;

  constructor(
    store: FlaskCookieStore,
    private readonly options: ResolvedSessionOptions,
    private readonly diagnostics: SessionDiagnostics,
    /** The module's Set-Cookie lines: their length decides whether a session fits. */
    private readonly lines: SessionCookieLines,
  ) {
    this.storeName = store.name;
    this.signer = new ItsdangerousSigner(options.secrets, store.salt);
    this.maxAge = cookieMaxAge(options);
  }

  load(token: SessionToken, nowMs: number): RequestSession {
    const loaded = this.firstValid(token, nowMs);
    if (loaded === undefined) return new RequestSession(true, undefined);
    const session = new RequestSession(false, loaded.state);
    session.source = loaded.payload;
    return session;
  }

  commit(session: RequestSession, nowMs: number): CookieAction {
    switch (cookieDecision(session, this.options, nowMs)) {
      case 'none':
        return NO_COOKIE;
      case 'expire':
        return { kind: 'expire' };
      case 'refresh': {
        // The payload holds no key material: the newest key re-signs it as it is, as Flask would.
        const payload = session.source;
        if (payload === undefined) return this.save(session, nowMs);
        return {
          kind: 'set',
          value: this.signer.sign(payload, nowMs),
          permanent: session.permanent,
        };
      }
      case 'save':
        return this.save(session, nowMs);
    }
  }

  /** `issuedAtMs` is not kept: Flask's format has no place for it. */
  issue(session: RequestSession, _issuedAtMs: number, nowMs: number): string {
    return this.save(session, nowMs).value;
  }

  lock(): Promise<undefined> {
    // Nothing to lock: each request carries its own copy of a cookie session.
    return Promise.resolve(undefined);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The first valid one of the request's session cookies: a planted duplicate cannot shadow it. */
  private firstValid(token: SessionToken, nowMs: number): LoadedFlaskCookie | undefined {
    if (token === undefined) return undefined;
    if (typeof token === 'string') return this.valid(token, nowMs);
    for (const value of token) {
      const loaded = this.valid(value, nowMs);
      if (loaded !== undefined) return loaded;
    }
    return undefined;
  }

  /** A cookie value as a session, if its signature and its age allow and its payload reads. */
  private valid(token: string, nowMs: number): LoadedFlaskCookie | undefined {
    const verified = this.signer.unsign(token, this.maxAge, nowMs);
    if (!verified.ok) {
      if (verified.reason === 'bad-signature') this.diagnostics.badSignature();
      return undefined;
    }
    try {
      const json = this.signer.unpack(verified.payload);
      const { data, permanent } = decodeFlaskSession(json);
      return {
        state: {
          data,
          permanent,
          issuedAt: undefined,
          signedAt: verified.signedAt,
          mayHoldDates: json.includes('" d"'),
        },
        payload: verified.payload,
      };
    } catch {
      // Malformed JSON, tags or compression, or bytes: no session, as Flask treats bad payloads.
      return undefined;
    }
  }

  private save(session: RequestSession, nowMs: number): CookieAction & { kind: 'set' } {
    const data = session.snapshotData();
    const value = this.signer.sign(
      this.signer.pack(encodeFlaskSession(data, session.permanent)),
      nowMs,
    );
    const bytes = this.lines.longest(value.length);
    if (bytes > MAX_COOKIE_BYTES) throw new SessionTooLargeError(bytes, largestKeys(data));
    return { kind: 'set', value, permanent: session.permanent };
  }
}
