import { hash } from 'node:crypto';

const BLOCK = 64; // SHA-256 block size, bytes

/**
 * HMAC-SHA256 (RFC 2104) over Node's one-shot `crypto.hash`. Same bytes as createHmac; but
 * createHmac builds a native object per call that the garbage collector must finalise, which
 * costs more under load than the hashing itself. The keys' pads are computed once.
 */
export class HmacSha256 {
  private readonly inner: Buffer;
  private readonly outer: Buffer;

  constructor(key: Buffer) {
    if (key.length > BLOCK) key = hash('sha256', key, 'buffer');
    this.inner = Buffer.alloc(BLOCK, 0x36);
    this.outer = Buffer.alloc(BLOCK, 0x5c);
    for (let i = 0; i < key.length; i++) {
      this.inner[i] ^= key[i];
      this.outer[i] ^= key[i];
    }
  }

  digest(message: string): Buffer {
    const length = Buffer.byteLength(message);
    const input = Buffer.allocUnsafe(BLOCK + length);
    this.inner.copy(input, 0);
    input.write(message, BLOCK, 'utf8');
    const innerHash = hash('sha256', input, 'buffer') as unknown as Buffer;
    const output = Buffer.allocUnsafe(BLOCK + innerHash.length);
    this.outer.copy(output, 0);
    innerHash.copy(output, BLOCK);
    return hash('sha256', output, 'buffer');
  }
}
