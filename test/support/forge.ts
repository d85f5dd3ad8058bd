// Cookies made the way an attacker (or an old client) would: another secret, another time. Built
// with the package's test kit, from options of its own rather than the app's.
import { CookieStore, FlaskCookieStore, MemoryStore } from 'nestjs-flask-session';
import { SessionTestKit } from 'nestjs-flask-session/testing';

/** A cookie-store value signed with `secret` at time `atMs`, issued at `issuedAtMs` (default: then). */
export async function forgeCookieSession(
  secret: string,
  data: Record<string, unknown>,
  atMs: number,
  permanent = false,
  issuedAtMs = atMs,
): Promise<string> {
  const kit = SessionTestKit.forOptions({ secretKey: secret, store: new CookieStore() });
  return valueOf(await kit.cookieWith(data, { permanent, signedAt: atMs, issuedAt: issuedAtMs }));
}

/**
 * A session cookie of a store that keeps the session in the cookie: the module's own format, or
 * Flask's (which has no issue time: `issuedAtMs` is ignored there).
 */
export async function forgeClientSession(
  store: 'cookie' | 'flask',
  secret: string,
  data: Record<string, unknown>,
  atMs: number,
  permanent = false,
  issuedAtMs = atMs,
): Promise<string> {
  if (store === 'cookie') return forgeCookieSession(secret, data, atMs, permanent, issuedAtMs);
  const kit = SessionTestKit.forOptions({ secretKey: secret, store: new FlaskCookieStore() });
  return valueOf(await kit.cookieWith(data, { permanent, signedAt: atMs }));
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
