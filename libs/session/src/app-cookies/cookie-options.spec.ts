import { parseCookie, parseSetCookie } from 'cookie';
import { CookieError, CookieTooLargeError } from '../session.errors.js';
import {
  type CookieOptions,
  type OutgoingCookie,
  expiredCookie,
  outgoingCookie,
  setCookieLine,
} from './cookie-options.js';

const SESSION = 'session';

/** What `cookies.set()` validates and queues. */
function cookie(name: unknown, value: unknown, options?: unknown): OutgoingCookie {
  return outgoingCookie(name, value, options as CookieOptions | undefined, SESSION);
}

/** The line as written for a request over HTTP (secure: 'auto' gives no Secure). */
function line(name: string, value: string, options?: CookieOptions, https = false): string {
  const made = cookie(name, value, options);
  return setCookieLine(made, made.secure === 'auto' ? https : made.secure);
}

/** The error `action` throws (it must throw). */
function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** Expects a CookieError naming the cookie (and, when given, saying `problem`). */
function expectRefused(action: () => unknown, name: string, problem?: RegExp): void {
  const error = thrown(action);
  expect(error).toBeInstanceOf(CookieError);
  expect((error as CookieError).cookie).toBe(name);
  expect((error as CookieError).message).toContain(`Cookie "${name}" cannot be set`);
  if (problem !== undefined) expect((error as CookieError).message).toMatch(problem);
}

describe('outgoingCookie: names (RFC 6265 section 4.1.1: a token)', () => {
  it.each([
    ['a space', 'my cookie'],
    ['a semicolon', 'a;b'],
    ['an equals sign', 'a=b'],
    ['a comma', 'a,b'],
    ['a double quote', 'a"b'],
    ['a slash', 'a/b'],
    ['brackets', 'a[0]'],
    ['a tab', 'a\tb'],
    ['a newline', 'a\nb'],
    ['a carriage return', 'a\rb'],
    ['NUL', 'a\u0000b'],
    ['DEL', 'a\u007fb'],
    ['a non-ASCII letter', 'café'],
    ['an emoji', 'cookie😀'],
    ['a no-break space', '\u00a0theme'],
    ['nothing (empty)', ''],
  ])('refuses a name with %s, naming the cookie', (_label, name) => {
    expectRefused(() => cookie(name, 'v'), name, /its name must be a token/);
  });

  it.each([
    ['a number', 42, '42'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['an object', { toString: () => 'obj' }, 'obj'],
  ])('refuses a name that is %s', (_label, name, label) => {
    expectRefused(() => cookie(name, 'v'), label, /its name must be a token/);
  });

  it('accepts every token character', () => {
    const name = "!#$%&'*+-.^_`|~09azAZ";
    expect(cookie(name, 'v').name).toBe(name);
    expect(parseSetCookie(line(name, 'v')).name).toBe(name);
  });

  it("refuses the session cookie's own name", () => {
    expectRefused(() => cookie(SESSION, 'v'), SESSION, /session cookie's/);
    expectRefused(() => expiredCookie(SESSION, undefined, SESSION), SESSION, /session cookie's/);
    // Whatever the session cookie is called.
    expectRefused(() => outgoingCookie('__Host-s', 'v', {}, '__Host-s'), '__Host-s');
    expect(cookie('session2', 'v').name).toBe('session2');
  });
});

describe('outgoingCookie: values', () => {
  it.each([
    ['a space', 'hello world', 'hello%20world'],
    ['a semicolon', 'a;b', 'a%3Bb'],
    ['a double quote', '"quoted"', '%22quoted%22'],
    ['a comma', 'a,b', 'a%2Cb'],
    ['a backslash', 'a\\b', 'a%5Cb'],
    ['a percent sign', '100%', '100%25'],
    ['something that looks escaped', '%41', '%2541'],
    ['a tab and a newline', 'a\tb\n', 'a%09b%0A'],
    ['DEL', '\u007f', '%7F'],
    ['accented letters', 'café', 'caf%C3%A9'],
    ['CJK', '日本', '%E6%97%A5%E6%9C%AC'],
    ['an emoji', '😀', '%F0%9F%98%80'],
    ['nothing', '', ''],
  ])('percent-encodes %s, and the cookie package decodes it back', (_label, value, encoded) => {
    const made = cookie('c', value);
    expect(made.value).toBe(encoded);
    expect(parseCookie(`c=${made.value}`).c).toBe(value);
    expect(parseCookie(`a=1; c=${made.value}; b=2`).c).toBe(value);
  });

  it('leaves the cookie-octets as they are', () => {
    const octets = "!#$&'()*+-./0123456789:<=>?@ABCXYZ[]^_`abcxyz{|}~";
    expect(cookie('c', octets).value).toBe(octets);
    expect(parseCookie(`c=${octets}`).c).toBe(octets);
  });

  it.each([
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', '\udfff'],
    ['a reversed pair', '\ude00\ud83d'],
  ])('refuses %s, which UTF-8 cannot encode', (_label, value) => {
    expectRefused(() => cookie('c', value), 'c', /lone surrogate/);
  });

  it.each([
    ['a number', 1],
    ['undefined', undefined],
    ['null', null],
    ['an object', {}],
    ['a boolean', true],
  ])('refuses a value that is %s', (_label, value) => {
    expectRefused(() => cookie('c', value), 'c', /its value must be a string/);
  });
});

describe('outgoingCookie: options', () => {
  it.each([
    ['negative', -1],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['a string', '1000'],
    ['null', null],
  ])('refuses a maxAge that is %s', (_label, maxAge) => {
    expectRefused(() => cookie('c', 'v', { maxAge }), 'c', /maxAge must be a number/);
  });

  it('takes maxAge in ms, and writes whole seconds rounded up (0 removes the cookie)', () => {
    expect(cookie('c', 'v', { maxAge: 0 }).maxAge).toBe(0);
    expect(cookie('c', 'v', { maxAge: 1000 }).maxAge).toBe(1);
    expect(cookie('c', 'v', { maxAge: 1001 }).maxAge).toBe(2);
    // Under a second is not "remove it now".
    expect(cookie('c', 'v', { maxAge: 1 }).maxAge).toBe(1);
    expect(line('c', 'v', { maxAge: 1999 })).toContain('; Max-Age=2;');
  });

  it('takes maxAge up to 400 days, and refuses more: browsers keep no cookie longer', () => {
    const days400 = 400 * 24 * 3600 * 1000;
    expect(cookie('c', 'v', { maxAge: days400 }).maxAge).toBe(34_560_000);
    expectRefused(() => cookie('c', 'v', { maxAge: days400 + 1 }), 'c', /at most 400 days/);
    expectRefused(() => cookie('c', 'v', { maxAge: 1e25 }), 'c', /at most 400 days/);
  });

  it.each([
    ['an invalid Date', new Date(NaN)],
    ['a number', 0],
    ['a string', '2030-01-01'],
    ['null', null],
  ])('refuses expires that is %s', (_label, expires) => {
    expectRefused(() => cookie('c', 'v', { expires }), 'c', /expires must be a valid Date/);
  });

  it('writes expires as an HTTP date', () => {
    const expires = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
    expect(line('c', 'v', { expires })).toBe(
      'c=v; Path=/; Expires=Wed, 02 Jan 2030 03:04:05 GMT; HttpOnly; SameSite=Lax',
    );
  });

  it.each([
    ['without a leading slash', 'app'],
    ['empty', ''],
    ['with a semicolon', '/a;b'],
    ['with a newline', '/a\nb'],
    ['with a control character', '/a\u0001'],
    ['with a non-ASCII character', '/café'],
    ['a number', 1],
  ])('refuses a path %s', (_label, path) => {
    expectRefused(() => cookie('c', 'v', { path }), 'c', /path must start with "\/"/);
  });

  it('takes a path', () => {
    expect(line('c', 'v', { path: '/app/x' })).toBe('c=v; Path=/app/x; HttpOnly; SameSite=Lax');
  });

  it.each([
    ['with a semicolon', 'example.com; Secure'],
    ['with a space', 'exa mple.com'],
    ['with a port', 'example.com:443'],
    ['with a path', 'example.com/x'],
    ['empty', ''],
    ['with an empty label', 'example..com'],
    ['starting with a hyphen', '-example.com'],
    ['a number', 1],
    ['null', null],
  ])('refuses a domain %s', (_label, domain) => {
    expectRefused(() => cookie('c', 'v', { domain }), 'c', /domain must be a host name/);
  });

  it('takes a domain', () => {
    expect(line('c', 'v', { domain: 'example.com' })).toBe(
      'c=v; Path=/; Domain=example.com; HttpOnly; SameSite=Lax',
    );
    expect(cookie('c', 'v', { domain: '.sub.example.com' }).domain).toBe('.sub.example.com');
  });

  it.each([
    ['secure', { secure: 'yes' }, /secure must be true, false or 'auto'/],
    ['secure', { secure: 1 }, /secure must be true, false or 'auto'/],
    ['httpOnly', { httpOnly: 'true' }, /httpOnly must be true or false/],
    ['httpOnly', { httpOnly: 0 }, /httpOnly must be true or false/],
    ['sameSite', { sameSite: 'Lax' }, /sameSite must be/],
    ['sameSite', { sameSite: true }, /sameSite must be/],
    ['sameSite', { sameSite: 'toString' }, /sameSite must be/],
    ['partitioned', { partitioned: 'yes' }, /partitioned must be true or false/],
    // null is a value, not "the default": refused as the session's own cookie options refuse it.
    ['secure', { secure: null }, /secure must be true, false or 'auto'/],
    ['httpOnly', { httpOnly: null }, /httpOnly must be true or false/],
    ['sameSite', { sameSite: null }, /sameSite must be/],
    ['partitioned', { partitioned: null }, /partitioned must be true or false/],
    ['path', { path: null }, /path must start with "\/"/],
  ])('refuses %s of the wrong type (%j)', (_label, options, problem) => {
    expectRefused(() => cookie('c', 'v', options), 'c', problem);
  });

  it.each([['maxage'], ['max_age'], ['HttpOnly'], ['signed'], ['encode']])(
    'refuses the unknown option %s',
    (key) => {
      expectRefused(() => cookie('c', 'v', { [key]: 1 }), 'c', new RegExp(`unknown option ${key}`));
    },
  );

  it.each([
    ['null', null],
    ['a string', 'httpOnly'],
    ['a number', 1],
  ])('refuses options that are %s', (_label, options) => {
    expectRefused(() => cookie('c', 'v', options), 'c', /options must be an object/);
  });

  it("refuses sameSite 'none' without secure: true", () => {
    for (const secure of [undefined, false, 'auto'] as const)
      expectRefused(() => cookie('c', 'v', { sameSite: 'none', secure }), 'c', /needs secure/);
    expect(line('c', 'v', { sameSite: 'none', secure: true })).toBe(
      'c=v; Path=/; Secure; HttpOnly; SameSite=None',
    );
  });

  it('refuses partitioned without secure: true', () => {
    for (const secure of [undefined, false, 'auto'] as const)
      expectRefused(() => cookie('c', 'v', { partitioned: true, secure }), 'c', /partitioned/);
    expect(line('c', 'v', { partitioned: true, secure: true })).toBe(
      'c=v; Path=/; Secure; HttpOnly; SameSite=Lax; Partitioned',
    );
  });

  it.each(['__Secure-id', '__secure-id', '__SECURE-id'])(
    'a %s cookie must be secure: true',
    (name) => {
      for (const secure of [undefined, false, 'auto'] as const)
        expectRefused(() => cookie(name, 'v', { secure }), name, /must be Secure/);
      expect(cookie(name, 'v', { secure: true, path: '/x', domain: 'example.com' }).name).toBe(
        name,
      );
    },
  );

  it.each(['__Host-id', '__host-id', '__HOST-id'])(
    'a %s cookie must be secure: true, on path "/" and without a domain',
    (name) => {
      expectRefused(() => cookie(name, 'v'), name, /must be Secure/);
      expectRefused(() => cookie(name, 'v', { secure: true, path: '/x' }), name, /path "\/"/);
      expectRefused(
        () => cookie(name, 'v', { secure: true, domain: 'example.com' }),
        name,
        /cannot have a domain/,
      );
      expect(line(name, 'v', { secure: true })).toBe(
        `${name}=v; Path=/; Secure; HttpOnly; SameSite=Lax`,
      );
    },
  );
});

describe('setCookieLine', () => {
  it("writes the demo's theme cookie exactly", () => {
    expect(line('theme', 'dark', { maxAge: 31536000_000, httpOnly: false })).toBe(
      'theme=dark; Path=/; Max-Age=31536000; SameSite=Lax',
    );
  });

  it('defaults to Path=/, HttpOnly and SameSite=Lax, Secure only over HTTPS', () => {
    expect(line('c', 'v')).toBe('c=v; Path=/; HttpOnly; SameSite=Lax');
    expect(line('c', 'v', {}, true)).toBe('c=v; Path=/; Secure; HttpOnly; SameSite=Lax');
    const made = cookie('c', 'v');
    expect(made).toMatchObject({
      path: '/',
      secure: 'auto',
      httpOnly: true,
      sameSite: 'lax',
      partitioned: false,
      domain: undefined,
      maxAge: undefined,
      expires: undefined,
    });
  });

  it('secure: false never writes Secure, secure: true always does', () => {
    expect(line('c', 'v', { secure: false }, true)).toBe('c=v; Path=/; HttpOnly; SameSite=Lax');
    expect(line('c', 'v', { secure: true }, false)).toBe(
      'c=v; Path=/; Secure; HttpOnly; SameSite=Lax',
    );
  });

  it("sameSite: false writes no SameSite; 'strict' writes Strict", () => {
    expect(line('c', 'v', { sameSite: false })).toBe('c=v; Path=/; HttpOnly');
    expect(line('c', 'v', { sameSite: 'strict' })).toBe('c=v; Path=/; HttpOnly; SameSite=Strict');
  });

  it('writes every attribute in order, and the cookie package reads them back', () => {
    const expires = new Date(Date.UTC(2031, 5, 6, 7, 8, 9));
    const text = line('c', 'a b', {
      path: '/p',
      domain: 'example.com',
      maxAge: 60_000,
      expires,
      secure: true,
      httpOnly: true,
      sameSite: 'none',
      partitioned: true,
    });
    expect(text).toBe(
      'c=a%20b; Path=/p; Domain=example.com; Max-Age=60; Expires=Fri, 06 Jun 2031 07:08:09 GMT; ' +
        'Secure; HttpOnly; SameSite=None; Partitioned',
    );
    expect(parseSetCookie(text)).toMatchObject({
      name: 'c',
      value: 'a b',
      path: '/p',
      domain: 'example.com',
      maxAge: 60,
      secure: true,
      httpOnly: true,
      sameSite: 'none',
      partitioned: true,
    });
  });
});

describe('the 4 KB limit', () => {
  /** `c=<value>; Path=/; Secure; HttpOnly; SameSite=Lax`: the line 'auto' may write over HTTPS. */
  const OVERHEAD = Buffer.byteLength('c=; Path=/; Secure; HttpOnly; SameSite=Lax');
  const SECURE = Buffer.byteLength('; Secure');

  it('accepts a line of 4093 bytes, counted with the Secure that secure: auto may add', () => {
    const made = cookie('c', 'x'.repeat(4093 - OVERHEAD));
    expect(Buffer.byteLength(setCookieLine(made, true))).toBe(4093);
  });

  it('refuses a line of 4094 bytes with CookieTooLargeError carrying the bytes', () => {
    const error = thrown(() => cookie('c', 'x'.repeat(4094 - OVERHEAD)));
    expect(error).toBeInstanceOf(CookieTooLargeError);
    expect(error).toBeInstanceOf(CookieError);
    expect(error).toMatchObject({ cookie: 'c', bytes: 4094, name: 'CookieTooLargeError' });
    expect((error as Error).message).toContain('4094 bytes');
  });

  it('counts secure: false without Secure (the line it writes)', () => {
    const value = 'x'.repeat(4093 - OVERHEAD + SECURE);
    expect(Buffer.byteLength(line('c', value, { secure: false }, true))).toBe(4093);
    expect(thrown(() => cookie('c', value + 'x', { secure: false }))).toMatchObject({
      bytes: 4094,
    });
    // The same value with 'auto' is over: over HTTPS it would carry Secure.
    expect(thrown(() => cookie('c', value))).toMatchObject({ bytes: 4093 + SECURE });
  });

  it('counts the encoded value and the attributes, not the characters given', () => {
    // 'é' is 2 bytes of UTF-8, 6 bytes once percent-encoded.
    const fits = Math.floor((4093 - OVERHEAD) / 6);
    expect(() => cookie('c', 'é'.repeat(fits))).not.toThrow();
    expect(() => cookie('c', 'é'.repeat(fits + 1))).toThrow(CookieTooLargeError);
    const attributes = { maxAge: 1000, domain: 'example.com', path: '/long/path' };
    const withAttributes = Buffer.byteLength(setCookieLine(cookie('c', '', attributes), true));
    expect(() => cookie('c', 'x'.repeat(4093 - withAttributes), attributes)).not.toThrow();
    expect(() => cookie('c', 'x'.repeat(4094 - withAttributes), attributes)).toThrow(
      CookieTooLargeError,
    );
  });
});

describe('expiredCookie (cookies.delete)', () => {
  it('writes an empty value, Max-Age=0 and an Expires in 1970', () => {
    const made = expiredCookie('theme', undefined, SESSION);
    expect(setCookieLine(made, false)).toBe(
      'theme=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
    );
  });

  it('keeps the path and domain it was set with, and secure', () => {
    const made = expiredCookie(
      'theme',
      { path: '/app', domain: 'example.com', secure: true },
      SESSION,
    );
    expect(setCookieLine(made, true)).toBe(
      'theme=; Path=/app; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ' +
        'Secure; HttpOnly; SameSite=Lax',
    );
  });

  it('validates as set does', () => {
    expectRefused(() => expiredCookie('a b', undefined, SESSION), 'a b', /token/);
    expectRefused(() => expiredCookie('c', { path: 'x' }, SESSION), 'c', /path/);
    expectRefused(
      () => expiredCookie('__Host-x', { secure: false }, SESSION),
      '__Host-x',
      /Secure/,
    );
  });

  it('removes a __Secure- or __Host- cookie with a Secure line without being told', () => {
    for (const name of ['__Host-x', '__Secure-x', '__secure-x']) {
      const made = expiredCookie(name, undefined, SESSION);
      expect(made.secure).toBe(true);
      expect(setCookieLine(made, true)).toContain('; Secure');
    }
    expect(expiredCookie('plain', undefined, SESSION).secure).toBe('auto');
  });

  it('removes a partitioned cookie with a Partitioned line (CHIPS keys the jar by it)', () => {
    const made = expiredCookie('chip', { secure: true, partitioned: true }, SESSION);
    expect(setCookieLine(made, true)).toBe(
      'chip=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; ' +
        'SameSite=Lax; Partitioned',
    );
  });
});
