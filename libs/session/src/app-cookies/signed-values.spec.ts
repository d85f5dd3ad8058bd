import { CookiePayloadCodec } from '../cookie/cookie-payload.js';
import { HmacSha256 } from '../cookie/hmac.js';
import { deriveKeys } from '../cookie/keys.js';
import { SignedValues } from './signed-values.js';

const SECRET = 'signed-values-spec-secret-number-one-0001';
const OLD_SECRET = 'signed-values-spec-secret-number-zero-000';
const OTHER_SECRET = 'signed-values-spec-secret-of-another-app-1';
const NOW = 1_700_000_000_000; // a whole second
const DAY = 86400_000;

const signer = new SignedValues([SECRET]);
const oldSigner = new SignedValues([OLD_SECRET]);
const rotated = new SignedValues([SECRET, OLD_SECRET]);

/**
 * Signs any body (`<value part>.<expiry part>`) exactly as SignedValues' key would, so a test
 * can show a check other than the MAC refusing a token.
 */
function forge(name: string, body: string, secret = SECRET): string {
  const mac = new HmacSha256(deriveKeys([secret], 'signed-cookie-values')[0]);
  return `${body}.${mac.sign(`${name}=${body}`)}`;
}

/** Verifies without ever letting a throw pass: a throw fails the test with what threw. */
function verify(token: string, name = 'c', by = signer, now = NOW): string | undefined {
  return by.verify(name, token, now);
}

describe('SignedValues', () => {
  it.each([
    ['ASCII', 'hello'],
    ['empty', ''],
    ['dots', 'a.b.c.'],
    ['unicode', 'café 日本 😀'],
    ['cookie-unsafe characters', ' ;",\\%='],
    ['long', 'x'.repeat(2000)],
  ])('gives back a %s value it signed', (_label, value) => {
    expect(verify(signer.sign('c', value, undefined))).toBe(value);
    expect(verify(signer.sign('c', value, NOW + DAY))).toBe(value);
  });

  it('writes `<base64url value>.<base-36 expiry>.<43-character MAC>`', () => {
    const token = signer.sign('c', 'hi', NOW + 1000);
    const [value, expiry, mac] = token.split('.');
    expect(value).toBe(Buffer.from('hi').toString('base64url'));
    expect(expiry).toBe(((NOW + 1000) / 1000).toString(36));
    expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signer.sign('c', 'hi', undefined).split('.')[1]).toBe('');
  });

  it('refuses a value signed for another cookie', () => {
    const token = signer.sign('cart', 'value', undefined);
    expect(verify(token, 'cart')).toBe('value');
    expect(verify(token, 'Cart')).toBeUndefined();
    expect(verify(token, 'cart2')).toBeUndefined();
    expect(verify(token, 'theme')).toBeUndefined();
  });

  it('refuses a value signed with a secret it does not hold', () => {
    const token = new SignedValues([OTHER_SECRET]).sign('c', 'value', undefined);
    expect(verify(token)).toBeUndefined();
    expect(verify(token, 'c', rotated)).toBeUndefined();
  });

  it('rotation: verifies with every secret, signs with the first', () => {
    const byOld = oldSigner.sign('c', 'value', undefined);
    expect(verify(byOld, 'c', rotated)).toBe('value');
    expect(verify(byOld, 'c', signer)).toBeUndefined();
    const byNew = rotated.sign('c', 'value', undefined);
    expect(byNew).toBe(signer.sign('c', 'value', undefined));
    expect(verify(byNew, 'c', rotated)).toBe('value');
    expect(verify(byNew, 'c', oldSigner)).toBeUndefined();
    // The secrets' order does not decide what verifies.
    expect(verify(byNew, 'c', new SignedValues([OLD_SECRET, SECRET]))).toBe('value');
  });

  describe('expiry', () => {
    const expiresAt = NOW + 60_000;
    const token = signer.sign('c', 'value', expiresAt);

    it('accepts the value until just before its expiry', () => {
      expect(verify(token, 'c', signer, NOW)).toBe('value');
      expect(verify(token, 'c', signer, expiresAt - 1)).toBe('value');
    });

    it('refuses it at and after its expiry', () => {
      expect(verify(token, 'c', signer, expiresAt)).toBeUndefined();
      expect(verify(token, 'c', signer, expiresAt + 1)).toBeUndefined();
      expect(verify(token, 'c', signer, expiresAt + 365 * DAY)).toBeUndefined();
    });

    it('rounds an expiry inside a second down to its whole second: never later than the browser', () => {
      const partial = signer.sign('c', 'value', expiresAt + 999);
      expect(verify(partial, 'c', signer, expiresAt - 1)).toBe('value');
      expect(verify(partial, 'c', signer, expiresAt)).toBeUndefined();
    });

    it('never refuses a value without an expiry for its age', () => {
      const lasting = signer.sign('c', 'value', undefined);
      expect(verify(lasting, 'c', signer, NOW + 100 * 365 * DAY)).toBe('value');
    });

    it('the expiry is under the signature: a later one is refused', () => {
      const later = ((expiresAt + 3600_000) / 1000).toString(36);
      const [value, , mac] = token.split('.');
      expect(verify(`${value}.${later}.${mac}`, 'c', signer, expiresAt + 1)).toBeUndefined();
      expect(verify(`${value}..${mac}`, 'c', signer, expiresAt + 1)).toBeUndefined();
    });
  });

  describe('malformed tokens: undefined, never a throw', () => {
    const good = signer.sign('c', 'value', undefined);
    const mac = good.slice(good.lastIndexOf('.') + 1);

    it.each([
      ['empty', ''],
      ['no dots', 'abcdef'],
      ['one dot', `dmFsdWU.${mac}`],
      ['a signature too short', good.slice(0, -1)],
      ['a signature too long', `${good}A`],
      ['only dots', '...'],
      ['a signature with a non-base64url character', `${good.slice(0, -1)}+`],
      ['a padded signature', `${good.slice(0, -1)}=`],
      ['a dot before the value', `.${good}`],
      ['a space', ` ${good}`],
      ['unicode', `é${good}`],
    ])('%s', (_label, token) => {
      expect(verify(token)).toBeUndefined();
    });

    it.each([
      ['a value part with "+"', 'a+b.'],
      ['a value part with "/"', 'a/b.'],
      ['a value part with padding', 'YQ==.'],
      ['a value part with a space', 'Y Q.'],
      ['an upper-case expiry', 'YQ.ZZ'],
      ['an expiry of 11 characters', 'YQ.zzzzzzzzzzz'],
      ['a negative expiry', 'YQ.-1'],
      ['an expiry with a dot', 'YQ.1.2'],
    ])('correctly signed, but %s', (_label, body) => {
      expect(verify(forge('c', body))).toBeUndefined();
    });

    it('correctly signed, but base64url that is not canonical (one value, one spelling)', () => {
      // 'YQ' is 'a'; 'YR' decodes to 'a' too (its spare bits set).
      expect(Buffer.from('YR', 'base64url').toString()).toBe('a');
      expect(verify(forge('c', 'YQ.'))).toBe('a');
      expect(verify(forge('c', 'YR.'))).toBeUndefined();
      expect(verify(forge('c', 'YWI.'))).toBe('ab');
      expect(verify(forge('c', 'YWJ.'))).toBeUndefined();
    });

    it('(the forged tokens are refused for their form, not their MAC)', () => {
      expect(verify(forge('c', 'dmFsdWU.'))).toBe('value');
      expect(verify(forge('c', `dmFsdWU.${(NOW / 1000 + 1).toString(36)}`))).toBe('value');
    });
  });

  describe('the session cookie and signed values never pass for each other', () => {
    const codec = new CookiePayloadCodec([SECRET], false);
    const encrypted = new CookiePayloadCodec([SECRET], true);

    it('refuses a session cookie of the same secrets as a signed value', () => {
      for (const session of [
        codec.encode({ user: 'ana' }, false, NOW),
        codec.encode({ user: 'ana' }, true, NOW),
        encrypted.encode({ user: 'ana' }, false, NOW),
      ]) {
        // Its form alone would pass: base64url, a base-36 part and a 43-character MAC.
        expect(session).toMatch(/^[A-Za-z0-9_-]+\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
        for (const name of ['session', 'c', ''])
          expect(rotated.verify(name, session, NOW)).toBeUndefined();
      }
    });

    it('refuses a signed value as a session cookie', () => {
      for (const token of [
        signer.sign('session', 'jeyJ1c2VyIjoiYW5hIn0', undefined),
        signer.sign('session', '{"user":"ana"}', NOW + DAY),
        signer.sign('session', '', NOW + DAY),
      ]) {
        expect(codec.decode(token, DAY, NOW).ok).toBe(false);
        expect(encrypted.decode(token, DAY, NOW).ok).toBe(false);
      }
    });
  });
});
