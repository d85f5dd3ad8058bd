import type { SessionCookieLines } from '../cookie/cookie-header.js';
import type { SessionDiagnostics } from '../session.diagnostics.js';
import type { ResolvedSessionOptions } from '../session-options.js';
import { CookieStore } from '../stores/cookie-store.js';
import { FlaskCookieStore } from '../stores/flask-cookie-store.js';
import { CookieStrategy } from './cookie-strategy.js';
import { FlaskCookieStrategy } from './flask-cookie-strategy.js';
import { ServerStrategy } from './server-strategy.js';
import type { SessionStrategy } from './session-strategy.js';

/**
 * The cookie stores keep the whole session in the cookie (this module's format, or Flask's);
 * every other store on the server.
 */
export function strategyForStore(
  options: ResolvedSessionOptions,
  diagnostics: SessionDiagnostics,
  cookieLines: SessionCookieLines,
): SessionStrategy {
  const { store } = options;
  if (store instanceof CookieStore)
    return new CookieStrategy(store, options, diagnostics, cookieLines);
  if (store instanceof FlaskCookieStore)
    return new FlaskCookieStrategy(store, options, diagnostics, cookieLines);
  return new ServerStrategy(store, options, diagnostics);
}
