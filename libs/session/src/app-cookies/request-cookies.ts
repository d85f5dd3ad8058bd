import { parseCookie } from 'cookie';
import { cookieValues } from '../cookie/cookie-header.js';
import { CookieError } from '../session.errors.js';
import {
  type CookieLocation,
  type CookieOptions,
  type OutgoingCookie,
  expiredCookie,
  outgoingCookie,
} from './cookie-options.js';
import type { SignedValues } from './signed-values.js';

/**
 * The request's cookies beside the session, and the ones the response sets: Flask's
 * `request.cookies` and `response.set_cookie`. `@Cookies()` in a handler, `CookiesService`
 * anywhere else.
 */
export interface Cookies {
  /** The request's cookie of that name (percent-decoded), or undefined. The first wins if it repeats. */
  get(name: string): string | undefined;
  /** Every cookie of the request, by name. */
  all(): Record<string, string>;
  /** Sets a cookie on the response (validated now: CookieError, CookieTooLargeError). */
  set(name: string, value: string, options?: CookieOptions): void;
  /** Removes a cookie: give the path and domain (and partitioned) it was set with. */
  delete(name: string, options?: CookieLocation): void;
  /**
   * The value of a cookie set with setSigned(), if its signature holds under one of the module's
   * secrets and it has not expired; undefined for a missing, tampered or expired one.
   */
  getSigned(name: string): string | undefined;
  /** Sets a cookie the client can read but not change; its maxAge / expires bind the server too. */
  setSigned(name: string, value: string, options?: CookieOptions): void;
}

/** What every request's cookies share: the signer and the session cookie's name (reserved). */
export interface CookieJarSettings {
  signed: SignedValues;
  sessionCookieName: string;
}

/** Whether the response can still take headers. */
export interface HeaderWindow {
  readonly gate: 'closed' | 'held' | 'open' | 'failed';
}

export class RequestCookies implements Cookies {
  /** Cookies to set, in order, one per name, path and domain (a later set or delete replaces). */
  outgoing: OutgoingCookie[] | undefined;
  /** Whether the handler read a cookie: the response then varies on Cookie. */
  read = false;
  private parsed: Record<string, string | undefined> | undefined;

  constructor(
    private readonly header: string | undefined,
    private readonly settings: CookieJarSettings,
    private readonly response: HeaderWindow,
  ) {}

  get(name: string): string | undefined {
    const cookies = this.parse();
    return Object.hasOwn(cookies, name) ? cookies[name] : undefined;
  }

  all(): Record<string, string> {
    const all: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.parse()))
      if (value !== undefined) all[name] = value;
    return all;
  }

  set(name: string, value: string, options?: CookieOptions): void {
    this.queue(outgoingCookie(name, value, options, this.settings.sessionCookieName));
  }

  delete(name: string, options?: CookieLocation): void {
    this.queue(expiredCookie(name, options, this.settings.sessionCookieName));
  }

  getSigned(name: string): string | undefined {
    this.read = true;
    // Every value of the name, in order: one planted from a sibling subdomain (sent first, for
    // its longer path) cannot shadow the real one.
    const found = cookieValues(this.header, name);
    if (found === undefined) return undefined;
    const now = Date.now();
    for (const token of typeof found === 'string' ? [found] : found) {
      const value = this.settings.signed.verify(name, token, now);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  setSigned(name: string, value: string, options?: CookieOptions): void {
    // Validated as given first, so an error names what the caller passed.
    const checked = outgoingCookie(name, value, options, this.settings.sessionCookieName);
    const now = Date.now();
    const ends = [
      checked.maxAge === undefined ? undefined : now + checked.maxAge * 1000,
      checked.expires?.getTime(),
    ].filter((t) => t !== undefined);
    const expiresAt = ends.length === 0 ? undefined : Math.min(...ends);
    this.set(name, this.settings.signed.sign(name, value, expiresAt), options);
  }

  private parse(): Record<string, string | undefined> {
    this.read = true;
    return (this.parsed ??= this.header === undefined ? {} : parseCookie(this.header));
  }

  private queue(cookie: OutgoingCookie): void {
    if (this.response.gate !== 'closed') {
      throw new CookieError(
        cookie.name,
        'the response headers were already sent; set cookies before the response starts',
      );
    }
    const list = (this.outgoing ??= []);
    const same = list.findIndex(
      (c) => c.name === cookie.name && c.path === cookie.path && c.domain === cookie.domain,
    );
    if (same >= 0) list.splice(same, 1);
    list.push(cookie);
  }
}
