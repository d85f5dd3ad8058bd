import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringifySetCookie } from 'cookie';
import type { ResolvedCookieOptions } from '../session-options.js';

/**
 * The session cookie's values from the Cookie header, by its exact name: one string, or every
 * one in header order when the name repeats (a cookie planted from a sibling subdomain comes
 * beside the real one; the strategy uses the first that verifies). Empty values are skipped.
 */
export function readCookie(req: IncomingMessage, name: string): string | string[] | undefined {
  return cookieValues(req.headers.cookie, name);
}

/** The values of the cookie `name` in a Cookie header, as readCookie reads them. */
export function cookieValues(
  header: string | undefined,
  name: string,
): string | string[] | undefined {
  // Most requests without a session skip the parser entirely.
  if (header === undefined || !header.includes(name)) return undefined;
  let found: string | string[] | undefined;
  // RFC 6265 section 5.4: `name=value` pairs separated by ";", names compared exactly.
  for (let start = 0; start < header.length;) {
    let end = header.indexOf(';', start);
    if (end < 0) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq > start && eq < end && trimmed(header, start, eq) === name) {
      const value = decodeValue(trimmed(header, eq + 1, end));
      if (value !== '') {
        if (found === undefined) found = value;
        else if (typeof found === 'string') found = [found, value];
        else found.push(value);
      }
    }
    start = end + 1;
  }
  return found;
}

/**
 * header[from, to) without the spaces and tabs around it: only those (RFC 6265's OWS), as the
 * `cookie` package does. String.trim() would also drop a no-break space, so that a cookie named
 * "\u00a0__Host-session", which a sibling subdomain may set (browsers do not treat it as
 * __Host-), would pass for the real one.
 */
function trimmed(header: string, from: number, to: number): string {
  while (from < to && isSpaceOrTab(header.charCodeAt(from))) from++;
  while (to > from && isSpaceOrTab(header.charCodeAt(to - 1))) to--;
  return header.slice(from, to);
}

function isSpaceOrTab(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** As the `cookie` package decodes a value: percent-decoding when it holds a valid escape. */
function decodeValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The Set-Cookie lines of the session cookie. Attributes never change between requests, so they
 * are serialised once (by the `cookie` package, which validates them); a value from our signers
 * is base64url and dots, cookie-safe as it is.
 */
export class SessionCookieLines {
  private readonly prefix: string;
  /** Attribute suffixes by [secure][permanent]. */
  private readonly suffixes: [[string, string], [string, string]];
  private readonly expiredLines: [string, string];

  constructor(options: ResolvedCookieOptions, permanentLifetimeMs: number) {
    const line = (secure: boolean, value: string, lifetime: { maxAge?: number; expires?: Date }) =>
      stringifySetCookie(options.name, value, {
        path: options.path,
        domain: options.domain,
        httpOnly: options.httpOnly,
        secure,
        sameSite: options.sameSite === false ? undefined : options.sameSite,
        ...lifetime,
      });
    const attributes = (secure: boolean, maxAgeMs: number | undefined): string =>
      line(
        secure,
        'v',
        maxAgeMs === undefined ? {} : { maxAge: Math.floor(maxAgeMs / 1000) },
      ).slice(options.name.length + 2);
    const expired = (secure: boolean): string =>
      line(secure, '', { expires: new Date(0), maxAge: 0 });
    this.prefix = `${options.name}=`;
    this.suffixes = [
      [attributes(false, undefined), attributes(false, permanentLifetimeMs)],
      [attributes(true, undefined), attributes(true, permanentLifetimeMs)],
    ];
    this.expiredLines = [expired(false), expired(true)];
  }

  /** The line that sets the cookie: a permanent one carries Max-Age, else it ends with the browser. */
  set(value: string, secure: boolean, permanent: boolean): string {
    return this.prefix + value + this.suffixes[secure ? 1 : 0][permanent ? 1 : 0];
  }

  /** The line that removes the cookie. */
  expire(secure: boolean): string {
    return this.expiredLines[secure ? 1 : 0];
  }

  /** Bytes of the longest line for a value of this length. */
  longest(valueLength: number): number {
    return this.prefix.length + valueLength + this.suffixes[1][1].length;
  }
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
