import { hkdfSync } from 'node:crypto';

/** What a derived key is for: a key never serves two purposes (itsdangerous' salt). */
export type KeyPurpose =
  'cookie-signing' | 'cookie-encryption' | 'session-id-signing' | 'signed-cookie-values';

/** Derives a 32-byte key per secret for one purpose (HKDF-SHA256). Order is kept: index 0 signs. */
export function deriveKeys(secrets: readonly string[], purpose: KeyPurpose): Buffer[] {
  return secrets.map((secret) =>
    Buffer.from(hkdfSync('sha256', secret, 'nest-flask-session', purpose, 32)),
  );
}
