import {
  MIN_SECRET_BYTES,
  DEFAULT_COOKIE_NAME,
  DEFAULT_PERMANENT_LIFETIME_MS,
  DEFAULT_ABSOLUTE_LIFETIME_MS,
  DEFAULT_MAX_SESSION_BYTES,
  DEFAULT_STORE_TIMEOUT_MS,
} from './session.constants.js';
import {
  COOKIE_DOMAIN,
  COOKIE_NAME,
  COOKIE_PATH,
  namePrefixProblems,
} from './cookie/cookie-syntax.js';
import { SessionConfigError } from './session.errors.js';
import {
  type CrossOriginOptions,
  type ResolvedCrossOriginOptions,
  trustedOriginProblem,
} from './cross-origin.js';
import type { Session } from './session.js';
import { CookieStore } from './stores/cookie-store.js';
import { FlaskCookieStore } from './stores/flask-cookie-store.js';
import { SessionStore } from './stores/session-store.js';

/** Attributes of the session cookie. */
export interface SessionCookieOptions {
  /**
   * Cookie name. Default `'session'`. In production prefer `'__Host-session'`: browsers then
   * accept the cookie only with Secure, `Path=/` and no Domain, so no sibling subdomain can
   * plant or overwrite it (the module refuses to boot with other settings for that prefix).
   */
  name?: string;
  /** Default `'/'`. */
  path?: string;
  /** Default: none (host-only cookie, the safer choice: no sibling subdomain sees it). */
  domain?: string;
  /** Default `true`. Security: keep it; scripts then cannot read the cookie. */
  httpOnly?: boolean;
  /**
   * `true`: always Secure; `false`: never; `'auto'` (default): Secure when the request came over
   * HTTPS (behind a proxy, set `trustProxy` so `X-Forwarded-Proto` counts).
   */
  secure?: boolean | 'auto';
  /** Default `'lax'`. `'none'` requires `secure: true` (browsers reject it otherwise). */
  sameSite?: 'lax' | 'strict' | 'none' | false;
}

/** Options of LoggedInGuard. */
export interface LoggedInGuardOptions {
  /** Default: `session.get('logged_in') === true`. */
  isLoggedIn?: (session: Session) => boolean;
  /** Where HTML clients are sent, with `?next=PATH`. Default `'/login'`. */
  loginPath?: string;
}

export interface SessionModuleOptions {
  /**
   * Secret for signing (and encrypting) cookies: at least 32 bytes. An array rotates keys:
   * the first signs, all verify. Security: load it from the environment, never from source.
   */
  secretKey: string | readonly string[];
  /**
   * Where session data lives. Default: `new CookieStore()` (the whole session in a signed cookie).
   * `new FlaskCookieStore()` writes and reads Flask's own session cookie, to share sessions with
   * a Flask app.
   */
  store?: CookieStore | FlaskCookieStore | SessionStore;
  /**
   * Lifetime of a permanent session's cookie, in ms, counted from its last refresh; it also
   * bounds a non-permanent session, counted from its last write. Default 31 days.
   */
  permanentLifetime?: number;
  /**
   * However often it is used or refreshed, a session ends this long after it was issued (its
   * first write, or `regenerate()` at login), on every store, in ms. Default 90 days.
   * Security: this bounds how long a stolen cookie can be replayed.
   */
  absoluteLifetime?: number;
  /**
   * A session that sees no request for this long ends, permanent or not, on every store, in ms.
   * Each request moves the deadline (the cookie is re-sent once a tenth of it has passed, so a
   * session ends between 0.9 and 1 times this after its last request). Default: none.
   */
  idleTimeout?: number;
  /**
   * Server-side stores: the most one session's values may take as JSON, in bytes; a response
   * that would save more fails with 500 and the log names the largest keys. Checked against
   * what the request saw: concurrent requests that each add different keys can together go
   * past it (by at most their own writes), unless the route takes @SessionLock(). Default 65,536.
   */
  maxSessionBytes?: number;
  /** Re-send a permanent session's cookie (and extend its store TTL) on every request. Default `true`. */
  refreshEachRequest?: boolean;
  cookie?: SessionCookieOptions;
  /** Trust `X-Forwarded-Proto` from a proxy in front of the app (for `secure: 'auto'`). Default `false`. */
  trustProxy?: boolean;
  /**
   * Refuse unsafe requests (POST, PUT, PATCH, DELETE...) sent by browsers from other origins
   * with 403, before any handler runs. Default: on, no trusted origins. `false` turns it off.
   * Security: off, any site can make a visitor's browser post forms to the app with its session
   * (CSRF), or log it into an account of the attacker's (login CSRF); SameSite=Lax only stops
   * the first, and not from sibling subdomains.
   */
  crossOrigin?: CrossOriginOptions | false;
  /** Server-side stores: a store operation slower than this fails the request with 503, in ms. Default 2000. */
  storeTimeout?: number;
  /** Defaults of LoggedInGuard. */
  guard?: LoggedInGuardOptions;
  /**
   * Run each request inside AsyncLocalStorage, as SessionService needs. Default: on exactly when
   * some class injects SessionService (found at boot); set true if you reach it another way.
   */
  asyncContext?: boolean;
}

export interface ResolvedCookieOptions {
  name: string;
  path: string;
  domain: string | undefined;
  httpOnly: boolean;
  secure: boolean | 'auto';
  sameSite: 'lax' | 'strict' | 'none' | false;
}

export interface ResolvedSessionOptions {
  secrets: string[];
  store: CookieStore | FlaskCookieStore | SessionStore;
  permanentLifetime: number;
  absoluteLifetime: number;
  idleTimeout: number | undefined;
  maxSessionBytes: number;
  refreshEachRequest: boolean;
  cookie: ResolvedCookieOptions;
  trustProxy: boolean;
  crossOrigin: ResolvedCrossOriginOptions | false;
  storeTimeout: number;
  guard: Required<LoggedInGuardOptions>;
  asyncContext: boolean | undefined;
}

const KNOWN_OPTIONS = new Set([
  'secretKey',
  'store',
  'permanentLifetime',
  'absoluteLifetime',
  'idleTimeout',
  'maxSessionBytes',
  'refreshEachRequest',
  'cookie',
  'trustProxy',
  'crossOrigin',
  'storeTimeout',
  'guard',
  'asyncContext',
]);
const KNOWN_COOKIE_OPTIONS = new Set(['name', 'path', 'domain', 'httpOnly', 'secure', 'sameSite']);
const KNOWN_CROSS_ORIGIN_OPTIONS = new Set(['trustedOrigins']);

const defaultIsLoggedIn = (session: Session): boolean => session.get('logged_in') === true;

/**
 * The one validation path of forRoot and forRootAsync. Collects every problem, then throws one
 * SessionConfigError that says how to fix each. Never echoes a secret.
 */
export function resolveSessionOptions(
  options: SessionModuleOptions | undefined,
): ResolvedSessionOptions {
  const problems: string[] = [];
  if (options === null || typeof options !== 'object') {
    throw new SessionConfigError([
      'options: missing. Pass SessionModule.forRoot({ secretKey: process.env.SESSION_SECRET })',
    ]);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key))
      problems.push(`${key}: unknown option (known: ${[...KNOWN_OPTIONS].join(', ')})`);
  }

  const secrets = checkSecrets(options.secretKey, problems);
  const store = options.store ?? new CookieStore();
  if (
    !(store instanceof CookieStore) &&
    !(store instanceof FlaskCookieStore) &&
    !(store instanceof SessionStore)
  ) {
    problems.push(
      `store: unknown store (${describe(store)}). Use new CookieStore(), new FlaskCookieStore(), new MemoryStore(), ` +
        'new FileStore(...), new RedisStore(...), or a class that extends SessionStore',
    );
  }
  if (store instanceof FlaskCookieStore && options.absoluteLifetime !== undefined) {
    problems.push(
      "absoluteLifetime: Flask's cookie format carries no issue time, so absoluteLifetime cannot be " +
        'enforced with FlaskCookieStore; remove it, and bound sessions with permanentLifetime / ' +
        'idleTimeout, or use CookieStore',
    );
  }
  const permanentLifetime = checkPositiveMs(
    'permanentLifetime',
    options.permanentLifetime,
    DEFAULT_PERMANENT_LIFETIME_MS,
    problems,
  );
  const absoluteLifetime = checkPositiveMs(
    'absoluteLifetime',
    options.absoluteLifetime,
    DEFAULT_ABSOLUTE_LIFETIME_MS,
    problems,
  );
  const idleTimeout =
    options.idleTimeout === undefined
      ? undefined
      : checkPositiveMs('idleTimeout', options.idleTimeout, 0, problems);
  const maxSessionBytes = checkPositiveInteger(
    'maxSessionBytes',
    options.maxSessionBytes,
    DEFAULT_MAX_SESSION_BYTES,
    problems,
  );
  const storeTimeout = checkPositiveMs(
    'storeTimeout',
    options.storeTimeout,
    DEFAULT_STORE_TIMEOUT_MS,
    problems,
  );
  const refreshEachRequest = checkBoolean(
    'refreshEachRequest',
    options.refreshEachRequest,
    true,
    problems,
  );
  const trustProxy = checkBoolean('trustProxy', options.trustProxy, false, problems);
  const crossOrigin = checkCrossOrigin(options.crossOrigin, problems);
  const cookie = checkCookie(options.cookie ?? {}, problems);
  const guard = checkGuard(options.guard ?? {}, problems);
  const asyncContext =
    options.asyncContext === undefined
      ? undefined
      : checkBoolean('asyncContext', options.asyncContext, false, problems);

  if (problems.length > 0) throw new SessionConfigError(problems);
  return {
    secrets,
    store,
    permanentLifetime,
    absoluteLifetime,
    idleTimeout,
    maxSessionBytes,
    refreshEachRequest,
    cookie,
    trustProxy,
    crossOrigin,
    storeTimeout,
    guard,
    asyncContext,
  };
}

function checkSecrets(secretKey: unknown, problems: string[]): string[] {
  const hint = `use a random string of at least ${MIN_SECRET_BYTES} bytes, e.g. the output of \`openssl rand -base64 32\`, from the environment`;
  if (secretKey === undefined || secretKey === null || secretKey === '') {
    problems.push(`secretKey: missing; ${hint}`);
    return [];
  }
  const list: unknown[] = Array.isArray(secretKey) ? secretKey : [secretKey];
  if (list.length === 0) problems.push(`secretKey: empty array; ${hint}`);
  list.forEach((secret, i) => {
    const where = Array.isArray(secretKey) ? `secretKey[${i}]` : 'secretKey';
    if (typeof secret !== 'string')
      problems.push(`${where}: must be a string, got ${typeof secret}`);
    else if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      problems.push(
        `${where}: too short (${Buffer.byteLength(secret)} bytes, at least ${MIN_SECRET_BYTES} needed); ${hint}`,
      );
    }
  });
  return list.filter((s): s is string => typeof s === 'string');
}

/** A positive number of milliseconds (floored), or the fallback when unset. */
function checkPositiveMs(
  name: string,
  value: unknown,
  fallback: number,
  problems: string[],
): number {
  return Math.floor(checkPositive(name, value, fallback, problems, 'ms'));
}

/** A positive whole number, or the fallback when unset. */
function checkPositiveInteger(
  name: string,
  value: unknown,
  fallback: number,
  problems: string[],
): number {
  return checkPositive(name, value, fallback, problems, 'integer');
}

function checkPositive(
  name: string,
  value: unknown,
  fallback: number,
  problems: string[],
  kind: 'ms' | 'integer',
): number {
  if (value === undefined) return fallback;
  const valid =
    typeof value === 'number' &&
    value > 0 &&
    (kind === 'ms' ? Number.isFinite(value) : Number.isInteger(value));
  if (valid) return value;
  const expected = kind === 'ms' ? 'a positive number of milliseconds' : 'a positive whole number';
  problems.push(`${name}: must be ${expected}, got ${describe(value)}`);
  return fallback;
}

function checkBoolean(
  name: string,
  value: unknown,
  fallback: boolean,
  problems: string[],
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    problems.push(`${name}: must be true or false, got ${describe(value)}`);
  return value === true;
}

function checkCookie(cookie: SessionCookieOptions, problems: string[]): ResolvedCookieOptions {
  for (const key of Object.keys(cookie)) {
    if (!KNOWN_COOKIE_OPTIONS.has(key))
      problems.push(
        `cookie.${key}: unknown option (known: ${[...KNOWN_COOKIE_OPTIONS].join(', ')})`,
      );
  }
  const name = cookie.name ?? DEFAULT_COOKIE_NAME;
  if (typeof name !== 'string' || !COOKIE_NAME.test(name)) {
    problems.push(
      'cookie.name: must be a cookie token (letters, digits and !#$%&\'*+-.^_`|~), e.g. "session"',
    );
  }
  const path = cookie.path ?? '/';
  if (typeof path !== 'string' || !COOKIE_PATH.test(path))
    problems.push('cookie.path: must start with "/" and hold no ";" or control characters');
  const domain = cookie.domain;
  if (domain !== undefined && (typeof domain !== 'string' || !COOKIE_DOMAIN.test(domain))) {
    problems.push(
      'cookie.domain: must be a host name such as "example.com"; leave it unset for a host-only cookie',
    );
  }
  const httpOnly = checkBoolean('cookie.httpOnly', cookie.httpOnly, true, problems);
  const secure = cookie.secure ?? 'auto';
  if (secure !== true && secure !== false && secure !== 'auto')
    problems.push(`cookie.secure: must be true, false or 'auto', got ${describe(secure)}`);
  const sameSite = cookie.sameSite ?? 'lax';
  if (!['lax', 'strict', 'none', false].includes(sameSite)) {
    problems.push(
      `cookie.sameSite: must be 'lax', 'strict', 'none' or false, got ${describe(sameSite)}`,
    );
  } else if (sameSite === 'none' && secure !== true) {
    problems.push(
      "cookie.sameSite: 'none' needs cookie.secure: true (browsers reject SameSite=None without Secure); use 'lax' or set secure: true and serve over HTTPS",
    );
  }
  for (const [attribute, problem] of namePrefixProblems(name, { path, domain, secure }, 'cookie.'))
    problems.push(`cookie.${attribute}: ${problem}`);
  return { name, path, domain, httpOnly, secure, sameSite };
}

function checkCrossOrigin(
  crossOrigin: unknown,
  problems: string[],
): ResolvedCrossOriginOptions | false {
  if (crossOrigin === false) return false;
  if (crossOrigin === undefined) return { trustedOrigins: new Set() };
  if (crossOrigin === null || typeof crossOrigin !== 'object' || Array.isArray(crossOrigin)) {
    problems.push(
      "crossOrigin: must be an object such as { trustedOrigins: ['https://app.example.com'] }, " +
        `or false to turn the protection off, got ${describe(crossOrigin)}`,
    );
    return { trustedOrigins: new Set() };
  }
  for (const key of Object.keys(crossOrigin)) {
    if (!KNOWN_CROSS_ORIGIN_OPTIONS.has(key))
      problems.push(
        `crossOrigin.${key}: unknown option (known: ${[...KNOWN_CROSS_ORIGIN_OPTIONS].join(', ')})`,
      );
  }
  const trusted = (crossOrigin as CrossOriginOptions).trustedOrigins ?? [];
  if (!Array.isArray(trusted)) {
    problems.push(
      `crossOrigin.trustedOrigins: must be an array of origins such as ['https://app.example.com'], got ${describe(trusted)}`,
    );
    return { trustedOrigins: new Set() };
  }
  trusted.forEach((origin: unknown, i) => {
    const problem = trustedOriginProblem(origin);
    if (problem !== undefined) problems.push(`crossOrigin.trustedOrigins[${i}]: ${problem}`);
  });
  return { trustedOrigins: new Set(trusted.filter((o): o is string => typeof o === 'string')) };
}

function checkGuard(
  guard: LoggedInGuardOptions,
  problems: string[],
): Required<LoggedInGuardOptions> {
  const isLoggedIn = guard.isLoggedIn ?? defaultIsLoggedIn;
  if (typeof isLoggedIn !== 'function')
    problems.push('guard.isLoggedIn: must be a function (session) => boolean');
  const loginPath = guard.loginPath ?? '/login';
  if (typeof loginPath !== 'string' || !loginPath.startsWith('/') || loginPath.startsWith('//')) {
    problems.push(
      'guard.loginPath: must be a local path starting with a single "/", e.g. "/login"',
    );
  }
  return { isLoggedIn, loginPath };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
