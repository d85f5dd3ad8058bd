import type { SessionCookieLines } from '../cookie/cookie-header.js';
import type { SessionDiagnostics } from '../session.diagnostics.js';
import type { ResolvedSessionOptions } from '../session-options.js';
import { CookieStore } from '../stores/cookie-store.js';
import { CookieStrategy } from './cookie-strategy.js';
import { ServerStrategy } from './server-strategy.js';
import type { SessionStrategy } from './session-strategy.js';

/** The cookie store keeps the whole session in the cookie; every other store on the server. */
export function strategyForStore(
  options: ResolvedSessionOptions,
  diagnostics: SessionDiagnostics,
  cookieLines: SessionCookieLines,
): SessionStrategy {
  const { store } = options;
  return store instanceof CookieStore
    ? new CookieStrategy(store, options, diagnostics, cookieLines)
    : new ServerStrategy(store, options, diagnostics);
}
