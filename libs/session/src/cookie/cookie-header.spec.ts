import { parseCookie } from 'cookie';
import fc from 'fast-check';
import type { IncomingMessage } from 'node:http';
import { readCookie } from './cookie-header.js';

const requestWith = (cookie: string | undefined) =>
  ({ headers: cookie === undefined ? {} : { cookie } }) as IncomingMessage;
const read = (cookie: string | undefined, name = '__Host-session') =>
  readCookie(requestWith(cookie), name);

describe('readCookie', () => {
  it('reads the one value of the exact name', () => {
    expect(read('a=1; __Host-session=abc.def; b=2')).toBe('abc.def');
    expect(read(undefined)).toBeUndefined();
    expect(read('a=1')).toBeUndefined();
  });

  it('returns every value, in header order, when the name repeats', () => {
    expect(read('__Host-session=one; x=1; __Host-session=two;__Host-session=three')).toEqual([
      'one',
      'two',
      'three',
    ]);
  });

  it('skips empty values', () => {
    expect(read('__Host-session=; __Host-session=real')).toBe('real');
    expect(read('__Host-session=')).toBeUndefined();
  });

  it('trims spaces and tabs around names and values, as the cookie package does', () => {
    expect(read(' \t__Host-session \t= \tv \t;x=1')).toBe('v');
  });

  it.each([
    ['a no-break space', '\u00a0'],
    ['a vertical tab', '\u000b'],
    ['a form feed', '\u000c'],
    ['a line separator', '\u2028'],
  ])(
    'a name that starts or ends with %s is another cookie (a sibling subdomain can set it)',
    (_label, char) => {
      expect(read(`${char}__Host-session=planted; __Host-session=real`)).toBe('real');
      expect(read(`__Host-session${char}=planted`)).toBeUndefined();
    },
  );

  it('names are compared exactly: no prefix, suffix or case match', () => {
    expect(read('x__Host-session=1; __Host-session_=2; __host-session=3')).toBeUndefined();
  });

  it('percent-decodes values as the cookie package does, keeping invalid escapes', () => {
    expect(read('__Host-session=a%2Eb')).toBe('a.b');
    expect(read('__Host-session=%E0%A4%A')).toBe('%E0%A4%A');
  });

  // The values the parser finds are the ones the `cookie` package finds for the first of them,
  // on arbitrary headers: the hand-written loop agrees with the parser the ecosystem uses.
  it('agrees with the cookie package on the first value of arbitrary headers', () => {
    const part = fc.oneof(
      fc.constantFrom('s', ' s', 's ', '\ts', 'x', 's=', ';', ' ', '=', '%41', '%', '\u00a0s'),
      fc.string({ maxLength: 6 }),
    );
    const header = fc.array(part, { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(header, (cookie) => {
        const ours = read(cookie, 's');
        const first = Array.isArray(ours) ? ours[0] : ours;
        const theirs = parseCookie(cookie).s;
        // The package keeps an empty value as ""; we skip empty ones and look further.
        if (theirs === '' || theirs === undefined) {
          if (theirs === undefined) expect(first).toBeUndefined();
          return;
        }
        expect(first).toBe(theirs);
      }),
      { numRuns: 2000 },
    );
  });
});
