import fc from 'fast-check';
import { deflateRawSync } from 'node:zlib';
import {
  expectStoredAs,
  holdsDate,
  plausibleTime,
  protoJsonText,
  prototypeChanges,
  prototypeProblems,
  sessionData,
  storableKey,
  storableValue,
  storedForm,
  unicodeChar,
  unicodeString,
  withoutProtoKeys,
} from '../session-values.arbitraries.js';
import { RequestSession } from '../session.js';
import { CookiePayloadCodec, type DecodeResult, type DecodedCookie } from './cookie-payload.js';
import { deriveKeys } from './keys.js';
import { TimedSigner } from './timed-signer.js';

// Property tests of the cookie store's value: what is encoded decodes to the same session,
// and nothing but an untouched token signed under a held key decodes at all. The example-based
// cases are in cookie-payload.spec.ts.

const SECRETS = ['property-tests-secret-number-one-0123456789'];
const OLD_SECRETS = ['property-tests-secret-number-zero-012345678'];
const FOREIGN_SECRETS = ['someone-elses-secret-for-property-tests-01'];
/** Long enough for every token here: they are read back at (about) their signing time. */
const MAX_AGE = 400 * 86400_000;

/** Codecs by [secrets][encrypt]: ours, ours after a rotation (old key still held), a stranger's. */
const codecs = {
  ours: {
    plain: new CookiePayloadCodec(SECRETS, false),
    sealed: new CookiePayloadCodec(SECRETS, true),
  },
  rotated: {
    plain: new CookiePayloadCodec([...SECRETS, ...OLD_SECRETS], false),
    sealed: new CookiePayloadCodec([...SECRETS, ...OLD_SECRETS], true),
  },
  old: {
    plain: new CookiePayloadCodec(OLD_SECRETS, false),
    sealed: new CookiePayloadCodec(OLD_SECRETS, true),
  },
  foreign: {
    plain: new CookiePayloadCodec(FOREIGN_SECRETS, false),
    sealed: new CookiePayloadCodec(FOREIGN_SECRETS, true),
  },
};
type Packing = 'plain' | 'sealed';
const ourSigner = new TimedSigner(deriveKeys(SECRETS, 'cookie-signing'));

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function decoded(result: DecodeResult): DecodedCookie {
  if (!result.ok) throw new Error(`expected a session, got ${result.reason}`);
  return result.session;
}

/** The three dot-separated parts of a token (bodies and timestamps hold no dot). */
function segments(token: string): [body: string, timestamp: string, signature: string] {
  const [body, timestamp, signature] = token.split('.');
  return [body, timestamp, signature];
}

/**
 * What a decode may return for a body signed under our key: 'malformed', or a sane session
 * (a plain object of data, no Date nor array, nothing odd inside; a flag; an issue time).
 */
function expectMalformedOrSane(result: DecodeResult): void {
  if (!result.ok) {
    expect(result).toEqual({ ok: false, reason: 'malformed' });
    return;
  }
  const { data, permanent, issuedAt } = result.session;
  expect({
    plainObject: Object.getPrototypeOf(data) === Object.prototype,
    problems: prototypeProblems(data),
    permanent: typeof permanent,
    issuedAt: Number.isSafeInteger(issuedAt) && issuedAt >= 0,
  }).toEqual({ plainObject: true, problems: [], permanent: 'boolean', issuedAt: true });
}

/** One cookie to encode: its data, flag and times, and whether the store encrypts. */
const cookieCase = fc.record({
  data: sessionData,
  permanent: fc.boolean(),
  issuedAt: plausibleTime,
  signedAt: plausibleTime,
  packing: fc.constantFrom<Packing>('plain', 'sealed'),
});

/** A valid token of a small session (short, so that checking all its prefixes stays cheap). */
const smallToken = fc
  .record({
    data: fc.dictionary(storableKey, storableValue, { maxKeys: 3, noNullPrototype: true }),
    permanent: fc.boolean(),
    issuedAt: plausibleTime,
    signedAt: plausibleTime,
    packing: fc.constantFrom<Packing>('plain', 'sealed'),
  })
  .map((c) => ({
    ...c,
    token: codecs.ours[c.packing].encode(c.data, c.permanent, c.signedAt, c.issuedAt),
  }));

/** A valid token of any session, large (deflated) ones included. */
const anyToken = cookieCase.map((c) => ({
  ...c,
  token: codecs.ours[c.packing].encode(c.data, c.permanent, c.signedAt, c.issuedAt),
}));

describe('CookiePayloadCodec (properties)', () => {
  describe('round trips', () => {
    // Guards against any session coming back different: data (Dates as Dates, unicode, nested
    // values), the permanent flag, the issue time, the signing time (whole seconds), the body
    // handed back for a cheap refresh, and the Date flag that lets the next save skip the
    // replacer. Covers all three packings: plain 'j', deflated 'z' and encrypted 'e'.
    it('every session decodes as it was encoded', () => {
      const kinds = { j: 0, z: 0, e: 0 };
      fc.assert(
        fc.property(cookieCase, ({ data, permanent, issuedAt, signedAt, packing }) => {
          const codec = codecs.ours[packing];
          const token = codec.encode(data, permanent, signedAt, issuedAt);
          const kind = token[0] as keyof typeof kinds;
          kinds[kind]++;
          expect(packing === 'sealed' ? ['e'] : ['j', 'z']).toContain(kind);

          const { data: back, ...session } = decoded(codec.decode(token, MAX_AGE, signedAt));
          expectStoredAs(back, storedForm(data));
          expect(session).toEqual({
            permanent,
            issuedAt,
            signedAt: Math.floor(signedAt / 1000) * 1000,
            body: segments(token)[0],
            mayHoldDates: holdsDate(data) ? true : expect.any(Boolean),
          });
        }),
        { numRuns: 150 },
      );
      // The cases must reach every packing, or the property says less than it seems to.
      expect(kinds.j).toBeGreaterThan(0);
      expect(kinds.z).toBeGreaterThan(0);
      expect(kinds.e).toBeGreaterThan(0);
    });

    // Guards the refresh path: the body as decoded, re-signed later, is the same session.
    it('a re-signed body decodes to the same session, signed at the later time', () => {
      fc.assert(
        fc.property(
          anyToken,
          fc.integer({ min: 0, max: MAX_AGE }),
          ({ token, packing, signedAt }, later) => {
            const codec = codecs.ours[packing];
            const first = decoded(codec.decode(token, MAX_AGE, signedAt));
            const refreshed = codec.resign(first.body!, signedAt + later);
            const { data, ...again } = decoded(codec.decode(refreshed, MAX_AGE, signedAt + later));
            expectStoredAs(data, first.data);
            expect(again).toEqual({
              permanent: first.permanent,
              issuedAt: first.issuedAt,
              signedAt: Math.floor((signedAt + later) / 1000) * 1000,
              body: first.body,
              mayHoldDates: first.mayHoldDates,
            });
          },
        ),
        { numRuns: 100 },
      );
    });

    // Guards the path a request takes: session.set() (which refuses bad keys, and tracks
    // whether a Date was stored), then the save, then the next request's load, twice over
    // (the second save relies on the Date flag the cookie came back with). Whatever set()
    // accepted must be what the next requests read, under the same keys.
    it('whatever session.set() accepts, the next requests read back', () => {
      const refused = ['', '__proto__', '\u0000date'];
      const topLevelKey = fc.oneof(storableKey, fc.constantFrom(...refused));
      fc.assert(
        fc.property(
          fc.array(fc.tuple(topLevelKey, storableValue), { maxLength: 6 }),
          fc.boolean(),
          plausibleTime,
          fc.constantFrom<Packing>('plain', 'sealed'),
          (entries, permanent, now, packing) => {
            const codec = codecs.ours[packing];
            const first = new RequestSession(true, undefined);
            const accepted = new Map<string, unknown>();
            for (const [key, value] of entries) {
              try {
                first.set(key, value);
                accepted.set(key, value);
              } catch (error) {
                // Only the keys set() refuses, and with a TypeError; every value is storable.
                expect(error).toBeInstanceOf(TypeError);
                expect(refused).toContain(key);
              }
            }
            first.permanent = permanent;
            const expected = Object.fromEntries(
              [...accepted].map(([key, value]) => [key, storedForm(value)]),
            );

            let session: RequestSession = first;
            for (let hop = 1; hop <= 2; hop++) {
              const at = now + hop * 1000;
              const token = codec.encode(
                session.snapshotData(),
                session.permanent,
                at,
                session.issuedAt ?? now,
                session.mayHoldDates,
              );
              session = new RequestSession(false, decoded(codec.decode(token, MAX_AGE, at)));
              const read = Object.fromEntries(session.keys().map((key) => [key, session.get(key)]));
              expectStoredAs(read, expected);
              expect({ permanent: session.permanent, issuedAt: session.issuedAt }).toEqual({
                permanent,
                issuedAt: now,
              });
            }
          },
        ),
        { numRuns: 150 },
      );
    });

    // Guards the codec's 8 KB scratch buffer: packed text of about 8180 to 8200 bytes, with
    // multibyte characters (and lone surrogates, escaped by JSON) right at the cut, must not
    // be cut short or mixed with an earlier cookie's bytes. encode() deflates such text, so
    // the plain 'j' path of decode is reached with a hand-made body, whose length falls on
    // either side of the largest the scratch can unpack (10922 characters).
    it('text near the end of the scratch buffer packs and unpacks intact', () => {
      const nearEdge = fc.record({
        head: unicodeString(20),
        tail: fc.array(unicodeChar, { minLength: 1, maxLength: 4 }),
        bytes: fc.integer({ min: 8180, max: 8200 }),
        issuedAt: plausibleTime,
      });
      fc.assert(
        fc.property(nearEdge, ({ head, tail, bytes, issuedAt }) => {
          const codec = codecs.ours.plain;
          const prefix = `S${issuedAt.toString(36)}`;
          const without = `${prefix}${JSON.stringify({ text: head + tail.join('') })}`;
          const filler = 'x'.repeat(Math.max(0, bytes - Buffer.byteLength(without)));
          const data = { text: head + filler + tail.join('') };
          const plainText = prefix + JSON.stringify(data);

          // Through encode (the pack side of the scratch).
          const token = codec.encode(data, false, issuedAt, issuedAt);
          expect(decoded(codec.decode(token, MAX_AGE, issuedAt)).data).toEqual(data);

          // A hand-made plain body (the unpack side), between a short cookie and another.
          codec.decode(
            codec.encode({ other: 'y'.repeat(100) }, false, issuedAt),
            MAX_AGE,
            issuedAt,
          );
          const body = `j${Buffer.from(plainText, 'utf8').toString('base64url')}`;
          const session = decoded(codec.decode(ourSigner.sign(body, issuedAt), MAX_AGE, issuedAt));
          expect(session.data).toEqual(data);
          expect(session.issuedAt).toBe(issuedAt);
        }),
        { numRuns: 40 },
      );
    });
  });

  describe('tampering never verifies, and never throws', () => {
    // Guards the signature over every character of the token: any one character changed
    // (to another base64url character, a dot, or anything) is refused, unless it was
    // replaced by itself. A throw anywhere in decode fails the property as well.
    it('a single character substituted anywhere', () => {
      const replacement = fc.oneof(fc.constantFrom(...BASE64URL, '.'), unicodeChar);
      fc.assert(
        fc.property(anyToken, fc.nat(), replacement, ({ token, packing, signedAt }, at, char) => {
          const index = at % token.length;
          const forged = token.slice(0, index) + char + token.slice(index + 1);
          const result = codecs.ours[packing].decode(forged, MAX_AGE, signedAt);
          expect(result.ok).toBe(forged === token);
        }),
        { numRuns: 300 },
      );
    });

    // Guards the text comparison of signatures: 32 bytes take 43 base64url characters with 2
    // bits to spare, so the last character has 3 other spellings of the very same MAC. The
    // signer compares canonical text, so each must be refused.
    it('every non-canonical spelling of the signature', () => {
      fc.assert(
        fc.property(smallToken, ({ token, packing, signedAt }) => {
          const last = BASE64URL.indexOf(token[token.length - 1]);
          const spellings = [1, 2, 3].map((spare) => token.slice(0, -1) + BASE64URL[last ^ spare]);
          const mac = (t: string) => Buffer.from(segments(t)[2], 'base64url').toString('hex');
          expect(spellings.map(mac)).toEqual([mac(token), mac(token), mac(token)]);
          const results = spellings.map((t) => codecs.ours[packing].decode(t, MAX_AGE, signedAt));
          expect(results).toEqual(Array(3).fill({ ok: false, reason: 'bad-signature' }));
        }),
        { numRuns: 100 },
      );
    });

    // Guards against accepting part of a token: every proper prefix is refused.
    it('every truncation', () => {
      fc.assert(
        fc.property(smallToken, ({ token, packing, signedAt }) => {
          const codec = codecs.ours[packing];
          const prefixes = Array.from({ length: token.length }, (_, n) => token.slice(0, n));
          const accepted = prefixes.filter((prefix) => codec.decode(prefix, MAX_AGE, signedAt).ok);
          expect(accepted).toEqual([]);
        }),
        { numRuns: 40 },
      );
    });

    // Guards against accepting more than was signed: anything appended, or any tail retyped,
    // is refused unless it spells the very token again.
    it('extensions and retyped tails', () => {
      const tail = fc.string({
        unit: fc.oneof(fc.constantFrom(...BASE64URL, '.'), unicodeChar),
        minLength: 1,
        maxLength: 60,
      });
      fc.assert(
        fc.property(smallToken, fc.nat(), tail, ({ token, packing, signedAt }, at, extra) => {
          const codec = codecs.ours[packing];
          expect(codec.decode(token + extra, MAX_AGE, signedAt).ok).toBe(false);
          const retyped = token.slice(0, at % (token.length + 1)) + extra;
          expect(codec.decode(retyped, MAX_AGE, signedAt).ok).toBe(retyped === token);
        }),
        { numRuns: 200 },
      );
    });

    // Guards the signature over the packed bytes: one bit of the decoded body flipped (the
    // plain JSON, the deflate stream, or the IV, ciphertext or tag) is refused. Signed again
    // under our key, the same body must still never throw: the packing ('z' inflation, GCM)
    // and the JSON are then what refuse it, or it is a sane session.
    it('bit flips in the body bytes', () => {
      fc.assert(
        fc.property(anyToken, fc.nat(), fc.nat(7), ({ token, packing, signedAt }, at, bit) => {
          const codec = codecs.ours[packing];
          const [body, timestamp, signature] = segments(token);
          const bytes = Buffer.from(body.slice(1), 'base64url');
          bytes[at % bytes.length] ^= 1 << bit;
          const flipped = `${body[0]}${bytes.toString('base64url')}`;
          const kept = codec.decode(`${flipped}.${timestamp}.${signature}`, MAX_AGE, signedAt);
          expect(kept).toEqual({ ok: false, reason: 'bad-signature' });
          const resigned = codec.decode(ourSigner.sign(flipped, signedAt), MAX_AGE, signedAt);
          if (packing === 'sealed') expect(resigned).toEqual({ ok: false, reason: 'malformed' });
          else expectMalformedOrSane(resigned);
        }),
        { numRuns: 150 },
      );
    });

    // Guards against segments moved around, within a token or between two valid tokens: a
    // signature vouches for its own body and timestamp only.
    it('segments swapped within a token and between tokens', () => {
      fc.assert(
        fc.property(
          smallToken,
          smallToken,
          fc.integer({ min: 0, max: 3600_000 }),
          fc.boolean(),
          (one, two, later, sealed) => {
            const codec = codecs.ours[sealed ? 'sealed' : 'plain'];
            const now = one.signedAt + later;
            const tokens = [
              codec.encode(one.data, one.permanent, one.signedAt, one.issuedAt),
              codec.encode(two.data, two.permanent, now, two.issuedAt),
            ];
            const parts = tokens.map(segments);
            const candidates: string[] = [];
            for (const b of [0, 1])
              for (const t of [0, 1])
                for (const s of [0, 1])
                  candidates.push(`${parts[b][0]}.${parts[t][1]}.${parts[s][2]}`);
            const [body, timestamp, signature] = parts[0];
            for (const order of [
              [body, signature, timestamp],
              [timestamp, body, signature],
              [timestamp, signature, body],
              [signature, body, timestamp],
              [signature, timestamp, body],
            ])
              candidates.push(order.join('.'));
            const accepted = candidates.filter((c) => codec.decode(c, MAX_AGE, now).ok);
            expect(accepted).toEqual(candidates.filter((c) => tokens.includes(c)));
          },
        ),
        { numRuns: 100 },
      );
    });

    // Guards the boundary against whatever a client sends: any string, any bytes read as
    // latin1 (how Node reads headers) or UTF-8, and strings shaped like a token (a kind, a
    // base64url body, a current timestamp, 43 signature characters), which get as far as the
    // signature check and must stop there.
    it('arbitrary strings, bytes and token-shaped strings', () => {
      const base64url = (minLength: number, maxLength: number) =>
        fc.string({ unit: fc.constantFrom(...BASE64URL), minLength, maxLength });
      const tokenShaped = fc
        .tuple(fc.constantFrom('j', 'z', 'e'), base64url(1, 200), plausibleTime, base64url(43, 43))
        .map(([kind, body, now, signature]) => ({
          token: `${kind}${body}.${Math.floor(now / 1000).toString(36)}.${signature}`,
          now,
          shaped: true,
        }));
      const junk = fc
        .tuple(
          fc.oneof(
            fc.string({ unit: unicodeChar, maxLength: 300 }),
            fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
            fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')),
          ),
          plausibleTime,
        )
        .map(([token, now]) => ({ token, now, shaped: false }));
      fc.assert(
        fc.property(
          fc.oneof(tokenShaped, junk),
          fc.constantFrom<Packing>('plain', 'sealed'),
          ({ token, now, shaped }, packing) => {
            const result = codecs.ours[packing].decode(token, MAX_AGE, now);
            expect(result.ok).toBe(false);
            if (shaped) expect(result).toEqual({ ok: false, reason: 'bad-signature' });
          },
        ),
        { numRuns: 300 },
      );
    });

    // Guards key handling: a token verifies exactly when a key the decoder holds signed it
    // (the current key, or the old one kept after a rotation); a stranger's never does, and
    // an encrypted one opens under the old key too.
    it('only tokens signed under a held key verify', () => {
      const signers = ['ours', 'old', 'foreign'] as const;
      const decoders = ['ours', 'rotated'] as const;
      const holds = { ours: ['ours'], rotated: ['ours', 'old'] };
      fc.assert(
        fc.property(
          smallToken,
          fc.constantFrom(...signers),
          fc.constantFrom(...decoders),
          ({ data, permanent, issuedAt, signedAt, packing }, signer, decoder) => {
            const token = codecs[signer][packing].encode(data, permanent, signedAt, issuedAt);
            const result = codecs[decoder][packing].decode(token, MAX_AGE, signedAt);
            if (holds[decoder].includes(signer)) {
              expectStoredAs(decoded(result).data, storedForm(data));
            } else {
              expect(result).toEqual({ ok: false, reason: 'bad-signature' });
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  });

  // Guards against prototype pollution through a validly signed cookie (what a leaked key, or
  // a bug elsewhere, would let in): "__proto__" keys at any depth and in any spelling, in a
  // plain or a deflated body, never reach Object.prototype nor stay as own keys, and the data
  // is otherwise exactly the JSON's. A body whose JSON is not an object (an array, a string,
  // a number...) is no session: 'malformed'.
  it('"__proto__" keys in a signed body never reach a prototype', () => {
    fc.assert(
      fc.property(
        fc.oneof(protoJsonText.object, protoJsonText.value),
        plausibleTime,
        fc.boolean(),
        fc.boolean(),
        (json, now, permanent, deflate) => {
          const plainText = Buffer.from(`${permanent ? 'P' : 'S'}${now.toString(36)}${json}`);
          const body = deflate
            ? `z${deflateRawSync(plainText).toString('base64url')}`
            : `j${plainText.toString('base64url')}`;
          let result: DecodeResult | undefined;
          let polluted: unknown;
          const changes = prototypeChanges(() => {
            result = codecs.ours.plain.decode(ourSigner.sign(body, now), MAX_AGE, now);
            polluted = ({} as Record<string, unknown>).polluted;
          });
          expect({ changes, polluted }).toEqual({ changes: [], polluted: undefined });

          const parsed: unknown = JSON.parse(json);
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
            expect(result).toEqual({ ok: false, reason: 'malformed' });
            return;
          }
          const session = decoded(result!);
          expect(prototypeProblems(session.data)).toEqual([]);
          expectStoredAs(session.data, withoutProtoKeys(parsed));
          expect(session.permanent).toBe(permanent);
        },
      ),
      { numRuns: 200 },
    );
  });
});
