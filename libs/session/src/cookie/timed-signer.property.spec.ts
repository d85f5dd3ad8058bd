import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { plausibleTime, unicodeChar, unicodeString } from '../session-values.arbitraries.js';
import { HmacSha256, equalInConstantTime } from './hmac.js';
import { deriveKeys } from './keys.js';
import { TimedSigner } from './timed-signer.js';

// Property tests of the signer and its HMAC. The example-based cases are in
// timed-signer.spec.ts.

const SECRET = 'property-tests-signer-secret-number-one-01';
const OLD_SECRET = 'property-tests-signer-secret-number-zero-0';
const signer = new TimedSigner(deriveKeys([SECRET], 'cookie-signing'));
const oldSigner = new TimedSigner(deriveKeys([OLD_SECRET], 'cookie-signing'));
const rotatedSigner = new TimedSigner(deriveKeys([SECRET, OLD_SECRET], 'cookie-signing'));
const DAY = 86400_000;

/** A code point from U+0080 up: 2, 3 or 4 bytes of UTF-8 (a lone surrogate: 3, as U+FFFD). */
const multibyteChar = fc
  .oneof(
    fc.integer({ min: 0x80, max: 0x7ff }),
    fc.integer({ min: 0x800, max: 0xffff }),
    fc.integer({ min: 0x10000, max: 0x10ffff }),
  )
  .map((point) => String.fromCodePoint(point));

/**
 * A message of 4086 to 4100 bytes of UTF-8 (the HMAC writes messages into a 4096-byte scratch
 * space): some unicode up front, 'x' filler, and multibyte characters at the very end, so that
 * the scratch space's end falls inside one of them.
 */
const nearScratchEnd = fc
  .record({
    head: unicodeString(20),
    tail: fc.array(multibyteChar, { minLength: 1, maxLength: 4 }),
    bytes: fc.integer({ min: 4086, max: 4100 }),
  })
  .map(({ head, tail, bytes }) => {
    const fixed = Buffer.byteLength(head) + Buffer.byteLength(tail.join(''));
    return head + 'x'.repeat(bytes - fixed) + tail.join('');
  });

/** Any message a MAC may be asked for: short, near the scratch space's end, or beyond it. */
const message = fc.oneof(
  unicodeString(64),
  nearScratchEnd,
  fc
    .tuple(unicodeString(8, 1), fc.integer({ min: 500, max: 1500 }))
    .map(([chunk, times]) => chunk.repeat(times)),
);

/** Keys of every length class: empty, short, one block (64 bytes), longer (hashed first). */
const hmacKey = fc
  .oneof(fc.uint8Array({ maxLength: 70 }), fc.uint8Array({ minLength: 60, maxLength: 200 }))
  .map((bytes) => Buffer.from(bytes));

/** A value to sign: any non-empty text without lone surrogates (see the tampering property). */
const wellFormedValue = fc
  .string({ unit: fc.oneof(unicodeChar, fc.constant('.')), minLength: 1, maxLength: 40 })
  .filter((value) => !hasLoneSurrogate(value));

function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

describe('HmacSha256 (properties)', () => {
  // Guards the hand-rolled HMAC (scratch buffers, key padding, one-shot hashes) against
  // createHmac, for keys of all lengths and messages of every size, especially those whose
  // UTF-8 ends near the 4096-byte scratch space, cut inside a multibyte character. One MAC
  // object signs a whole sequence, so nothing of a long message may leak into the next.
  it('signs exactly as createHmac, message after message', () => {
    fc.assert(
      fc.property(hmacKey, fc.array(message, { minLength: 1, maxLength: 4 }), (key, messages) => {
        const mac = new HmacSha256(key);
        const ours = messages.map((text) => mac.sign(text));
        const reference = messages.map((text) =>
          createHmac('sha256', key).update(text).digest('base64url'),
        );
        expect(ours).toEqual(reference);
      }),
      { numRuns: 200 },
    );
  });

  // Guards the test above against saying less than it seems to: the edge messages must
  // really end around the scratch space's end.
  it('(the edge messages are 4086 to 4100 bytes long)', () => {
    fc.assert(
      fc.property(nearScratchEnd, (text) => {
        const bytes = Buffer.byteLength(text);
        expect(bytes >= 4086 && bytes <= 4100).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  // Guards the signature comparison: it must say "equal" exactly when === does, for strings
  // of any length and content, equal ones and ones that differ in one code unit included.
  it('equalInConstantTime agrees with ===', () => {
    const text = fc.string({ unit: unicodeChar, maxLength: 50 });
    const pair = fc.oneof(
      fc.tuple(text, text),
      text.map((a) => [a, `${a}`] as [string, string]),
      fc
        .tuple(
          text.filter((a) => a.length > 0),
          fc.nat(),
          fc.integer({ min: 0, max: 0xffff }),
        )
        .map(([a, at, unit]): [string, string] => {
          const index = at % a.length;
          return [a, a.slice(0, index) + String.fromCharCode(unit) + a.slice(index + 1)];
        }),
    );
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(equalInConstantTime(a, b)).toBe(a === b);
      }),
      { numRuns: 300 },
    );
  });
});

describe('TimedSigner (properties)', () => {
  // Guards the token format against values it could split wrongly (dots, unicode): what is
  // signed comes back as it was, with the signing time in whole seconds, under the key that
  // signed it (the old one after a rotation: index 1).
  it('unsigns every value it signed', () => {
    fc.assert(
      fc.property(wellFormedValue, plausibleTime, fc.boolean(), (value, now, old) => {
        const token = (old ? oldSigner : signer).sign(value, now);
        expect(rotatedSigner.unsign(token, DAY, now)).toEqual({
          ok: true,
          value,
          signedAt: Math.floor(now / 1000) * 1000,
          keyIndex: old ? 1 : 0,
        });
      }),
      { numRuns: 200 },
    );
  });

  // Guards the age check: a token verifies exactly when it is at most maxAge old and at most
  // 60 s from the future (clock skew), its age counted from the signing second. An expired
  // token, and one signed further ahead, are refused as 'expired'. Two thirds of the cases
  // are read within two seconds of either limit, the limits themselves included.
  it('verifies exactly within its age limits', () => {
    const maxAge = fc.integer({ min: 1000, max: 400 * DAY });
    const nearLimit = fc.oneof(fc.constantFrom(-1, 0, 1), fc.integer({ min: -2000, max: 2000 }));
    /** When the token is read, from its signing second: anywhere, or near a limit. */
    const readAt = fc.oneof(
      fc.tuple(fc.constant('anywhere' as const), fc.integer({ min: -800 * DAY, max: 800 * DAY })),
      fc.tuple(fc.constantFrom('maxAge' as const, 'skew' as const), nearLimit),
    );
    fc.assert(
      fc.property(plausibleTime, maxAge, readAt, (signedAt, maxAgeMs, [near, shift]) => {
        const second = Math.floor(signedAt / 1000) * 1000;
        const age = (near === 'maxAge' ? maxAgeMs : near === 'skew' ? -60_000 : 0) + shift;
        const result = signer.unsign(signer.sign('value', signedAt), maxAgeMs, second + age);
        if (age >= -60_000 && age <= maxAgeMs) expect(result.ok).toBe(true);
        else expect(result).toEqual({ ok: false, reason: 'expired' });
      }),
      { numRuns: 300 },
    );
  });

  // Guards the signature over all of `value.timestamp` for any value, dots included (which
  // move where the timestamp seems to start): one character substituted, a prefix, or
  // anything appended is refused unless the result is the token itself. Lone surrogates are
  // left out: see the note at wellFormedValue.
  it('refuses every token it did not produce', () => {
    const anyChar = fc
      .oneof(unicodeChar, fc.constantFrom('.', 'A', '0'))
      .filter((char) => !hasLoneSurrogate(char));
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
      fc.property(wellFormedValue, plausibleTime, tamper, (value, now, [how, at, text]) => {
        const token = signer.sign(value, now);
        const index = at % token.length;
        const forged =
          how === 'substitute'
            ? token.slice(0, index) + text + token.slice(index + 1)
            : how === 'truncate'
              ? token.slice(0, index)
              : token + text;
        expect(signer.unsign(forged, DAY, now).ok).toBe(forged === token);
      }),
      { numRuns: 300 },
    );
  });
});
