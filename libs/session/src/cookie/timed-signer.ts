import { CLOCK_SKEW_MS } from '../session.constants.js';
import { HmacSha256, equalInConstantTime } from './hmac.js';

/** Why a signed value was refused. All of them mean "no session", never an error page. */
export type UnsignFailure = 'malformed' | 'bad-signature' | 'expired';

export type UnsignResult =
  | { ok: true; value: string; signedAt: number; keyIndex: number }
  | { ok: false; reason: UnsignFailure };

const SIGNATURE_LENGTH = 43; // base64url of a 32-byte HMAC-SHA256, unpadded
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const TIMESTAMP = /^[0-9a-z]{1,10}$/;

/**
 * `value.timestamp.signature`: HMAC-SHA256 over `value.timestamp`, timestamp in base-36 seconds.
 * Signs with the first key, verifies with all (rotation), in constant time, and checks the age
 * before anything in the value is used.
 */
export class TimedSigner {
  private readonly macs: HmacSha256[];

  constructor(keys: readonly Buffer[]) {
    this.macs = keys.map((key) => new HmacSha256(key));
  }

  sign(value: string, nowMs: number): string {
    const signed = `${value}.${Math.floor(nowMs / 1000).toString(36)}`;
    return `${signed}.${this.macs[0].sign(signed)}`;
  }

  unsign(token: string, maxAgeMs: number, nowMs: number): UnsignResult {
    const sigDot = token.lastIndexOf('.');
    if (sigDot < 0 || token.length - sigDot - 1 !== SIGNATURE_LENGTH)
      return { ok: false, reason: 'malformed' };
    const signed = token.slice(0, sigDot);
    const signature = token.slice(sigDot + 1);
    if (!BASE64URL.test(signature)) return { ok: false, reason: 'malformed' };
    const tsDot = signed.lastIndexOf('.');
    if (tsDot < 1) return { ok: false, reason: 'malformed' };
    const timestamp = signed.slice(tsDot + 1);
    if (!TIMESTAMP.test(timestamp)) return { ok: false, reason: 'malformed' };

    // Both sides are canonical base64url of 32 bytes, so equal strings mean equal MACs; a
    // non-canonical spelling of the right MAC does not match, as it must not.
    let keyIndex = -1;
    for (let i = 0; i < this.macs.length; i++) {
      if (equalInConstantTime(this.macs[i].sign(signed), signature) && keyIndex < 0) keyIndex = i;
    }
    if (keyIndex < 0) return { ok: false, reason: 'bad-signature' };

    const signedAt = parseInt(timestamp, 36) * 1000;
    const age = nowMs - signedAt;
    // A timestamp from the future (beyond clock skew) is as suspect as an old one.
    if (age > maxAgeMs || age < -CLOCK_SKEW_MS) return { ok: false, reason: 'expired' };
    return { ok: true, value: signed.slice(0, tsDot), signedAt, keyIndex };
  }
}
