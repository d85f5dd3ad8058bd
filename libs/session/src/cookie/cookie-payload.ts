import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { fromSessionJson, holdsDates, toSessionJson } from '../session-json.js';
import { deriveKeys } from './keys.js';
import { TimedSigner, type UnsignFailure } from './timed-signer.js';

/**
 * The cookie store's value: `<kind><base64url body>.<timestamp>.<signature>`. The body is the
 * permanent flag ('P' or 'S') followed by the data's JSON; kind says how it is packed:
 * 'j' plain, 'z' raw deflate (used only when shorter), 'e' AES-256-GCM (iv | ciphertext | tag).
 */
export interface DecodedCookie {
  data: Record<string, unknown>;
  permanent: boolean;
  /** The packed body as received: re-signing it refreshes the cookie without re-serialising. */
  body: string;
  mayHoldDates: boolean;
}

export type DecodeResult =
  { ok: true; session: DecodedCookie } | { ok: false; reason: UnsignFailure };

const COMPRESS_FROM = 256; // bytes of JSON; below it deflate rarely pays for its CPU
const MAX_INFLATED = 64 * 1024; // a cookie is 4 KB; a bigger result is a deflate bomb
const BODY = /^[jze][A-Za-z0-9_-]+$/;
/** Scratch space for packing and unpacking: the codec runs synchronously, one call at a time. */
const scratch = Buffer.allocUnsafeSlow(8192);

export class CookiePayloadCodec {
  private readonly signer: TimedSigner;
  private readonly encryptionKeys: Buffer[] | undefined;

  constructor(secrets: readonly string[], encrypt: boolean) {
    this.signer = new TimedSigner(deriveKeys(secrets, 'cookie-signing'));
    this.encryptionKeys = encrypt ? deriveKeys(secrets, 'cookie-encryption') : undefined;
  }

  /** Packs and signs a session. */
  encode(
    data: Record<string, unknown>,
    permanent: boolean,
    nowMs: number,
    mayHoldDates = true,
  ): string {
    return this.signer.sign(
      this.pack((permanent ? 'P' : 'S') + toSessionJson(data, mayHoldDates)),
      nowMs,
    );
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
      const flag = plain[0];
      const json = plain.slice(1);
      const data = fromSessionJson(json);
      if (
        (flag !== 'P' && flag !== 'S') ||
        data === null ||
        typeof data !== 'object' ||
        Array.isArray(data)
      ) {
        return { ok: false, reason: 'malformed' };
      }
      return {
        ok: true,
        session: {
          data: data as Record<string, unknown>,
          permanent: flag === 'P',
          body,
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

  private unpack(body: string, keyIndex: number): string {
    if (body[0] === 'j') {
      if (this.encryptionKeys !== undefined) refuse('plain cookie while encryption is on');
      // base64url decodes to 3/4 of its length: a cookie-sized body always fits the scratch.
      if (body.length <= (scratch.length * 4) / 3)
        return scratch.toString('utf8', 0, scratch.write(body.slice(1), 0, 'base64url'));
      return Buffer.from(body.slice(1), 'base64url').toString('utf8');
    }
    const bytes = Buffer.from(body.slice(1), 'base64url');
    switch (body[0]) {
      case 'z':
        return this.encryptionKeys === undefined
          ? inflateRawSync(bytes, { maxOutputLength: MAX_INFLATED }).toString('utf8')
          : refuse('plain cookie while encryption is on');
      default: {
        if (this.encryptionKeys === undefined || bytes.length < 12 + 16)
          return refuse('not decryptable');
        const decipher = createDecipheriv(
          'aes-256-gcm',
          this.encryptionKeys[keyIndex],
          bytes.subarray(0, 12),
        );
        decipher.setAuthTag(bytes.subarray(bytes.length - 16));
        return Buffer.concat([
          decipher.update(bytes.subarray(12, bytes.length - 16)),
          decipher.final(),
        ]).toString('utf8');
      }
    }
  }
}

function refuse(why: string): never {
  throw new Error(why);
}
