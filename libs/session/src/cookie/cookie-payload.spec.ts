import { deflateRawSync } from 'node:zlib';
import { CookiePayloadCodec, type DecodeResult, type DecodedCookie } from './cookie-payload.js';
import { deriveKeys } from './keys.js';
import { TimedSigner } from './timed-signer.js';

const SECRETS = ['k'.repeat(20) + '-cookie-payload-secret-1'];
const OLD_SECRETS = ['o'.repeat(20) + '-cookie-payload-secret-0'];
const NOW = 1_700_000_000_000;
const MAX_AGE = 86400_000;
/** The issue time as a packed body spells it: base-36 ms. */
const ISSUED = NOW.toString(36);

/** Signs a hand-made body exactly as the codec's signer would. */
function signBody(body: string, secrets: readonly string[] = SECRETS): string {
  return new TimedSigner(deriveKeys(secrets, 'cookie-signing')).sign(body, NOW);
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function bodyOf(token: string): string {
  return token.slice(0, token.indexOf('.'));
}

function decoded(result: DecodeResult): DecodedCookie {
  if (!result.ok) throw new Error(`expected a decoded cookie, got ${result.reason}`);
  return result.session;
}

describe('CookiePayloadCodec', () => {
  const plain = new CookiePayloadCodec(SECRETS, false);
  const encrypted = new CookiePayloadCodec(SECRETS, true);

  describe('round trip', () => {
    it('keeps nested objects, arrays and unicode', () => {
      const data = {
        user: {
          id: 7,
          name: 'Zoë 😀 日本語',
          tags: ['a', 'b'],
          nested: { deep: [1, { x: null }] },
        },
        flag: true,
        n: 1.5,
        empty: '',
      };
      const session = decoded(plain.decode(plain.encode(data, false, NOW), MAX_AGE, NOW));
      expect(session.data).toEqual(data);
    });

    it('brings Date values back as Date instances with the same time', () => {
      const when = new Date('2024-02-29T12:34:56.789Z');
      const data = { when, list: [new Date(0)], obj: { at: new Date(86400_000) } };
      const session = decoded(plain.decode(plain.encode(data, false, NOW), MAX_AGE, NOW));
      const out = session.data as { when: Date; list: Date[]; obj: { at: Date } };
      expect(out.when).toBeInstanceOf(Date);
      expect(out.when.getTime()).toBe(when.getTime());
      expect(out.list[0]).toBeInstanceOf(Date);
      expect(out.list[0].getTime()).toBe(0);
      expect(out.obj.at).toBeInstanceOf(Date);
      expect(out.obj.at.getTime()).toBe(86400_000);
    });

    it.each([true, false])('keeps the permanent flag (%s)', (permanent) => {
      const token = plain.encode({ a: 1 }, permanent, NOW);
      expect(decoded(plain.decode(token, MAX_AGE, NOW)).permanent).toBe(permanent);
    });

    it('returns the packed body as received', () => {
      const token = plain.encode({ a: 1 }, true, NOW);
      const result = plain.decode(token, MAX_AGE, NOW);
      expect(result.ok && result.session.body).toBe(bodyOf(token));
    });

    it('an empty session round trips', () => {
      const session = decoded(plain.decode(plain.encode({}, false, NOW), MAX_AGE, NOW));
      expect(session.data).toEqual({});
    });
  });

  describe('packing', () => {
    it("small data is packed plain ('j')", () => {
      const token = plain.encode({ user: 'alice' }, false, NOW);
      expect(token[0]).toBe('j');
      expect(Buffer.from(bodyOf(token).slice(1), 'base64url').toString()).toBe(
        `S${ISSUED}{"user":"alice"}`,
      );
    });

    it("large repetitive data is deflated ('z'), shorter than plain, and round trips", () => {
      const data = { items: Array.from({ length: 60 }, (_, i) => ({ sku: 'SKU-0001', qty: i })) };
      const token = plain.encode(data, true, NOW);
      expect(token[0]).toBe('z');
      const plainBody = `j${b64(`P${JSON.stringify(data)}`)}`;
      expect(bodyOf(token).length).toBeLessThan(plainBody.length);
      const session = decoded(plain.decode(token, MAX_AGE, NOW));
      expect(session.data).toEqual(data);
      expect(session.permanent).toBe(true);
    });

    it("repetitive data below 256 bytes of JSON stays plain ('j')", () => {
      const data = { a: 'x'.repeat(200) };
      const token = plain.encode(data, false, NOW);
      expect(token[0]).toBe('j');
      expect(decoded(plain.decode(token, MAX_AGE, NOW)).data).toEqual(data);
    });
  });

  describe('encryption', () => {
    const data = { secretNote: 'the-plaintext-marker', when: new Date(1234567890) };

    it("produces 'e' whose body does not reveal the plaintext, and round trips", () => {
      const token = encrypted.encode(data, true, NOW);
      expect(token[0]).toBe('e');
      const raw = Buffer.from(bodyOf(token).slice(1), 'base64url');
      expect(raw.length).toBeGreaterThanOrEqual(12 + 16);
      expect(raw.toString('latin1')).not.toContain('the-plaintext-marker');
      expect(raw.toString('latin1')).not.toContain('secretNote');
      expect(token).not.toContain(b64('the-plaintext-marker').slice(0, 12));
      const session = decoded(encrypted.decode(token, MAX_AGE, NOW));
      expect(session.permanent).toBe(true);
      expect(session.data.secretNote).toBe('the-plaintext-marker');
      expect(session.data.when).toEqual(new Date(1234567890));
    });

    it('uses a fresh IV: the same data encrypts differently each time', () => {
      expect(bodyOf(encrypted.encode(data, false, NOW))).not.toBe(
        bodyOf(encrypted.encode(data, false, NOW)),
      );
    });

    it('encrypts large data too (never deflate-only)', () => {
      const big = { text: 'repeat '.repeat(200) };
      const token = encrypted.encode(big, false, NOW);
      expect(token[0]).toBe('e');
      expect(decoded(encrypted.decode(token, MAX_AGE, NOW)).data).toEqual(big);
    });

    it("an encrypted codec refuses a validly signed plain ('j') cookie", () => {
      const token = plain.encode({ admin: true }, false, NOW);
      expect(token[0]).toBe('j');
      expect(plain.decode(token, MAX_AGE, NOW).ok).toBe(true); // validly signed
      expect(encrypted.decode(token, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'malformed' });
    });

    it("an encrypted codec refuses a validly signed deflated ('z') cookie", () => {
      const token = plain.encode({ filler: 'x'.repeat(600) }, false, NOW);
      expect(token[0]).toBe('z');
      expect(encrypted.decode(token, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'malformed' });
    });

    it("a plain codec refuses an 'e' cookie", () => {
      const token = encrypted.encode({ a: 1 }, false, NOW);
      expect(plain.decode(token, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('a validly signed but altered ciphertext is refused', () => {
      const token = encrypted.encode({ role: 'user' }, false, NOW);
      const raw = Buffer.from(bodyOf(token).slice(1), 'base64url');
      raw[14] ^= 0x01; // a ciphertext byte
      const forged = signBody(`e${raw.toString('base64url')}`);
      expect(encrypted.decode(forged, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'malformed' });
    });

    it("a too short 'e' body is refused", () => {
      const forged = signBody(`e${Buffer.alloc(20).toString('base64url')}`);
      expect(encrypted.decode(forged, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('decrypts a cookie made before a key rotation with the matching old key', () => {
      const before = new CookiePayloadCodec(OLD_SECRETS, true);
      const after = new CookiePayloadCodec([...SECRETS, ...OLD_SECRETS], true);
      const token = before.encode({ cart: ['a'] }, false, NOW);
      expect(decoded(after.decode(token, MAX_AGE, NOW)).data).toEqual({ cart: ['a'] });
    });
  });

  describe('signature and age come first', () => {
    it('a cookie from another secret -> bad-signature', () => {
      const other = new CookiePayloadCodec(OLD_SECRETS, false);
      expect(plain.decode(other.encode({ a: 1 }, false, NOW), MAX_AGE, NOW)).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
    });

    it('an old cookie -> expired', () => {
      const token = plain.encode({ a: 1 }, false, NOW);
      expect(plain.decode(token, MAX_AGE, NOW + MAX_AGE + 1000)).toEqual({
        ok: false,
        reason: 'expired',
      });
    });
  });

  describe('issue time', () => {
    it('travels under the signature, apart from the signing time', () => {
      const issued = NOW - 3 * 86400_000;
      const token = plain.encode({ a: 1 }, true, NOW, issued);
      expect(decoded(plain.decode(token, MAX_AGE, NOW))).toMatchObject({
        issuedAt: issued,
        signedAt: NOW,
      });
      // A refresh moves the signing time, never the issue time.
      const later = NOW + 60_000;
      const refreshed = plain.resign(bodyOf(token), later);
      expect(decoded(plain.decode(refreshed, MAX_AGE, later))).toMatchObject({
        issuedAt: issued,
        signedAt: later,
      });
    });

    it('defaults to the signing time', () => {
      const token = plain.encode({ a: 1 }, false, NOW);
      expect(decoded(plain.decode(token, MAX_AGE, NOW)).issuedAt).toBe(NOW);
    });

    it('cannot be changed without breaking the signature', () => {
      const token = plain.encode({ a: 1 }, false, NOW, NOW - 86400_000);
      const [body, ...rest] = token.split('.');
      const text = Buffer.from(body.slice(1), 'base64url').toString();
      const younger = text.replace((NOW - 86400_000).toString(36), NOW.toString(36));
      expect(younger).not.toBe(text);
      const forged = [`j${b64(younger)}`, ...rest].join('.');
      expect(plain.decode(forged, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    });
  });

  describe('key rotation with encryption', () => {
    const oldOnly = new CookiePayloadCodec(OLD_SECRETS, true);
    const rotated = new CookiePayloadCodec([...SECRETS, ...OLD_SECRETS], true);

    it('a cookie of the newest key keeps its body, so a refresh only re-signs it', () => {
      const token = rotated.encode({ a: 1 }, true, NOW);
      expect(decoded(rotated.decode(token, MAX_AGE, NOW)).body).toBe(bodyOf(token));
    });

    it('a cookie sealed under the old key decodes, and asks to be packed again', () => {
      const token = oldOnly.encode({ a: 1 }, true, NOW);
      const session = decoded(rotated.decode(token, MAX_AGE, NOW));
      expect(session.data).toEqual({ a: 1 });
      expect(session.body).toBeUndefined();
    });

    it('rolling back (the old key first again) reads cookies sealed under the newer key', () => {
      const rolledBack = new CookiePayloadCodec([...OLD_SECRETS, ...SECRETS], true);
      const token = rotated.encode({ a: 1 }, true, NOW);
      const session = decoded(rolledBack.decode(token, MAX_AGE, NOW));
      expect(session.data).toEqual({ a: 1 });
      expect(session.body).toBeUndefined();
    });

    it('a body sealed under a key nobody holds any more is refused', () => {
      const stranger = new CookiePayloadCodec(['s'.repeat(40)], true);
      const resigned = rotated.resign(bodyOf(stranger.encode({ a: 1 }, true, NOW)), NOW);
      expect(rotated.decode(resigned, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'malformed' });
    });
  });

  describe('validly signed but malformed bodies', () => {
    it('a deflate bomb (inflates past 64 KiB) is refused', () => {
      const json = `S${ISSUED}${JSON.stringify({ bomb: 'A'.repeat(200 * 1024) })}`;
      const packed = deflateRawSync(Buffer.from(json));
      expect(packed.length).toBeLessThan(2048); // tiny on the wire
      const token = signBody(`z${packed.toString('base64url')}`);
      expect(plain.decode(token, MAX_AGE, NOW)).toEqual({ ok: false, reason: 'malformed' });
    });

    it("a hand-made 'z' body under the limit is accepted (control for the bomb test)", () => {
      const json = `S${ISSUED}${JSON.stringify({ ok: 'A'.repeat(60 * 1024) })}`;
      const token = signBody(`z${deflateRawSync(Buffer.from(json)).toString('base64url')}`);
      expect(decoded(plain.decode(token, MAX_AGE, NOW)).data.ok).toHaveLength(60 * 1024);
    });

    it('a hand-made plain object body is accepted (control for the cases below)', () => {
      const body = `j${b64(`P${ISSUED}{"a":1}`)}`;
      expect(decoded(plain.decode(signBody(body), MAX_AGE, NOW))).toEqual({
        data: { a: 1 },
        permanent: true,
        issuedAt: NOW,
        signedAt: NOW,
        body,
        mayHoldDates: false,
      });
    });

    it.each([
      ['an array', `S${ISSUED}[1,2]`],
      ['null', `S${ISSUED}null`],
      ['a number', `S${ISSUED}5`],
      ['a string', `S${ISSUED}"text"`],
      ['bad JSON', `S${ISSUED}{"a":`],
      ['a bad flag char', `X${ISSUED}{"a":1}`],
      ['no flag at all', `${ISSUED}{"a":1}`],
      ['an empty body after the issue time', `S${ISSUED}`],
      ['no issue time (the format before absolute lifetimes)', 'S{"a":1}'],
      ['an issue time that is not base 36', 'S-1{"a":1}'],
      ['an issue time too long to be one', `S${'z'.repeat(12)}{"a":1}`],
    ])('%s -> malformed', (_label, plainBody) => {
      expect(plain.decode(signBody(`j${b64(plainBody)}`), MAX_AGE, NOW)).toEqual({
        ok: false,
        reason: 'malformed',
      });
    });

    it('an unknown kind or a body with bad characters -> malformed', () => {
      for (const body of [`x${b64('S{}')}`, 'j', `j${b64('S{}')}+`]) {
        expect(plain.decode(signBody(body), MAX_AGE, NOW)).toEqual({
          ok: false,
          reason: 'malformed',
        });
      }
    });

    it('"__proto__" keys do not pollute Object.prototype nor show up in the data', () => {
      const json =
        `S${ISSUED}{"__proto__":{"polluted":"yes"},"a":{"__proto__":{"polluted":"yes"},"b":1},` +
        '"list":[{"__proto__":{"polluted":"yes"}}]}';
      const result = plain.decode(signBody(`j${b64(json)}`), MAX_AGE, NOW);
      try {
        const data = decoded(result).data as Record<string, any>;
        expect(({} as any).polluted).toBeUndefined();
        expect(data.polluted).toBeUndefined();
        expect(Object.hasOwn(data, 'polluted')).toBe(false);
        expect(Object.hasOwn(data, '__proto__')).toBe(false);
        expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
        expect(data.a.polluted).toBeUndefined();
        expect(Object.hasOwn(data.a, '__proto__')).toBe(false);
        expect(data.a.b).toBe(1);
        expect(data.list[0].polluted).toBeUndefined();
      } finally {
        delete (Object.prototype as any).polluted;
      }
    });

    it('an escaped "__proto__" key does not pollute Object.prototype either', () => {
      const json = `S${ISSUED}{"\\u005f_proto__":{"polluted":"yes"},"a":1}`;
      const result = plain.decode(signBody(`j${b64(json)}`), MAX_AGE, NOW);
      try {
        const data = decoded(result).data as Record<string, any>;
        expect(({} as any).polluted).toBeUndefined();
        expect(data.polluted).toBeUndefined();
        expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
      } finally {
        delete (Object.prototype as any).polluted;
      }
    });
  });

  describe('resign', () => {
    it('keeps the body and changes only the timestamp and signature', () => {
      const token = plain.encode({ cart: ['a', 'b'] }, true, NOW);
      const decodedOnce = plain.decode(token, MAX_AGE, NOW);
      if (!decodedOnce.ok) throw new Error('decode failed');
      const later = NOW + 120_000;
      const refreshed = plain.resign(decodedOnce.session.body!, later);
      const [body1, ts1, sig1] = token.split('.');
      const [body2, ts2, sig2] = refreshed.split('.');
      expect(body2).toBe(body1);
      expect(ts2).not.toBe(ts1);
      expect(ts2).toBe((later / 1000).toString(36));
      expect(sig2).not.toBe(sig1);
      // The refreshed cookie lives longer: valid where the original has expired.
      expect(plain.decode(token, MAX_AGE, NOW + MAX_AGE + 60_000).ok).toBe(false);
      const again = decoded(plain.decode(refreshed, MAX_AGE, NOW + MAX_AGE + 60_000));
      expect(again.data).toEqual({ cart: ['a', 'b'] });
      expect(again.permanent).toBe(true);
    });

    it('resigns an encrypted body without re-encrypting it', () => {
      const token = encrypted.encode({ a: 1 }, false, NOW);
      const refreshed = encrypted.resign(bodyOf(token), NOW + 5000);
      expect(bodyOf(refreshed)).toBe(bodyOf(token));
      expect(decoded(encrypted.decode(refreshed, MAX_AGE, NOW + 5000)).data).toEqual({ a: 1 });
    });
  });
});
