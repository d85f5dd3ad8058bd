import type { SessionCookieLines } from '../cookie/cookie-header.js';
import { decodeFlaskSession, encodeFlaskSession } from '../flask/flask-session-codec.js';
import { ItsdangerousSigner } from '../flask/itsdangerous-signer.js';
import type { SessionDiagnostics } from '../session.diagnostics.js';
import type { ResolvedSessionOptions } from '../session-options.js';
import type { RequestSession } from '../session.js';
import type { FlaskCookieStore } from '../stores/flask-cookie-store.js';
import { ClientCookieStrategy, type OpenedCookie } from './client-cookie-strategy.js';

/**
 * The whole session in a cookie of Flask's own format (see FlaskCookieStore). The format has no
 * issue time: loaded sessions have `issuedAt` undefined and the absolute lifetime is not
 * enforced (the options refuse it); the permanent lifetime and the idle timeout are, on the
 * signing time.
 */
export class FlaskCookieStrategy extends ClientCookieStrategy {
  private readonly signer: ItsdangerousSigner;

  constructor(
    store: FlaskCookieStore,
    options: ResolvedSessionOptions,
    diagnostics: SessionDiagnostics,
    lines: SessionCookieLines,
  ) {
    super(store.name, options, diagnostics, lines);
    this.signer = new ItsdangerousSigner(options.secrets, store.salt);
  }

  /** A cookie value as a session, if its signature and its age allow and its payload reads. */
  protected open(token: string, nowMs: number): OpenedCookie | undefined {
    const verified = this.signer.unsign(token, this.maxAge, nowMs);
    if (!verified.ok) {
      if (verified.reason === 'bad-signature') this.diagnostics.badSignature();
      return undefined;
    }
    try {
      const json = this.signer.unpack(verified.payload);
      const { data, permanent } = decodeFlaskSession(json);
      return {
        data,
        permanent,
        issuedAt: undefined,
        signedAt: verified.signedAt,
        mayHoldDates: json.includes('" d"'),
        // The payload holds no key material: the newest key re-signs it as it is, as Flask would.
        body: verified.payload,
      };
    } catch {
      // Malformed JSON, tags or compression, or bytes: no session, as Flask treats bad payloads.
      return undefined;
    }
  }

  /** `session.issuedAt` is not kept: Flask's format has no place for it. */
  protected seal(session: RequestSession, nowMs: number): string {
    const json = encodeFlaskSession(session.snapshotData(), session.permanent);
    return this.signer.sign(this.signer.pack(json), nowMs);
  }

  protected resign(payload: string, nowMs: number): string {
    return this.signer.sign(payload, nowMs);
  }
}
