import { parseCookie, parseSetCookie } from 'cookie';
import fc from 'fast-check';
import { unicodeChar, unicodeString } from '../session-values.arbitraries.js';
import { CookieError } from '../session.errors.js';
import { outgoingCookie, setCookieLine } from './cookie-options.js';

// Property tests of the cookie beside the session: its value's encoding and its name's check.
// The example-based cases are in cookie-options.spec.ts.

const SESSION = 'session';
/** RFC 6265 section 4.1.1: cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E. */
const COOKIE_OCTETS = /^[\u0021\u0023-\u002B\u002D-\u003A\u003C-\u005B\u005D-\u007E]*$/;
/** RFC 7230 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/** Any string UTF-8 can hold: the characters cookies are touchy about come up often. */
const wellFormedValue = fc
  .string({
    unit: fc.oneof(
      { weight: 3, arbitrary: unicodeChar },
      { weight: 1, arbitrary: fc.constantFrom(' ', ';', '"', ',', '\\', '%', '=', '\t', '%2') },
    ),
    maxLength: 60,
  })
  .filter((value) => !hasLoneSurrogate(value));

/** Names: token characters mixed with anything else, the prefixes and the reserved name. */
const anyName = fc.oneof(
  fc.string({
    unit: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(..."!#$%&'*+-.^_`|~09azAZ") },
      { weight: 1, arbitrary: unicodeChar },
    ),
    maxLength: 12,
  }),
  unicodeString(6),
  fc.constantFrom(SESSION, '__Host-x', '__Secure-x', '__proto__', 'constructor'),
);

describe('outgoingCookie (properties)', () => {
  // Guards the encoding: whatever string a handler sets, the header holds only what RFC 6265
  // allows in a value, and the cookie package (as the next request's parser) gives back the
  // very string that was set, beside other cookies.
  it('encodes any well-formed value into cookie-octets that decode back', () => {
    fc.assert(
      fc.property(wellFormedValue, (value) => {
        const made = outgoingCookie('c', value, undefined, SESSION);
        expect(made.value).toMatch(COOKIE_OCTETS);
        expect(parseCookie(`c=${made.value}`).c).toBe(value);
        expect(parseCookie(`a=1; c=${made.value}; b=2`).c).toBe(value);
        const line = setCookieLine(made, true);
        expect(parseSetCookie(line)).toMatchObject({ name: 'c', value });
      }),
      { numRuns: 500 },
    );
  });

  // Guards the name check: a name is either refused with a CookieError naming it, or is a
  // token (and not the session cookie's), which the next request's parser reads back.
  it('refuses any name that is not a token, with a CookieError', () => {
    fc.assert(
      fc.property(anyName, (name) => {
        let made;
        try {
          made = outgoingCookie(name, 'v', undefined, SESSION);
        } catch (error) {
          expect(error).toBeInstanceOf(CookieError);
          expect((error as CookieError).cookie).toBe(name);
          return;
        }
        expect(name).toMatch(TOKEN);
        expect(name).not.toBe(SESSION);
        expect(parseCookie(`${made.name}=${made.value}`)[name]).toBe('v');
      }),
      { numRuns: 500 },
    );
  });

  // Guards the other side: no token is refused for its characters alone.
  it('accepts every token name but the reserved and prefixed ones', () => {
    const token = fc.string({ unit: fc.constantFrom(..."!#$%&'*+-.^_`|~09azAZ"), minLength: 1 });
    fc.assert(
      fc.property(token, (name) => {
        fc.pre(name !== SESSION && !/^__(host|secure)-/i.test(name));
        expect(outgoingCookie(name, 'v', undefined, SESSION).name).toBe(name);
      }),
      { numRuns: 300 },
    );
  });
});
