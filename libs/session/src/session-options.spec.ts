import { resolveSessionOptions, type SessionModuleOptions } from './session-options.js';
import { SessionConfigError } from './session.errors.js';
import { RequestSession } from './session.js';
import { CookieStore } from './stores/cookie-store.js';
import { MemoryStore } from './stores/memory-store.js';

const SECRET = 'x'.repeat(24) + '-long-enough-secret';
const OTHER_SECRET = 'y'.repeat(24) + '-another-good-secret';

/** Runs resolveSessionOptions and returns the SessionConfigError it threw. */
function configError(options: unknown): SessionConfigError {
  try {
    resolveSessionOptions(options as SessionModuleOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(SessionConfigError);
    return error as SessionConfigError;
  }
  throw new Error('resolveSessionOptions accepted the options');
}

describe('resolveSessionOptions', () => {
  describe('defaults', () => {
    const resolved = resolveSessionOptions({ secretKey: SECRET });

    it('cookie attributes', () => {
      expect(resolved.cookie).toEqual({
        name: 'session',
        path: '/',
        domain: undefined,
        httpOnly: true,
        secure: 'auto',
        sameSite: 'lax',
      });
    });

    it('lifetime of 31 days in ms, refresh on each request', () => {
      expect(resolved.permanentLifetime).toBe(2678400000);
      expect(resolved.refreshEachRequest).toBe(true);
    });

    it('absolute lifetime of 90 days, no idle timeout, 64 KiB per stored session', () => {
      expect(resolved.absoluteLifetime).toBe(90 * 86400_000);
      expect(resolved.idleTimeout).toBeUndefined();
      expect(resolved.maxSessionBytes).toBe(65536);
    });

    it('a CookieStore', () => {
      expect(resolved.store).toBeInstanceOf(CookieStore);
      expect((resolved.store as CookieStore).encrypt).toBe(false);
    });

    it('proxy, store timeout and guard', () => {
      expect(resolved.trustProxy).toBe(false);
      expect(resolved.storeTimeout).toBe(2000);
      expect(resolved.guard.loginPath).toBe('/login');
      const session = new RequestSession(true, undefined);
      expect(resolved.guard.isLoggedIn(session)).toBe(false);
      session.set('logged_in', 'yes');
      expect(resolved.guard.isLoggedIn(session)).toBe(false);
      session.set('logged_in', true);
      expect(resolved.guard.isLoggedIn(session)).toBe(true);
    });
  });

  describe('secrets', () => {
    it('takes a string as a one-key list', () => {
      expect(resolveSessionOptions({ secretKey: SECRET }).secrets).toEqual([SECRET]);
    });

    it('takes an array, keeping the order', () => {
      expect(resolveSessionOptions({ secretKey: [SECRET, OTHER_SECRET] }).secrets).toEqual([
        SECRET,
        OTHER_SECRET,
      ]);
    });

    it('counts bytes, not characters', () => {
      const sixteenChars = 'é'.repeat(16); // 32 bytes in UTF-8
      expect(resolveSessionOptions({ secretKey: sixteenChars }).secrets).toEqual([sixteenChars]);
      expect(() => resolveSessionOptions({ secretKey: 'é'.repeat(15) })).toThrow(
        SessionConfigError,
      );
    });

    it.each<[string, unknown]>([
      ['undefined', undefined],
      ['null', null],
      ['an empty string', ''],
    ])('missing secret (%s)', (_label, secretKey) => {
      const error = configError({ secretKey });
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(/^secretKey: missing/);
    });

    it('no secretKey option at all', () => {
      const error = configError({});
      expect(error.problems).toEqual([expect.stringMatching(/^secretKey: missing/)]);
      expect(error.message).toContain('secretKey: missing');
    });

    it('an empty array', () => {
      expect(configError({ secretKey: [] }).problems).toEqual([
        expect.stringMatching(/^secretKey: empty array/),
      ]);
    });

    it('a short secret, without echoing it', () => {
      const short = 'hunter2-tiny-pw';
      const error = configError({ secretKey: short });
      expect(error.problems).toEqual([expect.stringMatching(/^secretKey: too short \(15 bytes/)]);
      expect(error.message).not.toContain(short);
      expect(error.message).not.toContain('hunter2');
      expect(error.problems.join('\n')).not.toContain('hunter2');
    });

    it('a 31-byte secret is too short, 32 bytes is enough', () => {
      expect(configError({ secretKey: 'z'.repeat(31) }).problems[0]).toMatch(/too short/);
      expect(resolveSessionOptions({ secretKey: 'z'.repeat(32) }).secrets).toHaveLength(1);
    });

    it('an array with a short second key names secretKey[1]', () => {
      const error = configError({ secretKey: [SECRET, 'short-old-key'] });
      expect(error.problems).toEqual([expect.stringMatching(/^secretKey\[1\]: too short/)]);
      expect(error.message).not.toContain('short-old-key');
      expect(error.message).not.toContain(SECRET);
    });

    it('a non-string secret', () => {
      expect(configError({ secretKey: [SECRET, 42] }).problems).toEqual([
        expect.stringMatching(/^secretKey\[1\]: must be a string, got number/),
      ]);
    });
  });

  describe('lifetime', () => {
    it('keeps a valid lifetime', () => {
      expect(
        resolveSessionOptions({ secretKey: SECRET, permanentLifetime: 3600_000 }).permanentLifetime,
      ).toBe(3600_000);
    });

    it.each<[string, unknown]>([
      ['zero', 0],
      ['negative', -1000],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['a string', '3600000'],
    ])('refuses a %s lifetime', (_label, permanentLifetime) => {
      const error = configError({ secretKey: SECRET, permanentLifetime });
      expect(error.problems).toEqual([expect.stringMatching(/^permanentLifetime: must be/)]);
    });

    it('keeps an absolute lifetime, an idle timeout and a size limit', () => {
      const resolved = resolveSessionOptions({
        secretKey: SECRET,
        absoluteLifetime: 7 * 86400_000,
        idleTimeout: 1800_000,
        maxSessionBytes: 1024,
      });
      expect(resolved).toMatchObject({
        absoluteLifetime: 7 * 86400_000,
        idleTimeout: 1800_000,
        maxSessionBytes: 1024,
      });
    });

    it.each<[string, unknown]>([
      ['zero', 0],
      ['negative', -1],
      ['NaN', NaN],
      ['a string', '60000'],
    ])('refuses a %s absolute lifetime, idle timeout or size limit', (_label, value) => {
      const error = configError({
        secretKey: SECRET,
        absoluteLifetime: value,
        idleTimeout: value,
        maxSessionBytes: value,
      });
      expect(error.problems).toEqual([
        expect.stringMatching(/^absoluteLifetime: must be a positive number of milliseconds/),
        expect.stringMatching(/^idleTimeout: must be a positive number of milliseconds/),
        expect.stringMatching(/^maxSessionBytes: must be a positive whole number/),
      ]);
    });

    it('refuses a fractional size limit', () => {
      expect(configError({ secretKey: SECRET, maxSessionBytes: 10.5 }).problems).toEqual([
        expect.stringMatching(/^maxSessionBytes: must be a positive whole number, got number 10.5/),
      ]);
    });
  });

  describe('cookie', () => {
    it('a __Host- cookie is accepted with Secure, path "/" and no domain', () => {
      const cookie = { name: '__Host-session', secure: true } as const;
      expect(resolveSessionOptions({ secretKey: SECRET, cookie }).cookie).toMatchObject(cookie);
    });

    it.each<[string, Record<string, unknown>, RegExp[]]>([
      ['not Secure', { secure: 'auto' }, [/^cookie.secure: a __Host- cookie must be Secure/]],
      ['never Secure', { secure: false }, [/^cookie.secure: a __Host- cookie must be Secure/]],
      [
        'a path other than "/"',
        { secure: true, path: '/app' },
        [/^cookie.path: a __Host- cookie must have path "\/"/],
      ],
      [
        'a domain',
        { secure: true, domain: 'example.com' },
        [/^cookie.domain: a __Host- cookie cannot have a domain/],
      ],
      [
        'all three wrong, in any case of the prefix',
        { name: '__HOST-sid', path: '/a', domain: 'example.com' },
        [/^cookie.secure: /, /^cookie.path: /, /^cookie.domain: /],
      ],
    ])('a __Host- cookie is refused at boot when %s', (_label, cookie, problems) => {
      const error = configError({ secretKey: SECRET, cookie: { name: '__Host-sid', ...cookie } });
      expect(error.problems).toEqual(problems.map((p) => expect.stringMatching(p)));
    });

    it('a __Secure- cookie must be Secure, and may have a path and a domain', () => {
      expect(configError({ secretKey: SECRET, cookie: { name: '__Secure-sid' } }).problems).toEqual(
        [expect.stringMatching(/^cookie.secure: a __Secure- cookie must be Secure/)],
      );
      const cookie = { name: '__Secure-sid', secure: true, path: '/app', domain: 'example.com' };
      expect(resolveSessionOptions({ secretKey: SECRET, cookie }).cookie).toMatchObject(cookie);
    });

    it("sameSite 'none' needs secure: true", () => {
      for (const secure of [undefined, 'auto', false]) {
        const error = configError({ secretKey: SECRET, cookie: { sameSite: 'none', secure } });
        expect(error.problems).toEqual([expect.stringMatching(/^cookie.sameSite: 'none' needs/)]);
      }
      const ok = resolveSessionOptions({
        secretKey: SECRET,
        cookie: { sameSite: 'none', secure: true },
      });
      expect(ok.cookie).toMatchObject({ sameSite: 'none', secure: true });
    });

    it('a cookie name with a space is refused', () => {
      expect(configError({ secretKey: SECRET, cookie: { name: 'my session' } }).problems).toEqual([
        expect.stringMatching(/^cookie.name: must be a cookie token/),
      ]);
    });

    it('a custom cookie is kept', () => {
      const cookie = {
        name: 'sid',
        path: '/app',
        domain: 'example.com',
        httpOnly: false,
        secure: true,
        sameSite: 'strict' as const,
      };
      expect(resolveSessionOptions({ secretKey: SECRET, cookie }).cookie).toEqual(cookie);
    });

    it('an unknown cookie option is reported', () => {
      expect(configError({ secretKey: SECRET, cookie: { sameSight: 'lax' } }).problems).toEqual([
        expect.stringMatching(/^cookie.sameSight: unknown option/),
      ]);
    });
  });

  describe('store', () => {
    it('accepts a server-side store', async () => {
      const store = new MemoryStore();
      try {
        expect(resolveSessionOptions({ secretKey: SECRET, store }).store).toBe(store);
      } finally {
        await store.close();
      }
    });

    it.each<[string, unknown, RegExp]>([
      ['a plain object', {}, /an instance of Object/],
      ['a string', 'redis', /string "redis"/],
      ['a class instance', new Map(), /an instance of Map/],
    ])('refuses %s', (_label, store, described) => {
      const error = configError({ secretKey: SECRET, store });
      expect(error.problems).toEqual([expect.stringMatching(/^store: unknown store/)]);
      expect(error.problems[0]).toMatch(described);
    });
  });

  describe('crossOrigin', () => {
    it('is on by default, with no trusted origins', () => {
      expect(resolveSessionOptions({ secretKey: SECRET }).crossOrigin).toEqual({
        trustedOrigins: new Set(),
      });
      expect(resolveSessionOptions({ secretKey: SECRET, crossOrigin: {} }).crossOrigin).toEqual({
        trustedOrigins: new Set(),
      });
    });

    it('false turns it off', () => {
      expect(resolveSessionOptions({ secretKey: SECRET, crossOrigin: false }).crossOrigin).toBe(
        false,
      );
    });

    it('keeps trusted origins', () => {
      const trustedOrigins = ['https://app.example.com', 'http://localhost:5173'];
      expect(
        resolveSessionOptions({ secretKey: SECRET, crossOrigin: { trustedOrigins } }).crossOrigin,
      ).toEqual({ trustedOrigins: new Set(trustedOrigins) });
    });

    it.each<[string, unknown, RegExp]>([
      ['true', true, /^crossOrigin: must be an object .* or false .*, got boolean true/],
      ['a string', 'https://app.example.com', /^crossOrigin: must be an object/],
      ['an array', ['https://app.example.com'], /^crossOrigin: must be an object/],
      ['null', null, /^crossOrigin: must be an object .* got null/],
      [
        'trustedOrigins as a string',
        { trustedOrigins: 'https://app.example.com' },
        /^crossOrigin.trustedOrigins: must be an array of origins/,
      ],
      [
        'an origin with a trailing slash',
        { trustedOrigins: ['https://ok.example.com', 'https://app.example.com/'] },
        /^crossOrigin.trustedOrigins\[1\]: "https:\/\/app.example.com\/" is not an origin .*use 'https:\/\/app.example.com'/,
      ],
      [
        "the origin 'null'",
        { trustedOrigins: ['null'] },
        /^crossOrigin.trustedOrigins\[0\]: 'null' cannot be trusted/,
      ],
      [
        'a wildcard',
        { trustedOrigins: ['https://*.example.com'] },
        /^crossOrigin.trustedOrigins\[0\]: .*wildcards are not supported/,
      ],
      [
        'an unknown key',
        { trustedOrigin: ['https://app.example.com'] },
        /^crossOrigin.trustedOrigin: unknown option \(known: trustedOrigins\)/,
      ],
    ])('refuses %s', (_label, crossOrigin, message) => {
      const error = configError({ secretKey: SECRET, crossOrigin });
      expect(error.problems).toEqual([expect.stringMatching(message)]);
    });
  });

  describe('unknown options and several problems', () => {
    it("a typo ('permanentLifeTime') is reported as an unknown option", () => {
      const error = configError({ secretKey: SECRET, permanentLifeTime: 1000 });
      expect(error.problems).toEqual([
        expect.stringMatching(/^permanentLifeTime: unknown option \(known: .*permanentLifetime/),
      ]);
    });

    it('reports every problem in one error', () => {
      const error = configError({
        secretKey: 'too-short',
        permanentLifetime: -1,
        store: {},
        cookie: { name: 'bad name', sameSite: 'none' },
        refreshEachRequest: 'yes',
        extra: true,
      });
      const paths = error.problems.map((problem) => problem.slice(0, problem.indexOf(':')));
      expect(paths.sort()).toEqual(
        [
          'extra',
          'secretKey',
          'store',
          'permanentLifetime',
          'refreshEachRequest',
          'cookie.name',
          'cookie.sameSite',
        ].sort(),
      );
      expect(error.message).toContain('SessionModule options are invalid');
      for (const problem of error.problems) expect(error.message).toContain(problem);
      expect(error.message).not.toContain('too-short');
    });

    it('options missing altogether', () => {
      expect(configError(undefined).problems).toEqual([expect.stringMatching(/^options: missing/)]);
    });
  });
});
