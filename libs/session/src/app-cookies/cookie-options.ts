import {
  COOKIE_DOMAIN,
  COOKIE_NAME,
  COOKIE_PATH,
  namePrefixProblems,
} from '../cookie/cookie-syntax.js';
import { MAX_COOKIE_BYTES } from '../session.constants.js';
import { CookieError, CookieTooLargeError } from '../session.errors.js';

/** Attributes of a cookie set with `cookies.set()` (Flask's `set_cookie` arguments). */
export interface CookieOptions {
  /**
   * Lifetime in ms, sent as Max-Age in whole seconds (rounded up), at most 400 days (browsers
   * keep no cookie longer). 0 removes the cookie. Default: none, it ends with the browser session.
   */
  maxAge?: number;
  /** When the cookie ends. Default: none. */
  expires?: Date;
  /** Default `'/'`. */
  path?: string;
  /** Default: none (host-only: no sibling subdomain sees it). */
  domain?: string;
  /** `true`, `false`, or `'auto'` (default): Secure when the request came over HTTPS (see trustProxy). */
  secure?: boolean | 'auto';
  /** Default `true`: scripts cannot read it. Set `false` for a value the page's own scripts need. */
  httpOnly?: boolean;
  /** Default `'lax'`. `'none'` needs `secure: true`. */
  sameSite?: 'lax' | 'strict' | 'none' | false;
  /** CHIPS: a cookie kept per top-level site (needs `secure: true`). Default `false`. */
  partitioned?: boolean;
}

/** Where a cookie to delete lives: it must match the path and domain it was set with. */
export type CookieLocation = Pick<CookieOptions, 'path' | 'domain' | 'secure' | 'partitioned'>;

/** A validated cookie, ready to become a Set-Cookie line once the request's scheme is known. */
export interface OutgoingCookie {
  name: string;
  /** Percent-encoded where RFC 6265 needs it: cookie-safe as it is. */
  value: string;
  path: string;
  domain: string | undefined;
  /** Seconds, for Max-Age. */
  maxAge: number | undefined;
  expires: Date | undefined;
  secure: boolean | 'auto';
  httpOnly: boolean;
  sameSite: 'lax' | 'strict' | 'none' | false;
  partitioned: boolean;
}

const KNOWN = new Set([
  'maxAge',
  'expires',
  'path',
  'domain',
  'secure',
  'httpOnly',
  'sameSite',
  'partitioned',
]);
/** RFC 6265bis section 5.6: browsers cap a cookie's lifetime at 400 days. */
const MAX_AGE_MS = 400 * 24 * 3600 * 1000;
const LONE_SURROGATE = /\p{Surrogate}/u;
const SAME_SITE = { lax: 'Lax', strict: 'Strict', none: 'None' } as const;
// RFC 6265 section 4.1.1 cookie-octet: printable ASCII but space, DQUOTE, comma, ";" and "\".
// Anything else (and "%", so decoding gives back what was set) goes percent-encoded.
const UNSAFE_OCTETS = /[^\u0021\u0023-\u002B\u002D-\u003A\u003C-\u005B\u005D-\u007E]|%/gu;

/**
 * Checks a cookie's name, value and options as browsers and RFC 6265 would, and says what is
 * wrong with a CookieError naming the cookie. `reserved` is the session cookie's name, which no
 * other cookie may take.
 */
export function outgoingCookie(
  name: unknown,
  value: unknown,
  options: CookieOptions | undefined,
  reserved: string,
): OutgoingCookie {
  const label = typeof name === 'string' ? name : String(name);
  const refuse = (problem: string): never => {
    throw new CookieError(label, problem);
  };
  if (typeof name !== 'string' || !COOKIE_NAME.test(name))
    refuse("its name must be a token: letters, digits and !#$%&'*+-.^_`|~");
  if (name === reserved)
    refuse("that name is the session cookie's; use the session for its data, or another name");
  if (typeof value !== 'string') refuse(`its value must be a string, got ${typeof value}`);
  if (LONE_SURROGATE.test(value as string))
    refuse('its value holds a lone surrogate, which UTF-8 cannot encode');
  if (options !== undefined && (options === null || typeof options !== 'object'))
    refuse('options must be an object');
  const given = options ?? {};
  for (const key of Object.keys(given))
    if (!KNOWN.has(key)) refuse(`unknown option ${key} (known: ${[...KNOWN].join(', ')})`);
  const { maxAge, expires, domain } = given;
  if (
    maxAge !== undefined &&
    (typeof maxAge !== 'number' || !Number.isFinite(maxAge) || maxAge < 0)
  )
    refuse('maxAge must be a number of milliseconds, 0 or more');
  if ((maxAge as number) > MAX_AGE_MS)
    refuse(`maxAge must be at most 400 days (${MAX_AGE_MS} ms): browsers keep no cookie longer`);
  if (expires !== undefined && (!(expires instanceof Date) || Number.isNaN(expires.getTime())))
    refuse('expires must be a valid Date');
  const path = orDefault(given.path, '/');
  if (typeof path !== 'string' || !COOKIE_PATH.test(path))
    refuse('path must start with "/" and hold no ";" or control characters');
  if (domain !== undefined && (typeof domain !== 'string' || !COOKIE_DOMAIN.test(domain)))
    refuse(
      'domain must be a host name such as "example.com"; leave it unset for a host-only cookie',
    );
  const secure = orDefault(given.secure, 'auto');
  if (secure !== true && secure !== false && secure !== 'auto')
    refuse("secure must be true, false or 'auto'");
  const httpOnly = orDefault(given.httpOnly, true);
  if (typeof httpOnly !== 'boolean') refuse('httpOnly must be true or false');
  const sameSite = orDefault(given.sameSite, 'lax');
  if (sameSite !== false && !Object.hasOwn(SAME_SITE, sameSite))
    refuse("sameSite must be 'lax', 'strict', 'none' or false");
  if (sameSite === 'none' && secure !== true)
    refuse("sameSite 'none' needs secure: true (browsers reject SameSite=None without Secure)");
  const partitioned = orDefault(given.partitioned, false);
  if (typeof partitioned !== 'boolean') refuse('partitioned must be true or false');
  if (partitioned && secure !== true)
    refuse('partitioned needs secure: true (browsers require it)');
  for (const [, problem] of namePrefixProblems(name, { path, domain, secure })) refuse(problem);

  const cookie: OutgoingCookie = {
    name: name as string,
    value: (value as string).replace(UNSAFE_OCTETS, encodeURIComponent),
    path,
    domain,
    maxAge: maxAge === undefined ? undefined : Math.ceil(maxAge / 1000),
    expires,
    secure,
    httpOnly,
    sameSite,
    partitioned,
  };
  const bytes = Buffer.byteLength(setCookieLine(cookie, secure !== false));
  if (bytes > MAX_COOKIE_BYTES) throw new CookieTooLargeError(label, bytes);
  return cookie;
}

/** An option's value, or the default when it is not given; null is a value (and refused), as in the session's own options. */
function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function isPrefixed(name: unknown): boolean {
  return typeof name === 'string' && /^__(secure|host)-/i.test(name);
}

/** The cookie that removes `name` at its path and domain: empty, expired in 1970. */
export function expiredCookie(
  name: unknown,
  location: CookieLocation | undefined,
  reserved: string,
): OutgoingCookie {
  const { path, domain, partitioned } = location ?? {};
  // A __Secure- or __Host- cookie is removed only by a Secure line: the default for those names.
  const secure = location?.secure ?? (isPrefixed(name) ? true : undefined);
  return outgoingCookie(
    name,
    '',
    { path, domain, secure, partitioned, maxAge: 0, expires: new Date(0) },
    reserved,
  );
}

/**
 * The Set-Cookie line. Attributes in the order RFC 6265 lists them; each value was checked by
 * outgoingCookie, so nothing here can break the header.
 */
export function setCookieLine(cookie: OutgoingCookie, secure: boolean): string {
  let line = `${cookie.name}=${cookie.value}; Path=${cookie.path}`;
  if (cookie.domain !== undefined) line += `; Domain=${cookie.domain}`;
  if (cookie.maxAge !== undefined) line += `; Max-Age=${cookie.maxAge}`;
  if (cookie.expires !== undefined) line += `; Expires=${cookie.expires.toUTCString()}`;
  if (secure) line += '; Secure';
  if (cookie.httpOnly) line += '; HttpOnly';
  if (cookie.sameSite !== false) line += `; SameSite=${SAME_SITE[cookie.sameSite]}`;
  if (cookie.partitioned) line += '; Partitioned';
  return line;
}
