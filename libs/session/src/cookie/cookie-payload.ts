import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { fromSessionJson, holdsDates, toSessionJson } from '../session-json.js';
import { deriveKeys } from './keys.js';
import { TimedSigner, type UnsignFailure } from './timed-signer.js';

/**
 * The cookie store's value: `<kind><base64url body>.<timestamp>.<signature>`. The body is the
 * permanent flag ('P' or 'S'), the issue time (base-36 ms) and the data's JSON; kind says how
 * it is packed: 'j' plain, 'z' raw deflate (used only when shorter), 'e' AES-256-GCM
 * (iv | ciphertext | tag). The timestamp is when it was last signed (refresh moves it); the
 * issue time, under the signature too, never moves: the absolute lifetime counts from it.
 */
export interface DecodedCookie {
  data: Record<string, unknown>;
  permanent: boolean;
  /** When the session was issued (login or first write), ms. */
  issuedAt: number;
  /** When this cookie was signed (its last refresh), ms. */
  signedAt: number;
  /**
   * The packed body as received, when re-signing it is enough to refresh the cookie; undefined
   * when it was signed or encrypted under an older key and must be packed again.
   */
  body: string | undefined;
  mayHoldDates: boolean;
}

export type DecodeResult =
  { ok: true; session: DecodedCookie } | { ok: false; reason: UnsignFailure };

const COMPRESS_FROM = 256; // bytes of JSON; below it deflate rarely pays for its CPU
const MAX_INFLATED = 64 * 1024; // a cookie is 4 KB; a bigger result is a deflate bomb
const BODY = /^[jze][A-Za-z0-9_-]+$/;
const FLAG_P = 0x50; // 'P': permanent
const FLAG_S = 0x53; // 'S': ends with the browser session
/** Scratch space for packing and unpacking: the codec runs synchronously, one call at a time. */
const scratch = Buffer.allocUnsafeSlow(8192);

export class CookiePayloadCodec {
  private readonly signer: TimedSigner;
  private readonly encryptionKeys: Buffer[] | undefined;

  constructor(secrets: readonly string[], encrypt: boolean) {
    this.signer = new TimedSigner(deriveKeys(secrets, 'cookie-signing'));
    this.encryptionKeys = encrypt ? deriveKeys(secrets, 'cookie-encryption') : undefined;
  }

  /** Packs and signs a session issued at `issuedAtMs` (default: now). */
  encode(
    data: Record<string, unknown>,
    permanent: boolean,
    nowMs: number,
    issuedAtMs = nowMs,
    mayHoldDates = true,
  ): string {
    const head = (permanent ? 'P' : 'S') + Math.floor(issuedAtMs).toString(36);
    return this.signer.sign(this.pack(head + toSessionJson(data, mayHoldDates)), nowMs);
  }

  /** Signs an already packed body again with a fresh timestamp (refresh without changes). */
  resign(body: string, nowMs: number): string {
    return this.signer.sign(body, nowMs);
  }

  /** Verifies signature and age first; only then unpacks. Any failure reads as no session. */
  decode(token: string, maxAgeMs: number, nowMs: number): DecodeResult {
    const verified = this.signer.unsign(token, maxAgeMs, nowMs);
    if (!verified.ok) return verified;
    const body = verified.value;
    if (!BODY.test(body)) return { ok: false, reason: 'malformed' };
    try {
      const plain = this.unpack(body, verified.keyIndex);
      // Flag, issue time in base 36, then the JSON object (scanned by hand: a regex with
      // captures here cost a tenth of the decode).
      const flag = plain.charCodeAt(0);
      const brace = plain.indexOf('{');
      if ((flag !== FLAG_P && flag !== FLAG_S) || brace < 2 || brace > 12)
        return { ok: false, reason: 'malformed' };
      const issuedAt = parseBase36(plain, 1, brace);
      const json = plain.slice(brace);
      const data = fromSessionJson(json);
      if (issuedAt < 0 || !isPlainData(data)) return { ok: false, reason: 'malformed' };
      return {
        ok: true,
        session: {
          data,
          permanent: flag === FLAG_P,
          issuedAt,
          signedAt: verified.signedAt,
          // Signed and sealed under an older secret: a refresh packs it again under the newest.
          body: verified.keyIndex === 0 ? body : undefined,
          mayHoldDates: holdsDates(json),
        },
      };
    } catch {
      return { ok: false, reason: 'malformed' };
    }
  }

  private pack(plain: string): string {
    if (this.encryptionKeys !== undefined) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.encryptionKeys[0], iv);
      const sealed = Buffer.concat([
        iv,
        cipher.update(plain, 'utf8'),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return `e${sealed.toString('base64url')}`;
    }
    // Through the scratch buffer: no Buffer per request (a write that stopped within a
    // character's width of its end may have been cut short: then a buffer of its own).
    const written = scratch.write(plain, 0, 'utf8');
    const raw =
      written <= scratch.length - 4 ? scratch.subarray(0, written) : Buffer.from(plain, 'utf8');
    if (raw.length >= COMPRESS_FROM) {
      const packed = deflateRawSync(raw);
      if (packed.length < raw.length - 1) return `z${packed.toString('base64url')}`;
    }
    return `j${raw.toString('base64url')}`;
  }

  /** The plain text of a body (sealed ones opened under the key of the secret that signed it). */
  private unpack(body: string, keyIndex: number): string {
    if (body[0] === 'j') {
      if (this.encryptionKeys !== undefined) refuse('plain cookie while encryption is on');
      // base64url decodes to 3/4 of its length: a cookie-sized body always fits the scratch.
      if (body.length <= (scratch.length * 4) / 3)
        return scratch.toString('utf8', 0, scratch.write(body.slice(1), 0, 'base64url'));
      return Buffer.from(body.slice(1), 'base64url').toString('utf8');
    }
    const bytes = Buffer.from(body.slice(1), 'base64url');
    if (body[0] === 'z') {
      if (this.encryptionKeys !== undefined) refuse('plain cookie while encryption is on');
      return inflateRawSync(bytes, { maxOutputLength: MAX_INFLATED }).toString('utf8');
    }
    return this.decrypt(bytes, keyIndex);
  }

  /**
   * Opens a sealed body under the key of the secret that signed the cookie: a body is sealed and
   * signed under one secret, since it is only ever re-signed as it is when both were the newest
   * (DecodedCookie.body); an older one is packed again.
   */
  private decrypt(bytes: Buffer, keyIndex: number): string {
    const keys = this.encryptionKeys;
    if (keys === undefined || bytes.length < 12 + 16) return refuse('not decryptable');
    return openSealed(keys[keyIndex], bytes) ?? refuse('not decryptable');
  }
}

/** AES-256-GCM: iv | ciphertext | tag; undefined when the tag does not verify under `key`. */
function openSealed(key: Buffer, bytes: Buffer): string | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  const plain = decipher.update(bytes.subarray(12, bytes.length - 16));
  try {
    return Buffer.concat([plain, decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function refuse(why: string): never {
  throw new Error(why);
}

/** A session's data: an object, not an array, nor the Date a lone tag key would revive to. */
function isPlainData(data: unknown): data is Record<string, unknown> {
  return (
    data !== null && typeof data === 'object' && !Array.isArray(data) && !(data instanceof Date)
  );
}

/** text[from, to) as a base-36 number (digits and lower-case letters only); -1 if it is not one. */
function parseBase36(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    const digit =
      code >= 0x30 && code <= 0x39 ? code - 0x30 : code >= 0x61 && code <= 0x7a ? code - 0x57 : -1;
    if (digit < 0) return -1;
    value = value * 36 + digit;
  }
  return value;
}
