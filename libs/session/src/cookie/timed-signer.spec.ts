import { deriveKeys } from './keys.js';
import { TimedSigner } from './timed-signer.js';

const SECRET = 'a'.repeat(16) + 'secret-number-one-for-tests';
const OLD_SECRET = 'b'.repeat(16) + 'secret-number-two-for-tests';
const FOREIGN_SECRET = 'c'.repeat(16) + 'someone-elses-secret-value';
const NOW = 1_700_000_000_000; // a whole second, so floor(now / 1000) * 1000 === NOW
const MAX_AGE = 3600_000;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function signer(...secrets: string[]): TimedSigner {
  return new TimedSigner(deriveKeys(secrets, 'cookie-signing'));
}

function parts(token: string): { value: string; timestamp: string; signature: string } {
  const sigDot = token.lastIndexOf('.');
  const tsDot = token.lastIndexOf('.', sigDot - 1);
  return {
    value: token.slice(0, tsDot),
    timestamp: token.slice(tsDot + 1, sigDot),
    signature: token.slice(sigDot + 1),
  };
}

/** Replaces the character at `index` with a different base64url character. */
function flipChar(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('deriveKeys', () => {
  it('derives one deterministic 32-byte key per secret, kept in order', () => {
    const a = deriveKeys([SECRET, OLD_SECRET], 'cookie-signing');
    const b = deriveKeys([SECRET, OLD_SECRET], 'cookie-signing');
    expect(a).toHaveLength(2);
    expect(a[0]).toHaveLength(32);
    expect(a[0].equals(b[0])).toBe(true);
    expect(a[1].equals(b[1])).toBe(true);
    expect(a[0].equals(a[1])).toBe(false);
    expect(a[0].equals(deriveKeys([SECRET], 'cookie-signing')[0])).toBe(true);
  });

  it('derives different keys for different purposes of the same secret', () => {
    const signing = deriveKeys([SECRET], 'cookie-signing')[0];
    const encryption = deriveKeys([SECRET], 'cookie-encryption')[0];
    const ids = deriveKeys([SECRET], 'session-id-signing')[0];
    expect(signing.equals(encryption)).toBe(false);
    expect(signing.equals(ids)).toBe(false);
    expect(encryption.equals(ids)).toBe(false);
  });
});

describe('TimedSigner', () => {
  describe('round trip', () => {
    it('unsigns what it signed, returning value, issue time and key index', () => {
      const s = signer(SECRET);
      const token = s.sign('hello.world-value', NOW);
      expect(s.unsign(token, MAX_AGE, NOW + 5000)).toEqual({
        ok: true,
        value: 'hello.world-value',
        signedAt: NOW,
        keyIndex: 0,
      });
    });

    it('writes value.timestamp.signature with a base-36 timestamp and a 43-char signature', () => {
      const token = signer(SECRET).sign('abc', NOW);
      const { value, timestamp, signature } = parts(token);
      expect(value).toBe('abc');
      expect(timestamp).toBe((NOW / 1000).toString(36));
      expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('floors the timestamp to whole seconds', () => {
      const s = signer(SECRET);
      const result = s.unsign(s.sign('v', NOW + 999), MAX_AGE, NOW + 999);
      expect(result).toMatchObject({ ok: true, signedAt: NOW });
    });
  });

  describe('refuses tampered tokens', () => {
    const s = signer(SECRET);
    const token = s.sign('user-data', NOW);
    const { value, timestamp, signature } = parts(token);

    it('accepts the untampered token (control)', () => {
      expect(s.unsign(token, MAX_AGE, NOW).ok).toBe(true);
    });

    it('tampered value -> bad-signature', () => {
      const tampered = `${flipChar(value, 0)}.${timestamp}.${signature}`;
      expect(tampered).not.toBe(token);
      expect(s.unsign(tampered, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    });

    it('tampered timestamp -> bad-signature', () => {
      // One second earlier: still a valid, in-range timestamp, so only the signature can refuse it.
      const earlier = (NOW / 1000 - 1).toString(36);
      expect(earlier).not.toBe(timestamp);
      const tampered = `${value}.${earlier}.${signature}`;
      expect(s.unsign(tampered, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    });

    it('tampered signature (one character flipped) -> bad-signature', () => {
      for (const index of [0, 10, 41]) {
        const tampered = `${value}.${timestamp}.${flipChar(signature, index)}`;
        expect(tampered).not.toBe(token);
        expect(s.unsign(tampered, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
      }
    });

    it('token signed with a foreign secret -> bad-signature', () => {
      const foreign = signer(FOREIGN_SECRET).sign('user-data', NOW);
      expect(s.unsign(foreign, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    });

    it('truncated token: last character dropped -> malformed', () => {
      expect(s.unsign(token.slice(0, -1), MAX_AGE, NOW)).toEqual({
        ok: false,
        reason: 'malformed',
      });
    });

    it('truncated token: whole signature segment dropped -> malformed', () => {
      expect(s.unsign(`${value}.${timestamp}`, MAX_AGE, NOW)).toEqual({
        ok: false,
        reason: 'malformed',
      });
      expect(s.unsign(`${value}.${timestamp}.`, MAX_AGE, NOW)).toEqual({
        ok: false,
        reason: 'malformed',
      });
    });

    it('only the value (signature stripped, no dots) -> malformed', () => {
      expect(s.unsign(value, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'malformed' });
      expect(s.unsign('', MAX_AGE, NOW)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('a valid signature with no value in front -> malformed', () => {
      expect(s.unsign(`${timestamp}.${signature}`, MAX_AGE, NOW)).toEqual({
        ok: false,
        reason: 'malformed',
      });
    });

    it('trailing data after a valid signature -> refused', () => {
      for (const tampered of [`${token}A`, `${token}.`, `${token}.x`, `${token}.${signature}`]) {
        expect(s.unsign(tampered, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'malformed' });
      }
    });

    it('signature with characters outside base64url -> malformed', () => {
      const plus = `${value}.${timestamp}.${signature.slice(0, 5)}+${signature.slice(6)}`;
      expect(s.unsign(plus, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('non-canonical base64url signature (same bytes, other trailing bits) -> refused', () => {
      // 32 bytes = 256 bits in 43 chars (258 bits): the last char's 2 low bits are padding.
      const last = signature[signature.length - 1];
      const nonCanonical = ALPHABET[ALPHABET.indexOf(last) ^ 1];
      const altered = signature.slice(0, -1) + nonCanonical;
      expect(altered).not.toBe(signature);
      // The altered signature really decodes to the same HMAC bytes.
      expect(Buffer.from(altered, 'base64url').equals(Buffer.from(signature, 'base64url'))).toBe(
        true,
      );
      // Only the canonical spelling matches (compared as text, in constant time).
      expect(s.unsign(`${value}.${timestamp}.${altered}`, MAX_AGE, NOW)).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
    });
  });

  describe('age', () => {
    const s = signer(SECRET);

    it('accepts a token exactly maxAge old', () => {
      expect(s.unsign(s.sign('v', NOW), MAX_AGE, NOW + MAX_AGE).ok).toBe(true);
    });

    it('expired (age > maxAge) -> expired', () => {
      expect(s.unsign(s.sign('v', NOW), MAX_AGE, NOW + MAX_AGE + 1000)).toEqual({
        ok: false,
        reason: 'expired',
      });
    });

    it('accepts a timestamp up to 60 s in the future (clock skew)', () => {
      expect(s.unsign(s.sign('v', NOW + 60_000), MAX_AGE, NOW).ok).toBe(true);
    });

    it('timestamp more than 60 s in the future -> expired', () => {
      expect(s.unsign(s.sign('v', NOW + 61_000), MAX_AGE, NOW)).toEqual({
        ok: false,
        reason: 'expired',
      });
      expect(s.unsign(s.sign('v', NOW + 365 * 86400_000), MAX_AGE, NOW)).toEqual({
        ok: false,
        reason: 'expired',
      });
    });
  });

  describe('key rotation', () => {
    const oldOnly = signer(OLD_SECRET);
    const rotated = signer(SECRET, OLD_SECRET);
    const newOnly = signer(SECRET);

    it('a token signed with the old key verifies on [new, old] with keyIndex 1', () => {
      const token = oldOnly.sign('payload', NOW);
      expect(rotated.unsign(token, MAX_AGE, NOW)).toEqual({
        ok: true,
        value: 'payload',
        signedAt: NOW,
        keyIndex: 1,
      });
    });

    it('a token signed by [new, old] (new key) does not verify on [old]', () => {
      const token = rotated.sign('payload', NOW);
      expect(rotated.unsign(token, MAX_AGE, NOW)).toMatchObject({ ok: true, keyIndex: 0 });
      expect(oldOnly.unsign(token, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    });

    it('sign always uses the first key', () => {
      const token = rotated.sign('payload', NOW);
      expect(token).toBe(newOnly.sign('payload', NOW));
      expect(token).not.toBe(oldOnly.sign('payload', NOW));
      expect(newOnly.unsign(token, MAX_AGE, NOW)).toMatchObject({ ok: true, keyIndex: 0 });
    });
  });

  describe('key separation', () => {
    it("'cookie-signing' keys do not verify tokens made with 'session-id-signing' keys", () => {
      const cookieSigner = new TimedSigner(deriveKeys([SECRET], 'cookie-signing'));
      const idSigner = new TimedSigner(deriveKeys([SECRET], 'session-id-signing'));
      const idToken = idSigner.sign('session-id', NOW);
      expect(idSigner.unsign(idToken, MAX_AGE, NOW).ok).toBe(true);
      expect(cookieSigner.unsign(idToken, MAX_AGE, NOW)).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
      const cookieToken = cookieSigner.sign('session-id', NOW);
      expect(idSigner.unsign(cookieToken, MAX_AGE, NOW)).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
    });
  });
});

describe('HmacSha256 matches createHmac (RFC 4231 test case 2 and random inputs)', () => {
  it('computes the RFC 4231 vector', async () => {
    const { HmacSha256 } = await import('./hmac.js');
    const mac = new HmacSha256(Buffer.from('Jefe'));
    expect(Buffer.from(mac.sign('what do ya want for nothing?'), 'base64url').toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('equals createHmac for keys of every length class and unicode messages', async () => {
    const { HmacSha256 } = await import('./hmac.js');
    const { createHmac, randomBytes } = await import('node:crypto');
    for (const keyLength of [1, 32, 64, 65, 200]) {
      const key = randomBytes(keyLength);
      for (const message of ['', 'a', 'é✓ unicode', 'x'.repeat(1000)]) {
        expect(new HmacSha256(key).sign(message)).toBe(
          createHmac('sha256', key).update(message).digest('base64url'),
        );
      }
    }
  });

  it('reuses its scratch space safely: long, multibyte and alternating messages', async () => {
    const { HmacSha256 } = await import('./hmac.js');
    const { createHmac, randomBytes } = await import('node:crypto');
    const key = randomBytes(32);
    const mac = new HmacSha256(key);
    // Around the 4096-byte scratch space, with 3-byte characters cut at its end, and a short
    // message after a long one (nothing of the long one may leak into the short one's MAC).
    const messages = [
      'x'.repeat(4092),
      'x'.repeat(4093),
      'x'.repeat(5000),
      'x'.repeat(4094) + '✓',
      '✓'.repeat(1366),
      'short',
      '✓'.repeat(3000),
      '',
    ];
    for (const message of messages) {
      expect(mac.sign(message)).toBe(createHmac('sha256', key).update(message).digest('base64url'));
    }
  });
});

describe('equalInConstantTime', () => {
  it('is true only for identical strings', async () => {
    const { equalInConstantTime } = await import('./hmac.js');
    expect(equalInConstantTime('abc', 'abc')).toBe(true);
    expect(equalInConstantTime('', '')).toBe(true);
    expect(equalInConstantTime('abc', 'abd')).toBe(false);
    expect(equalInConstantTime('abc', 'Abc')).toBe(false);
    expect(equalInConstantTime('abc', 'abcd')).toBe(false);
    expect(equalInConstantTime('abc', 'ab')).toBe(false);
    expect(equalInConstantTime('\u0100', '\u0000')).toBe(false);
  });
});
