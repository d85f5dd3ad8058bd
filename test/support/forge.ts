// Cookies made the way an attacker (or an old client) would: another secret, another time. Built
// with the package's test kit, from options of its own rather than the app's.
import { CookieStore, FlaskCookieStore, MemoryStore } from 'nestjs-flask-session';
import { SessionTestKit } from 'nestjs-flask-session/testing';

/** A cookie-store value signed with `secret` at time `atMs`, issued at `issuedAtMs` (default: then). */
export function forgeCookieSession(
  secret: string,
  data: Record<string, unknown>,
  atMs: number,
  permanent = false,
  issuedAtMs = atMs,
): Promise<string> {
  return forgeClientSession('cookie', secret, data, atMs, permanent, issuedAtMs);
}

/**
 * A session cookie of a store that keeps the session in the cookie: the module's own format, or
 * Flask's (which has no issue time: `issuedAtMs` is not given to it).
 */
export async function forgeClientSession(
  store: 'cookie' | 'flask',
  secret: string,
  data: Record<string, unknown>,
  atMs: number,
  permanent = false,
  issuedAtMs = atMs,
): Promise<string> {
  const flask = store === 'flask';
  const kit = SessionTestKit.forOptions({
    secretKey: secret,
    store: flask ? new FlaskCookieStore() : new CookieStore(),
  });
  const issuedAt = flask ? undefined : issuedAtMs;
  return valueOf(await kit.cookieWith(data, { permanent, signedAt: atMs, issuedAt }));
}

/** A server-store cookie: `id` signed with `secret` at time `atMs`. */
export function forgeSignedId(secret: string, id: string, atMs: number): string {
  const kit = SessionTestKit.forOptions({ secretKey: secret, store: new MemoryStore() });
  return valueOf(kit.cookieForId(id, { signedAt: atMs }));
}

/** The value part of a `session=value` pair. */
export function valueOf(pair: string): string {
  return pair.slice(pair.indexOf('=') + 1);
}
