import { hash } from 'node:crypto';

const BLOCK = 64; // SHA-256 block size, bytes

/**
 * HMAC-SHA256 (RFC 2104) over Node's one-shot `crypto.hash`, giving the same bytes as
 * createHmac. Under load createHmac's native object per call, and every digest Buffer with a
 * backing store of its own, cost the garbage collector more than the hashing itself: here the
 * digests travel as strings and the scratch buffers come from Node's shared pool.
 */
export class HmacSha256 {
  private readonly inner: Buffer;
  private readonly outer: Buffer;

  constructor(key: Buffer) {
    if (key.length > BLOCK) key = Buffer.from(hash('sha256', key, 'binary'), 'latin1');
    this.inner = Buffer.alloc(BLOCK, 0x36);
    this.outer = Buffer.alloc(BLOCK, 0x5c);
    for (let i = 0; i < key.length; i++) {
      this.inner[i] ^= key[i];
      this.outer[i] ^= key[i];
    }
  }

  /** The MAC of `message` (UTF-8), base64url without padding (43 characters). */
  sign(message: string): string {
    const input = Buffer.allocUnsafe(BLOCK + Buffer.byteLength(message));
    this.inner.copy(input, 0);
    input.write(message, BLOCK, 'utf8');
    const innerHash = hash('sha256', input, 'binary');
    const output = Buffer.allocUnsafe(BLOCK + 32);
    this.outer.copy(output, 0);
    output.write(innerHash, BLOCK, 'latin1');
    return hash('sha256', output, 'base64url');
  }
}
