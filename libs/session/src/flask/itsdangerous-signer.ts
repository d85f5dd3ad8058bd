import { createHmac } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { equalInConstantTime } from '../cookie/hmac.js';
import type { UnsignFailure } from '../cookie/timed-signer.js';
import { CLOCK_SKEW_MS } from '../session.constants.js';

export type FlaskUnsignResult =
  | { ok: true; payload: string; signedAt: number; keyIndex: number }
  | { ok: false; reason: UnsignFailure };

/** Flask's default salt (SecureCookieSessionInterface.salt). */
export const FLASK_SALT = 'cookie-session';

const SIGNATURE_LENGTH = 27; // base64url of a 20-byte HMAC-SHA1, unpadded
const SIGNATURE = /^[A-Za-z0-9_-]{27}$/;
const TIMESTAMP = /^[A-Za-z0-9_-]{1,8}$/; // at most 6 bytes of seconds: far beyond any real clock
const PAYLOAD = /^\.?[A-Za-z0-9_-]+$/;
/** A cookie is 4 KB; JSON inflating past this is a deflate bomb. */
const MAX_INFLATED = 64 * 1024;

/**
 * itsdangerous' URLSafeTimedSerializer as Flask configures it for its session cookie:
 * `payload.timestamp.signature`, where the payload is the JSON in base64url (zlib-compressed,
 * and marked by a leading '.', when that is shorter), the timestamp the signing time in whole
 * seconds as minimal big-endian bytes in base64url, and the signature HMAC-SHA1 over
 * `payload.timestamp` under a key derived from the secret and the salt (itsdangerous' "hmac"
 * derivation). Signs with the first secret, verifies with all (Flask 3.1's SECRET_KEY and
 * SECRET_KEY_FALLBACKS), in constant time, and checks the age before the payload is opened.
 */
export class ItsdangerousSigner {
  private readonly keys: Buffer[];

  constructor(secrets: readonly string[], salt = FLASK_SALT) {
    this.keys = secrets.map((secret) =>
      createHmac('sha1', Buffer.from(secret, 'utf8')).update(salt, 'utf8').digest(),
    );
  }

  /** The payload of a JSON text: base64url, zlib-compressed only when that saves 2 bytes or more. */
  pack(json: string): string {
    const raw = Buffer.from(json, 'utf8');
    // zlib with its header, as Python's zlib.compress writes it.
    const compressed = deflateSync(raw);
    return compressed.length < raw.length - 1
      ? `.${compressed.toString('base64url')}`
      : raw.toString('base64url');
  }

  /** The JSON text of a payload; throws on anything pack() would not have written. */
  unpack(payload: string): string {
    const compressed = payload.startsWith('.');
    const bytes = base64urlBytes(compressed ? payload.slice(1) : payload);
    const json = compressed ? inflateSync(bytes, { maxOutputLength: MAX_INFLATED }) : bytes;
    return new TextDecoder('utf-8', { fatal: true }).decode(json);
  }

  /** `payload.timestamp.signature`, signed at `nowMs` with the first key. */
  sign(payload: string, nowMs: number): string {
    const signed = `${payload}.${timestampText(Math.floor(nowMs / 1000))}`;
    return `${signed}.${this.mac(0, signed)}`;
  }

  /** Verifies the signature under every key, then the age; only then is the payload returned. */
  unsign(token: string, maxAgeMs: number, nowMs: number): FlaskUnsignResult {
    const sigDot = token.lastIndexOf('.');
    if (sigDot < 0 || token.length - sigDot - 1 !== SIGNATURE_LENGTH)
      return { ok: false, reason: 'malformed' };
    const signed = token.slice(0, sigDot);
    const signature = token.slice(sigDot + 1);
    if (!SIGNATURE.test(signature)) return { ok: false, reason: 'malformed' };
    const tsDot = signed.lastIndexOf('.');
    if (tsDot < 1) return { ok: false, reason: 'malformed' };
    const payload = signed.slice(0, tsDot);
    const timestamp = signed.slice(tsDot + 1);
    if (!PAYLOAD.test(payload) || !TIMESTAMP.test(timestamp))
      return { ok: false, reason: 'malformed' };

    // Our MACs are canonical base64url, so only the canonical spelling of the right MAC matches
    // (itsdangerous compares decoded bytes and so also takes the three other spellings of the
    // last character; this is stricter, never looser).
    let keyIndex = -1;
    for (let i = 0; i < this.keys.length; i++) {
      if (equalInConstantTime(this.mac(i, signed), signature) && keyIndex < 0) keyIndex = i;
    }
    if (keyIndex < 0) return { ok: false, reason: 'bad-signature' };

    const seconds = parseTimestamp(timestamp);
    if (seconds === undefined) return { ok: false, reason: 'malformed' };
    const signedAt = seconds * 1000;
    const age = nowMs - signedAt;
    // A timestamp from the future (beyond clock skew) is as suspect as an old one.
    if (age > maxAgeMs || age < -CLOCK_SKEW_MS) return { ok: false, reason: 'expired' };
    return { ok: true, payload, signedAt, keyIndex };
  }

  private mac(keyIndex: number, signed: string): string {
    return createHmac('sha1', this.keys[keyIndex]).update(signed, 'utf8').digest('base64url');
  }
}

/** Whole seconds as itsdangerous writes them: minimal big-endian bytes, base64url unpadded. */
function timestampText(seconds: number): string {
  const bytes: number[] = [];
  for (let rest = seconds; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from(bytes).toString('base64url');
}

/** The seconds of a timestamp as timestampText writes it; undefined for any other spelling. */
function parseTimestamp(text: string): number | undefined {
  let bytes: Buffer;
  try {
    bytes = base64urlBytes(text);
  } catch {
    return undefined;
  }
  if (bytes.length === 0 || bytes[0] === 0) return undefined;
  let seconds = 0;
  for (const byte of bytes) seconds = seconds * 256 + byte;
  return seconds;
}

/** Canonical unpadded base64url only: Node's decoder skips what it does not understand. */
function base64urlBytes(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new Error('not canonical base64url');
  return bytes;
}
