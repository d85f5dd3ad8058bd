import fc from 'fast-check';
import { CookiePayloadCodec } from '../cookie/cookie-payload.js';
import {
  plausibleTime,
  sessionData,
  unicodeChar,
  unicodeString,
} from '../session-values.arbitraries.js';
import { SignedValues } from './signed-values.js';

// Property tests of signed cookie values. The example-based cases are in signed-values.spec.ts.

const SECRET = 'signed-values-property-secret-number-one-1';
const OLD_SECRET = 'signed-values-property-secret-number-zero0';
const signer = new SignedValues([SECRET]);
const oldSigner = new SignedValues([OLD_SECRET]);
const rotated = new SignedValues([SECRET, OLD_SECRET]);
const DAY = 86400_000;

function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/** Any string UTF-8 can carry (a lone surrogate cannot: set() refuses it before signing). */
const wellFormedValue = fc
  .string({ unit: fc.oneof(unicodeChar, fc.constant('.')), maxLength: 60 })
  .filter((value) => !hasLoneSurrogate(value));

/** A cookie name: a token. */
const cookieName = fc.string({
  unit: fc.constantFrom(..."!#$%&'*+-.^_`|~09azAZ"),
  minLength: 1,
  maxLength: 12,
});

/** When the token ends: never, or some time after it is signed. */
const expiry = fc.option(fc.integer({ min: 1000, max: 400 * DAY }), { freq: 3 });

describe('SignedValues (properties)', () => {
  // Guards the token format against values it could split wrongly (dots, unicode, empty):
  // what is signed comes back as it was, under the secret that signed it or after a rotation.
  it('verifies every value it signed, before its expiry', () => {
    fc.assert(
      fc.property(
        cookieName,
        wellFormedValue,
        plausibleTime,
        expiry,
        fc.boolean(),
        (name, value, now, lifetime, old) => {
          const expiresAt = lifetime === null ? undefined : now + lifetime;
          const token = (old ? oldSigner : signer).sign(name, value, expiresAt);
          // A lifetime of 1 s or more ends in a later whole second than `now`.
          expect(rotated.verify(name, token, now)).toBe(value);
          // Accepted until the whole second the expiry falls in, refused from it on.
          const lastAccepted =
            expiresAt === undefined ? now + 1000 * DAY : Math.floor(expiresAt / 1000) * 1000 - 1;
          expect(rotated.verify(name, token, lastAccepted)).toBe(value);
          if (expiresAt !== undefined)
            expect(
              rotated.verify(name, token, Math.floor(expiresAt / 1000) * 1000),
            ).toBeUndefined();
          expect((old ? signer : oldSigner).verify(name, token, now)).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  // Guards the MAC over the whole token and the name: one character substituted, a prefix,
  // anything appended, or another cookie's name is refused unless it is the token itself;
  // never a throw.
  it('refuses every token it did not produce', () => {
    const anyChar = fc.oneof(
      unicodeChar,
      fc.constantFrom('.', 'A', 'a', '0', '-', '_', '=', '+', '/'),
    );
    const tamper = fc.oneof(
      fc.tuple(fc.constant('substitute' as const), fc.nat(), anyChar),
      fc.tuple(fc.constant('truncate' as const), fc.nat(), fc.constant('')),
      fc.tuple(
        fc.constant('append' as const),
        fc.constant(0),
        fc.string({ unit: anyChar, minLength: 1, maxLength: 50 }),
      ),
    );
    fc.assert(
      fc.property(
        cookieName,
        wellFormedValue,
        plausibleTime,
        expiry,
        tamper,
        (name, value, now, lifetime, [how, at, text]) => {
          const token = signer.sign(name, value, lifetime === null ? undefined : now + lifetime);
          const index = at % token.length;
          const forged =
            how === 'substitute'
              ? token.slice(0, index) + text + token.slice(index + 1)
              : how === 'truncate'
                ? token.slice(0, index)
                : token + text;
          expect(rotated.verify(name, forged, now)).toBe(forged === token ? value : undefined);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a token under any other name', () => {
    fc.assert(
      fc.property(cookieName, cookieName, wellFormedValue, (name, other, value) => {
        fc.pre(name !== other);
        expect(signer.verify(other, signer.sign(name, value, undefined), 0)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  // Guards the parser: any text at all, under any name, is a value or undefined, never a throw.
  it('never throws on any text', () => {
    const text = fc.oneof(
      unicodeString(80),
      fc.string({ unit: fc.constantFrom('.', 'a', 'Z', '0', '-', '_', '='), maxLength: 80 }),
    );
    fc.assert(
      fc.property(unicodeString(10), text, plausibleTime, (name, token, now) => {
        expect(rotated.verify(name, token, now)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  // Guards the key separation: a session cookie made with the same secrets is never a signed
  // value, and a signed value (whatever it holds) is never a session cookie.
  it('the session cookie and signed values never pass for each other', () => {
    const codec = new CookiePayloadCodec([SECRET, OLD_SECRET], false);
    fc.assert(
      fc.property(
        sessionData,
        cookieName,
        wellFormedValue,
        plausibleTime,
        (data, name, value, now) => {
          const session = codec.encode(data, false, now);
          expect(rotated.verify(name, session, now)).toBeUndefined();
          expect(rotated.verify('session', session, now)).toBeUndefined();
          const signed = signer.sign(name, value, now + DAY);
          expect(codec.decode(signed, DAY, now).ok).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});
