import type { IncomingMessage } from 'node:http';
import {
  type ResolvedCrossOriginOptions,
  isCrossOriginUnsafe,
  trustedOriginProblem,
} from './cross-origin.js';

interface Case {
  method: string;
  site?: string;
  origin?: string;
  host?: string;
  /** The socket is TLS. */
  tls?: boolean;
  forwardedProto?: string;
  trustProxy?: boolean;
  trusted?: string[];
}

function fakeRequest(c: Case): IncomingMessage {
  const headers: Record<string, string> = {};
  if (c.site !== undefined) headers['sec-fetch-site'] = c.site;
  if (c.origin !== undefined) headers.origin = c.origin;
  if (c.host !== undefined) headers.host = c.host;
  if (c.forwardedProto !== undefined) headers['x-forwarded-proto'] = c.forwardedProto;
  return {
    method: c.method,
    headers,
    socket: c.tls ? { encrypted: true } : {},
  } as unknown as IncomingMessage;
}

function refused(c: Case): boolean {
  const options: ResolvedCrossOriginOptions = { trustedOrigins: new Set(c.trusted ?? []) };
  return isCrossOriginUnsafe(fakeRequest(c), options, c.trustProxy ?? false);
}

const HOST = 'app.test:3000';
const SELF = 'http://app.test:3000';
const EVIL = 'http://evil.test';

describe('isCrossOriginUnsafe', () => {
  it.each<[string, boolean, Case]>([
    // Safe methods always pass, whatever the headers say.
    ['GET cross-site', false, { method: 'GET', site: 'cross-site', origin: EVIL }],
    ['HEAD cross-site', false, { method: 'HEAD', site: 'cross-site', origin: EVIL }],
    ['OPTIONS cross-site', false, { method: 'OPTIONS', site: 'cross-site', origin: 'null' }],
    ['GET, foreign Origin, no Sec-Fetch-Site', false, { method: 'GET', origin: EVIL, host: HOST }],

    // Sec-Fetch-Site decides when present.
    ['POST same-origin', false, { method: 'POST', site: 'same-origin', origin: SELF, host: HOST }],
    ['POST none (typed in the address bar)', false, { method: 'POST', site: 'none', host: HOST }],
    ['POST cross-site', true, { method: 'POST', site: 'cross-site', origin: EVIL, host: HOST }],
    [
      'POST same-site (a sibling subdomain)',
      true,
      { method: 'POST', site: 'same-site', origin: 'http://sub.app.test:3000', host: HOST },
    ],
    ['PUT cross-site', true, { method: 'PUT', site: 'cross-site', origin: EVIL, host: HOST }],
    ['PATCH cross-site', true, { method: 'PATCH', site: 'cross-site', origin: EVIL, host: HOST }],
    ['DELETE cross-site', true, { method: 'DELETE', site: 'cross-site', origin: EVIL, host: HOST }],
    [
      'an unknown method cross-site',
      true,
      { method: 'PROPFIND', site: 'cross-site', origin: EVIL, host: HOST },
    ],
    ['POST cross-site without Origin', true, { method: 'POST', site: 'cross-site', host: HOST }],
    [
      'POST with a Sec-Fetch-Site no browser sends',
      true,
      { method: 'POST', site: 'bogus', origin: SELF, host: HOST },
    ],
    [
      'POST with a capitalised Sec-Fetch-Site',
      true,
      { method: 'POST', site: 'Same-Origin', origin: SELF, host: HOST },
    ],
    [
      'Sec-Fetch-Site wins over a matching Origin',
      true,
      { method: 'POST', site: 'cross-site', origin: SELF, host: HOST },
    ],
    [
      'Sec-Fetch-Site wins over a foreign Origin',
      false,
      { method: 'POST', site: 'same-origin', origin: EVIL, host: HOST },
    ],
    [
      'an empty Sec-Fetch-Site counts as none: Origin decides',
      true,
      { method: 'POST', site: '', origin: EVIL, host: HOST },
    ],

    // Without Sec-Fetch-Site: Origin against the request's own origin.
    ['POST with neither header (curl)', false, { method: 'POST', host: HOST }],
    ['POST with an empty Origin', false, { method: 'POST', origin: '', host: HOST }],
    ['POST, Origin is the own origin', false, { method: 'POST', origin: SELF, host: HOST }],
    [
      'POST, Origin from another host',
      true,
      { method: 'POST', origin: 'http://evil.test:3000', host: HOST },
    ],
    [
      'POST, Origin on another port',
      true,
      { method: 'POST', origin: 'http://app.test:3001', host: HOST },
    ],
    [
      'POST, Origin https, request over http',
      true,
      { method: 'POST', origin: 'https://app.test:3000', host: HOST },
    ],
    [
      'POST, Origin http, request over TLS',
      true,
      { method: 'POST', origin: SELF, host: HOST, tls: true },
    ],
    [
      'POST, Origin https, request over TLS',
      false,
      { method: 'POST', origin: 'https://app.test:3000', host: HOST, tls: true },
    ],
    [
      'POST, Origin: null (sandboxed frame, file)',
      true,
      { method: 'POST', origin: 'null', host: HOST },
    ],
    [
      'POST, Origin without a scheme',
      true,
      { method: 'POST', origin: 'app.test:3000', host: HOST },
    ],
    [
      'POST, Origin with a path',
      true,
      { method: 'POST', origin: 'http://app.test:3000/x', host: HOST },
    ],
    [
      'POST, Origin with user info',
      true,
      { method: 'POST', origin: 'http://evil.test@app.test:3000', host: HOST },
    ],
    [
      'POST, Origin of a subdomain',
      true,
      { method: 'POST', origin: 'http://sub.app.test:3000', host: HOST },
    ],
    ['POST, Origin given but no Host header', true, { method: 'POST', origin: SELF }],
    [
      'host compared without case',
      false,
      { method: 'POST', origin: 'http://APP.Test:3000', host: 'App.TEST:3000' },
    ],
    [
      'scheme compared without case',
      false,
      { method: 'POST', origin: 'HTTP://app.test:3000', host: HOST },
    ],
    [
      'Host with the default http port',
      false,
      { method: 'POST', origin: 'http://app.test', host: 'app.test:80' },
    ],
    [
      'Origin with the default http port',
      false,
      { method: 'POST', origin: 'http://app.test:80', host: 'app.test' },
    ],
    [
      'Host with the default https port',
      false,
      { method: 'POST', origin: 'https://app.test', host: 'app.test:443', tls: true },
    ],
    [
      ':443 is not the default port of http',
      true,
      { method: 'POST', origin: 'http://app.test', host: 'app.test:443' },
    ],
    ['IPv6 host', false, { method: 'POST', origin: 'http://[::1]:3000', host: '[::1]:3000' }],

    // Behind a proxy: X-Forwarded-Proto only with trustProxy.
    [
      'forwarded https, trusted proxy, https Origin',
      false,
      {
        method: 'POST',
        origin: 'https://app.test',
        host: 'app.test',
        forwardedProto: 'https',
        trustProxy: true,
      },
    ],
    [
      'forwarded https, trusted proxy, http Origin',
      true,
      {
        method: 'POST',
        origin: 'http://app.test',
        host: 'app.test',
        forwardedProto: 'https',
        trustProxy: true,
      },
    ],
    [
      'forwarded https, untrusted proxy, https Origin',
      true,
      { method: 'POST', origin: 'https://app.test', host: 'app.test', forwardedProto: 'https' },
    ],
    [
      'forwarded https, untrusted proxy, http Origin',
      false,
      { method: 'POST', origin: 'http://app.test', host: 'app.test', forwardedProto: 'https' },
    ],
    [
      'forwarded "https, http" (first hop counts)',
      false,
      {
        method: 'POST',
        origin: 'https://app.test',
        host: 'app.test',
        forwardedProto: 'HTTPS, http',
        trustProxy: true,
      },
    ],
    [
      'forwarded http over a trusted proxy',
      true,
      {
        method: 'POST',
        origin: 'https://app.test',
        host: 'app.test',
        forwardedProto: 'http',
        trustProxy: true,
      },
    ],

    // Trusted origins pass in both branches, exactly as written.
    [
      'trusted, cross-site',
      false,
      {
        method: 'POST',
        site: 'cross-site',
        origin: 'https://partner.test',
        host: HOST,
        trusted: ['https://partner.test'],
      },
    ],
    [
      'trusted, same-site',
      false,
      {
        method: 'POST',
        site: 'same-site',
        origin: 'https://sub.app.test',
        host: HOST,
        trusted: ['https://sub.app.test'],
      },
    ],
    [
      'trusted, no Sec-Fetch-Site',
      false,
      {
        method: 'POST',
        origin: 'https://partner.test',
        host: HOST,
        trusted: ['https://partner.test'],
      },
    ],
    [
      'another origin than the trusted one',
      true,
      {
        method: 'POST',
        site: 'cross-site',
        origin: 'https://evil.test',
        host: HOST,
        trusted: ['https://partner.test'],
      },
    ],
    [
      'the trusted host over http',
      true,
      {
        method: 'POST',
        origin: 'http://partner.test',
        host: HOST,
        trusted: ['https://partner.test'],
      },
    ],
    [
      'a trusted origin does not cover its subdomains',
      true,
      {
        method: 'POST',
        origin: 'https://a.partner.test',
        host: HOST,
        trusted: ['https://partner.test'],
      },
    ],
  ])('%s: refused %s', (_label, expected, c) => {
    expect(refused(c)).toBe(expected);
  });

  // Every combination of small sets of values, against a reference that parses with URL.
  describe('every combination agrees with a URL-based reference', () => {
    const methods = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND'];
    const sites = [undefined, '', 'same-origin', 'none', 'same-site', 'cross-site', 'navigate'];
    const origins = [
      undefined,
      '',
      'null',
      'http://app.test',
      'https://app.test',
      'http://app.test:80',
      'https://app.test:443',
      'http://APP.test',
      'http://app.test:8080',
      'https://app.test:8080',
      EVIL,
      'https://partner.test',
      'http://sub.app.test',
    ];
    const hosts = [
      undefined,
      'app.test',
      'APP.test',
      'app.test:80',
      'app.test:443',
      'app.test:8080',
    ];
    const transports: Array<Pick<Case, 'tls' | 'forwardedProto' | 'trustProxy'>> = [
      {},
      { tls: true },
      { forwardedProto: 'https' },
      { forwardedProto: 'https', trustProxy: true },
      { forwardedProto: 'http', trustProxy: true },
      { tls: true, forwardedProto: 'http', trustProxy: true },
    ];
    const trustedLists = [[], ['https://partner.test'], [EVIL, 'http://app.test']];

    function reference(c: Case): boolean {
      if (['GET', 'HEAD', 'OPTIONS'].includes(c.method)) return false;
      const trusted = c.origin !== undefined && (c.trusted ?? []).includes(c.origin);
      if (c.site) return c.site !== 'same-origin' && c.site !== 'none' && !trusted;
      if (!c.origin || trusted) return false;
      const https = c.tls === true || (c.trustProxy === true && c.forwardedProto === 'https');
      try {
        const own = new URL(`${https ? 'https' : 'http'}://${c.host}`).origin;
        return c.host === undefined || new URL(c.origin).origin !== own;
      } catch {
        return true; // 'null'
      }
    }

    it('for methods × Sec-Fetch-Site × Origin × Host × TLS/proxy × trusted origins', () => {
      let count = 0;
      const mismatches: Case[] = [];
      for (const method of methods)
        for (const site of sites)
          for (const origin of origins)
            for (const host of hosts)
              for (const transport of transports)
                for (const trusted of trustedLists) {
                  const c: Case = { method, site, origin, host, trusted, ...transport };
                  count++;
                  if (refused(c) !== reference(c)) mismatches.push(c);
                }
      expect(mismatches.slice(0, 5)).toEqual([]);
      expect(count).toBeGreaterThan(50_000);
    });

    it('refuses a real share of them (the reference is not trivially false)', () => {
      const c: Case = { method: 'POST', origin: EVIL, host: 'app.test' };
      expect(reference(c)).toBe(true);
      expect(refused(c)).toBe(true);
    });
  });
});

describe('trustedOriginProblem', () => {
  it.each([
    'https://app.example.com',
    'http://localhost:3000',
    'https://app.example.com:8443',
    'http://127.0.0.1:8080',
    'http://[::1]:3000',
    'capacitor://localhost',
    'chrome-extension://abcdefghijklmnop',
  ])('accepts %s', (origin) => {
    expect(trustedOriginProblem(origin)).toBeUndefined();
  });

  it.each<[unknown, RegExp]>([
    ['https://app.example.com/', /no trailing slash.*use 'https:\/\/app\.example\.com'$/],
    ['https://App.Example.com', /lower case.*use 'https:\/\/app\.example\.com'$/],
    ['https://app.example.com:443', /no default port.*use 'https:\/\/app\.example\.com'$/],
    ['http://app.example.com:80', /use 'http:\/\/app\.example\.com'$/],
    ['https://app.example.com/login', /no path.*use 'https:\/\/app\.example\.com'$/],
    ['https://user@app.example.com', /use 'https:\/\/app\.example\.com'$/],
    ['app.example.com', /not an origin.*e\.g\. 'https:\/\/app\.example\.com'/],
    ['', /not an origin/],
    ['null', /'null' cannot be trusted/],
    ['https://*.example.com', /wildcards are not supported/],
    ['*', /wildcards are not supported/],
    [42, /must be an origin string .* got number/],
    ['Capacitor://localhost', /lower case/],
  ])('refuses %j', (origin, message) => {
    expect(trustedOriginProblem(origin)).toMatch(message);
  });
});
