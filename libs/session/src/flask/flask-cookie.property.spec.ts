import fc from 'fast-check';
import { expectStoredAs, plausibleTime } from '../session-values.arbitraries.js';
import { decodeFlaskSession, encodeFlaskSession } from './flask-session-codec.js';
import { flaskSessionData, flaskStoredForm } from './flask-cookie.arbitraries.js';
import { ItsdangerousSigner } from './itsdangerous-signer.js';

// Property tests of Flask's format; the known answers and examples are in the other specs here.

const SECRET = 'property-tests-flask-secret-number-one-01';
const signer = new ItsdangerousSigner([SECRET]);
const YEAR = 365 * 86400_000;

function cookieOf(data: Record<string, unknown>, permanent: boolean, nowMs: number): string {
  return signer.sign(signer.pack(encodeFlaskSession(data, permanent)), nowMs);
}

function read(cookie: string, nowMs: number) {
  const verified = signer.unsign(cookie, YEAR, nowMs);
  if (!verified.ok) return verified;
  return { ok: true as const, ...decodeFlaskSession(signer.unpack(verified.payload)) };
}

describe("Flask's cookie format (properties)", () => {
  it('reads back what it wrote: the same data (Dates at whole seconds) and permanent flag', () => {
    fc.assert(
      fc.property(flaskSessionData, fc.boolean(), plausibleTime, (data, permanent, now) => {
        const result = read(cookieOf(data, permanent, now), now);
        if (!result.ok) throw new Error(`refused: ${result.reason}`);
        expect(result.permanent).toBe(permanent);
        expectStoredAs(result.data, flaskStoredForm(data));
      }),
      { numRuns: 300 },
    );
  });

  it('writes the same bytes for data that reads back the same (a canonical form)', () => {
    fc.assert(
      fc.property(flaskSessionData, (data) => {
        const json = encodeFlaskSession(data, false);
        expect(encodeFlaskSession(decodeFlaskSession(json).data, false)).toBe(json);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses any single-character change of a cookie', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(
        flaskSessionData,
        plausibleTime,
        fc.nat(),
        fc.integer({ min: 1, max: alphabet.length - 1 }),
        (data, now, where, shift) => {
          const cookie = cookieOf(data, false, now);
          const at = where % cookie.length;
          const replaced = alphabet[(alphabet.indexOf(cookie[at]) + shift) % alphabet.length];
          const changed = cookie.slice(0, at) + replaced + cookie.slice(at + 1);
          expect(changed).not.toBe(cookie);
          expect(read(changed, now).ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
