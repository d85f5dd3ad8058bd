// Cookies made the way an attacker (or an old client) would: another secret, another time. Built
// with the package's test kit, from options of its own rather than the app's.
import { CookieStore, MemoryStore } from 'nestjs-flask-session';
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

/** A server-store cookie: `id` signed with `secret` at time `atMs`. */
export function forgeSignedId(secret: string, id: string, atMs: number): string {
  const kit = SessionTestKit.forOptions({ secretKey: secret, store: new MemoryStore() });
  return valueOf(kit.cookieForId(id, { signedAt: atMs }));
}

/** The value part of a `session=value` pair. */
export function valueOf(pair: string): string {
  return pair.slice(pair.indexOf('=') + 1);
}
