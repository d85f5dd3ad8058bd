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
/** Flag, issue time, JSON object. */
const PLAIN = /^([PS])([0-9a-z]{1,11})\{/;
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
      const unpacked = this.unpack(body, verified.keyIndex);
      const head = PLAIN.exec(unpacked.plain);
      if (head === null) return { ok: false, reason: 'malformed' };
      const json = unpacked.plain.slice(head[0].length - 1);
      const data = fromSessionJson(json);
      if (data === null || typeof data !== 'object' || Array.isArray(data) || data instanceof Date)
        return { ok: false, reason: 'malformed' };
      const current = verified.keyIndex === 0 && unpacked.keyIndex === 0;
      return {
        ok: true,
        session: {
          data: data as Record<string, unknown>,
          permanent: head[1] === 'P',
          issuedAt: parseInt(head[2], 36),
          signedAt: verified.signedAt,
          body: current ? body : undefined,
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

  /** The plain text of a body, and the index of the key that decrypted it (0 when not encrypted). */
  private unpack(body: string, signingKeyIndex: number): { plain: string; keyIndex: number } {
    if (body[0] === 'j') {
      if (this.encryptionKeys !== undefined) refuse('plain cookie while encryption is on');
      // base64url decodes to 3/4 of its length: a cookie-sized body always fits the scratch.
      if (body.length <= (scratch.length * 4) / 3) {
        const plain = scratch.toString('utf8', 0, scratch.write(body.slice(1), 0, 'base64url'));
        return { plain, keyIndex: 0 };
      }
      return { plain: Buffer.from(body.slice(1), 'base64url').toString('utf8'), keyIndex: 0 };
    }
    const bytes = Buffer.from(body.slice(1), 'base64url');
    if (body[0] === 'z') {
      if (this.encryptionKeys !== undefined) refuse('plain cookie while encryption is on');
      const plain = inflateRawSync(bytes, { maxOutputLength: MAX_INFLATED }).toString('utf8');
      return { plain, keyIndex: 0 };
    }
    return this.decrypt(bytes, signingKeyIndex);
  }

  /**
   * Decrypts under the key of the secret that signed the cookie: a body is sealed and signed
   * under one secret, since a body is only ever re-signed as it is when both were the newest
   * (DecodedCookie.body); an older one is packed again.
   */
  private decrypt(bytes: Buffer, keyIndex: number): { plain: string; keyIndex: number } {
    const keys = this.encryptionKeys;
    if (keys === undefined || bytes.length < 12 + 16) return refuse('not decryptable');
    const plain = openSealed(keys[keyIndex], bytes);
    return plain === undefined ? refuse('not decryptable') : { plain, keyIndex };
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
