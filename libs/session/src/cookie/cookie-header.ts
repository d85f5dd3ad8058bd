import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { ResolvedCookieOptions } from '../session-options.js';

/** The session cookie's value from the Cookie header, by its exact name; the first one wins. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  // Most requests without a session skip the parser entirely.
  if (header === undefined || !header.includes(name)) return undefined;
  const value = parseCookie(header)[name];
  return value === '' ? undefined : value;
}

/** The Set-Cookie line for the session cookie. `maxAgeMs` undefined: a browser-session cookie. */
export function sessionSetCookie(
  options: ResolvedCookieOptions,
  value: string,
  secure: boolean,
  maxAgeMs: number | undefined,
): string {
  return stringifySetCookie(options.name, value, {
    path: options.path,
    domain: options.domain,
    httpOnly: options.httpOnly,
    secure,
    sameSite: options.sameSite === false ? undefined : options.sameSite,
    maxAge: maxAgeMs === undefined ? undefined : Math.floor(maxAgeMs / 1000),
  });
}

/** The Set-Cookie line that removes the session cookie. */
export function expiredSetCookie(options: ResolvedCookieOptions, secure: boolean): string {
  return stringifySetCookie(options.name, '', {
    path: options.path,
    domain: options.domain,
    httpOnly: options.httpOnly,
    secure,
    sameSite: options.sameSite === false ? undefined : options.sameSite,
    expires: new Date(0),
    maxAge: 0,
  });
}

/** Adds a Set-Cookie line, keeping the ones the app set itself. */
export function appendSetCookie(res: ServerResponse, line: string): void {
  const existing = res.getHeader('set-cookie');
  if (existing === undefined) res.setHeader('set-cookie', line);
  else
    res.setHeader(
      'set-cookie',
      Array.isArray(existing) ? [...existing, line] : [String(existing), line],
    );
}

/** Adds `Cookie` to Vary unless it is there (or Vary is `*`). */
export function varyOnCookie(res: ServerResponse): void {
  const vary = res.getHeader('vary');
  if (vary === undefined) {
    res.setHeader('vary', 'Cookie');
    return;
  }
  const current = Array.isArray(vary) ? vary.join(', ') : String(vary);
  if (current.trim() === '*' || /(^|,)\s*cookie\s*(,|$)/i.test(current)) return;
  res.setHeader('vary', `${current}, Cookie`);
}

/** Whether the request came over HTTPS (behind a trusted proxy: X-Forwarded-Proto). */
export function isHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted === true) return true;
  if (!trustProxy) return false;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0].trim().toLowerCase();
  return first === 'https';
}
