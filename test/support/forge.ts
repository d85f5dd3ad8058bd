// Test-only forgery helpers: they build cookies the way an attacker (or an old client) would.
import { CookiePayloadCodec } from '../../libs/session/src/cookie/cookie-payload.js';
import { deriveKeys } from '../../libs/session/src/cookie/keys.js';
import { TimedSigner } from '../../libs/session/src/cookie/timed-signer.js';

/** A cookie-store value signed with `secret` at time `atMs`, issued at `issuedAtMs` (default: then). */
export function forgeCookieSession(
  secret: string,
  data: Record<string, unknown>,
  atMs: number,
  permanent = false,
  issuedAtMs = atMs,
): string {
  return new CookiePayloadCodec([secret], false).encode(data, permanent, atMs, issuedAtMs);
}

/** A server-store cookie: `id` signed with `secret` at time `atMs`. */
export function forgeSignedId(secret: string, id: string, atMs: number): string {
  return new TimedSigner(deriveKeys([secret], 'session-id-signing')).sign(id, atMs);
}

/** The value part of a `session=value` pair. */
export function valueOf(pair: string): string {
  return pair.slice(pair.indexOf('=') + 1);
}
