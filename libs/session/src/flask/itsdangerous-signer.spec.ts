import { createHmac } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { CookiePayloadCodec } from '../cookie/cookie-payload.js';
import { FLASK_SALT, ItsdangerousSigner } from './itsdangerous-signer.js';
import {
  COMPRESSED,
  LOGIN,
  OTHER_SALT,
  RICH,
  SECRET_A,
  SECRET_B,
  SIGNED_AT_MS,
  UNDER_B,
} from './flask.vectors.js';

const DAY = 86400_000;
const signer = new ItsdangerousSigner([SECRET_A]);

function payloadOf(cookie: string): string {
  return cookie.slice(0, cookie.lastIndexOf('.', cookie.lastIndexOf('.') - 1));
}

function unsigned(cookie: string, s = signer, nowMs = SIGNED_AT_MS) {
  return s.unsign(cookie, 31 * DAY, nowMs);
}

describe('ItsdangerousSigner', () => {
  describe("Flask's own cookies (known answers)", () => {
    it('signs exactly as Flask: the same payload and time give the same cookie', () => {
      for (const { cookie } of [LOGIN, RICH, COMPRESSED]) {
        expect(signer.sign(payloadOf(cookie), SIGNED_AT_MS)).toBe(cookie);
      }
    });

    it('verifies them and gives back the payload and the signing time', () => {
      const result = unsigned(LOGIN.cookie);
      expect(result).toEqual({
        ok: true,
        payload: payloadOf(LOGIN.cookie),
        signedAt: SIGNED_AT_MS,
        keyIndex: 0,
      });
    });

    it('packs JSON as Flask does when it is not compressed', () => {
      expect(signer.pack('{"logged_in":true,"username":"alice"}')).toBe(payloadOf(LOGIN.cookie));
    });

    it("opens Flask's compressed payloads", () => {
      const json = signer.unpack(payloadOf(COMPRESSED.cookie));
      expect(JSON.parse(json)).toEqual(COMPRESSED.data);
    });

    it('uses the salt: the default is cookie-session, another salt is another key', () => {
      expect(FLASK_SALT).toBe('cookie-session');
      expect(unsigned(OTHER_SALT.cookie)).toEqual({ ok: false, reason: 'bad-signature' });
      const salted = new ItsdangerousSigner([SECRET_A], OTHER_SALT.salt);
      expect(unsigned(OTHER_SALT.cookie, salted)).toMatchObject({ ok: true });
      expect(unsigned(LOGIN.cookie, salted)).toEqual({ ok: false, reason: 'bad-signature' });
    });

    it('signs with the first secret and verifies with all (rotation)', () => {
      const rotated = new ItsdangerousSigner([SECRET_A, SECRET_B]);
      expect(unsigned(UNDER_B.cookie, rotated)).toMatchObject({ ok: true, keyIndex: 1 });
      expect(unsigned(LOGIN.cookie, rotated)).toMatchObject({ ok: true, keyIndex: 0 });
      expect(rotated.sign('e30', SIGNED_AT_MS)).toBe(signer.sign('e30', SIGNED_AT_MS));
      expect(unsigned(UNDER_B.cookie)).toEqual({ ok: false, reason: 'bad-signature' });
    });
  });

  describe('packing', () => {
    it('compresses only when that saves at least 2 bytes, marking it with a dot', () => {
      const big = JSON.stringify({ items: 'abc'.repeat(100) });
      expect(signer.pack(big).startsWith('.')).toBe(true);
      expect(signer.unpack(signer.pack(big))).toBe(big);
      expect(signer.pack('{"a":1}')).toBe(Buffer.from('{"a":1}').toString('base64url'));
    });

    it('does not compress for a saving of 1 byte (as itsdangerous)', () => {
      const json = '{"a":"ababababababx0"}';
      expect(deflateSync(json).length).toBe(json.length - 1);
      expect(signer.pack(json)).toBe(Buffer.from(json).toString('base64url'));
    });

    it('writes zlib with its header (Python zlib.compress), not raw deflate', () => {
      const packed = signer.pack(JSON.stringify({ items: 'abc'.repeat(100) }));
      expect(Buffer.from(packed.slice(1), 'base64url')[0]).toBe(0x78);
    });
  });

  describe('refuses', () => {
    const cookie = LOGIN.cookie;
    const [payload, timestamp, signature] = cookie.split('.');

    function flip(text: string, at: number): string {
      return text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    }

    it.each([
      ['a changed payload', `${flip(payload, 5)}.${timestamp}.${signature}`],
      ['a changed timestamp', `${payload}.${flip(timestamp, 3)}.${signature}`],
      ['a changed signature', `${payload}.${timestamp}.${flip(signature, 10)}`],
      [
        "the signature's other spelling (its spare bits)",
        `${payload}.${timestamp}.${signature.slice(0, -1)}B`,
      ],
      ['a payload marked compressed that was not', `.${cookie}`],
      ['a cookie signed under another secret', UNDER_B.cookie],
    ])('%s: bad signature', (_, tampered) => {
      expect(unsigned(tampered)).toEqual({ ok: false, reason: 'bad-signature' });
    });

    it.each([
      ['one character short', cookie.slice(0, -1)],
      ['without its signature', `${payload}.${timestamp}`],
      ['only the payload', payload],
      ['empty', ''],
      ['with trailing data', `${cookie}.AAAA`],
      ['a timestamp outside base64url', `${payload}.ZVP*AA.${signature}`],
      ['an empty payload', `.${timestamp}.${signature}`],
    ])('%s: malformed', (_, broken) => {
      expect(unsigned(broken)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('a cookie older than the max age, and one from beyond a minute in the future', () => {
      const max = 31 * DAY;
      expect(signer.unsign(cookie, max, SIGNED_AT_MS + max)).toMatchObject({ ok: true });
      expect(signer.unsign(cookie, max, SIGNED_AT_MS + max + 1000)).toEqual({
        ok: false,
        reason: 'expired',
      });
      expect(signer.unsign(cookie, max, SIGNED_AT_MS - 60_000)).toMatchObject({ ok: true });
      expect(signer.unsign(cookie, max, SIGNED_AT_MS - 61_000)).toEqual({
        ok: false,
        reason: 'expired',
      });
    });

    it('a signed timestamp that is not canonical (leading zero byte) before any use', () => {
      const zeroLed = Buffer.from([0, 0x65, 0x53, 0xf1, 0]).toString('base64url');
      const signed = `${payload}.${zeroLed}`;
      const mac = createHmac('sha1', createHmac('sha1', SECRET_A).update('cookie-session').digest())
        .update(signed)
        .digest('base64url');
      expect(unsigned(`${signed}.${mac}`)).toEqual({
        ok: false,
        reason: 'malformed',
      });
    });

    it("this module's CookieStore cookie, and a Flask cookie offered to CookieStore", () => {
      const codec = new CookiePayloadCodec([SECRET_A], false);
      const ours = codec.encode({ username: 'alice', logged_in: true }, false, SIGNED_AT_MS);
      expect(unsigned(ours).ok).toBe(false);
      expect(codec.decode(LOGIN.cookie, 31 * DAY, SIGNED_AT_MS).ok).toBe(false);
      expect(codec.decode(RICH.cookie, 31 * DAY, SIGNED_AT_MS).ok).toBe(false);
    });

    it('a deflate bomb: inflating stops at 64 KB', () => {
      const bomb = `.${deflateSync(Buffer.alloc(10 * 1024 * 1024, 0x20)).toString('base64url')}`;
      expect(bomb.length).toBeLessThan(20_000);
      expect(() => signer.unpack(bomb)).toThrow(/larger than 65536/);
      const fits = `.${deflateSync(Buffer.alloc(60 * 1024, 0x20)).toString('base64url')}`;
      expect(signer.unpack(fits)).toHaveLength(60 * 1024);
    });

    it('payloads that are not canonical base64url, not zlib, or not UTF-8', () => {
      expect(() => signer.unpack('eyJhIjoxfQ=')).toThrow();
      expect(() => signer.unpack('eyJhIjoxfR')).toThrow(); // spare bits set
      expect(() => signer.unpack('.eyJhIjoxfQ')).toThrow();
      expect(() => signer.unpack(Buffer.from([0xff, 0xfe]).toString('base64url'))).toThrow();
    });
  });
});
