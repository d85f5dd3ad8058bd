// Tokens, metadata keys and defaults. No imports from the rest of the library (ESM cycles).

/** Flask's PERMANENT_SESSION_LIFETIME: 31 days, in milliseconds. */
export const DEFAULT_PERMANENT_LIFETIME_MS = 31 * 24 * 3600 * 1000;
/** However often it is used, a session ends 90 days after it was issued (login or first write). */
export const DEFAULT_ABSOLUTE_LIFETIME_MS = 90 * 24 * 3600 * 1000;
/** Server-side stores: the most one session's values may take, as JSON. */
export const DEFAULT_MAX_SESSION_BYTES = 64 * 1024;
export const DEFAULT_COOKIE_NAME = 'session';
/** Shortest secret accepted: 32 bytes, as @fastify/secure-session and iron-session require. */
export const MIN_SECRET_BYTES = 32;
/** Flask's MAX_COOKIE_SIZE: browsers drop a Set-Cookie line over about 4,096 bytes. */
export const MAX_COOKIE_BYTES = 4093;
/** Clock skew tolerated for times that come back from a client or another machine, ms. */
export const CLOCK_SKEW_MS = 60_000;
/** Server-side stores: a store operation that takes longer fails the request with 503. */
export const DEFAULT_STORE_TIMEOUT_MS = 2000;

/** LoggedInGuard's redirect carries `?next=PATH` only for paths up to this length (a login form's usual bound). */
export const MAX_NEXT_LENGTH = 200;

/** DI token of the validated, defaulted options (ResolvedSessionOptions). */
export const SESSION_OPTIONS = 'session:resolved-options';
