import type { SessionCookieLines } from '../cookie/cookie-header.js';
import { CookiePayloadCodec } from '../cookie/cookie-payload.js';
import type { SessionDiagnostics } from '../session.diagnostics.js';
import type { ResolvedSessionOptions } from '../session-options.js';
import type { RequestSession } from '../session.js';
import type { CookieStore } from '../stores/cookie-store.js';
import { ClientCookieStrategy, type OpenedCookie } from './client-cookie-strategy.js';
import { withinAbsoluteLifetime } from './session-lifetime.js';

/** The whole session in the module's own signed cookie (see cookie-payload.ts). */
export class CookieStrategy extends ClientCookieStrategy {
  private readonly codec: CookiePayloadCodec;

  constructor(
    store: CookieStore,
    options: ResolvedSessionOptions,
    diagnostics: SessionDiagnostics,
    lines: SessionCookieLines,
  ) {
    super(store.name, options, diagnostics, lines);
    this.codec = new CookiePayloadCodec(options.secrets, store.encrypt);
  }

  /** A cookie value as a session, if its signature, its age and its issue time allow. */
  protected open(token: string, nowMs: number): OpenedCookie | undefined {
    const decoded = this.codec.decode(token, this.maxAge, nowMs);
    if (!decoded.ok) {
      if (decoded.reason === 'bad-signature') this.diagnostics.badSignature();
      return undefined;
    }
    return withinAbsoluteLifetime(decoded.session.issuedAt, nowMs, this.options)
      ? decoded.session
      : undefined;
  }

  protected seal(session: RequestSession, nowMs: number): string {
    // regenerate() (login) issues a new session: the absolute lifetime starts again.
    const issuedAt = session.regenerated ? nowMs : (session.issuedAt ?? nowMs);
    return this.codec.encode(
      session.snapshotData(),
      session.permanent,
      nowMs,
      issuedAt,
      session.mayHoldDates,
    );
  }

  protected resign(body: string, nowMs: number): string {
    return this.codec.resign(body, nowMs);
  }
}
