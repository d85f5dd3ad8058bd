import { hash, randomBytes } from 'node:crypto';

const ID = /^[A-Za-z0-9_-]{43}$/;

/** A new session id: 256 bits from the CSPRNG, base64url. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function isSessionId(value: string): boolean {
  return ID.test(value);
}

/** The key a store keeps a session under: a hash, so a leaked store holds no usable ids. */
export function storeKey(id: string): string {
  // One-shot: no native Hash object per request for the collector to finalise.
  return hash('sha256', id, 'base64url');
}
