import { hash } from 'node:crypto';

const BLOCK = 64; // SHA-256 block size, bytes
const SCRATCH = 4096; // longest message signed without allocating (cookies are 4 KB at most)

/**
 * HMAC-SHA256 (RFC 2104) over Node's one-shot `crypto.hash`, giving the same bytes as
 * createHmac. Under load createHmac's native object per call, and every digest Buffer with a
 * backing store of its own, cost the garbage collector more than the hashing itself: here the
 * digests travel as strings and the padded keys sit, once and for all, at the head of two
 * scratch buffers that each message is written behind (signing is synchronous, so one pair per
 * key serves every request).
 */
export class HmacSha256 {
  private readonly inner: Buffer;
  private readonly outer: Buffer;

  constructor(key: Buffer) {
    if (key.length > BLOCK) key = Buffer.from(hash('sha256', key, 'binary'), 'latin1');
    this.inner = Buffer.alloc(BLOCK + SCRATCH, 0x36);
    this.outer = Buffer.alloc(BLOCK + 32, 0x5c);
    for (let i = 0; i < key.length; i++) {
      this.inner[i] ^= key[i];
      this.outer[i] ^= key[i];
    }
  }

  /** The MAC of `message` (UTF-8), base64url without padding (43 characters). */
  sign(message: string): string {
    const written = this.inner.write(message, BLOCK, 'utf8');
    // A write that stopped within a character's width of the end may have been cut short.
    const input =
      written <= SCRATCH - 4
        ? this.inner.subarray(0, BLOCK + written)
        : Buffer.concat([this.inner.subarray(0, BLOCK), Buffer.from(message, 'utf8')]);
    this.outer.write(hash('sha256', input, 'binary'), BLOCK, 'latin1');
    return hash('sha256', this.outer, 'base64url');
  }
}

/** Compares two strings in time that depends only on their length. */
export function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
