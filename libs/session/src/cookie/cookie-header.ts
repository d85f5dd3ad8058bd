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
