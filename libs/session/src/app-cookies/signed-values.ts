import { equalInConstantTime, HmacSha256 } from '../cookie/hmac.js';
import { deriveKeys } from '../cookie/keys.js';

const SIGNATURE_LENGTH = 43; // base64url of a 32-byte HMAC-SHA256, unpadded
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const EXPIRY = /^[0-9a-z]{0,10}$/;

/**
 * The values of signed cookies (`cookies.setSigned()`): `<base64url value>.<expiry>.<mac>`, the
 * expiry in base-36 seconds (empty when the cookie has none), so the server refuses the value
 * after it even if the client keeps sending it. The MAC covers the cookie's name too: a value
 * signed for one cookie is refused under another. Its keys are derived for this purpose alone:
 * a session cookie is never accepted as a signed cookie, nor the other way round.
 */
export class SignedValues {
  private readonly macs: HmacSha256[];

  constructor(secrets: readonly string[]) {
    this.macs = deriveKeys(secrets, 'signed-cookie-values').map((key) => new HmacSha256(key));
  }

  /** Signs with the first secret. `expiresAtMs`: when the server stops accepting it. */
  sign(name: string, value: string, expiresAtMs: number | undefined): string {
    // Whole seconds, rounded down: the server stops accepting the value no later than the browser
    // drops the cookie (Max-Age is whole seconds too).
    const expiry = expiresAtMs === undefined ? '' : Math.floor(expiresAtMs / 1000).toString(36);
    const body = `${Buffer.from(value, 'utf8').toString('base64url')}.${expiry}`;
    return `${body}.${this.macs[0].sign(`${name}=${body}`)}`;
  }

  /** The value, if it was signed for this cookie under one of the secrets and has not expired. */
  verify(name: string, token: string, nowMs: number): string | undefined {
    const sigDot = token.lastIndexOf('.');
    if (sigDot < 0 || token.length - sigDot - 1 !== SIGNATURE_LENGTH) return undefined;
    const body = token.slice(0, sigDot);
    const signature = token.slice(sigDot + 1);
    const expiryDot = body.indexOf('.');
    if (expiryDot < 0 || !BASE64URL.test(signature)) return undefined;
    const encoded = body.slice(0, expiryDot);
    const expiry = body.slice(expiryDot + 1);
    if (!BASE64URL.test(encoded) || !EXPIRY.test(expiry)) return undefined;
    // Every key is tried, whichever matches, so the time taken says nothing about which did.
    let valid = false;
    for (const mac of this.macs)
      valid = equalInConstantTime(mac.sign(`${name}=${body}`), signature) || valid;
    if (!valid) return undefined;
    if (expiry !== '' && parseInt(expiry, 36) * 1000 <= nowMs) return undefined;
    const value = Buffer.from(encoded, 'base64url');
    // Canonical base64url only: one value, one spelling.
    if (value.toString('base64url') !== encoded) return undefined;
    return value.toString('utf8');
  }
}
