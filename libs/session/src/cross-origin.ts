import type { IncomingMessage } from 'node:http';
import { isHttps } from './cookie/cookie-header.js';

/** Cross-origin request protection (the `crossOrigin` option). */
export interface CrossOriginOptions {
  /**
   * Origins other than the app's own that may send unsafe requests (POST, PUT, PATCH, DELETE...),
   * exactly as browsers send them in `Origin`: `scheme://host[:port]`, lower case, no path, no
   * default port, e.g. `'https://app.example.com'`. Default: none.
   */
  trustedOrigins?: readonly string[];
}

export interface ResolvedCrossOriginOptions {
  trustedOrigins: ReadonlySet<string>;
}

/**
 * Whether a request is an unsafe one sent by a browser from another origin, which the module
 * refuses (the rules of Go's `http.CrossOriginProtection`, with the scheme compared too):
 * - GET, HEAD and OPTIONS never are (they must not change state);
 * - with `Sec-Fetch-Site` (every browser since 2023): anything but `same-origin` or `none` is;
 * - without it: a request with no `Origin` is not (curl, server-to-server, old browsers on a
 *   same-origin form); one whose `Origin` is not the request's own origin (scheme, host and
 *   port) is, `Origin: null` included.
 * An `Origin` listed in `trustedOrigins` is never refused.
 *
 * Runs on every request: a safe method costs one or three string comparisons, nothing allocated.
 */
export function isCrossOriginUnsafe(
  req: IncomingMessage,
  options: ResolvedCrossOriginOptions,
  trustProxy: boolean,
): boolean {
  const method = req.method;
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  const headers = req.headers;
  const site = headers['sec-fetch-site'];
  const origin = headers.origin;
  // An empty header counts as no header, as in Go (Header.Get returns "").
  if (site !== undefined && site !== '') {
    if (site === 'same-origin' || site === 'none') return false;
    // cross-site, same-site, or a value no browser sends: refused unless the origin is trusted.
    return origin === undefined || !options.trustedOrigins.has(origin);
  }
  if (origin === undefined || origin === '') return false;
  if (options.trustedOrigins.has(origin)) return false;
  return !isOwnOrigin(origin, req, trustProxy);
}

/**
 * Whether `origin` is the request's own origin: the scheme it came over (with `trustProxy`,
 * X-Forwarded-Proto), and the Host header; host compared without case, default ports dropped on
 * both sides. `null` and anything that is not `scheme://host[:port]` are not.
 */
export function isOwnOrigin(origin: string, req: IncomingMessage, trustProxy: boolean): boolean {
  const host = req.headers.host;
  if (host === undefined || host === '') return false;
  const scheme = isHttps(req, trustProxy) ? 'https' : 'http';
  const separator = origin.indexOf('://');
  if (separator < 0 || origin.slice(0, separator).toLowerCase() !== scheme) return false;
  const originHost = origin.slice(separator + 3);
  if (originHost === '' || /[/?#@\\\s]/.test(originHost)) return false;
  return (
    withoutDefaultPort(originHost.toLowerCase(), scheme) ===
    withoutDefaultPort(host.toLowerCase(), scheme)
  );
}

function withoutDefaultPort(host: string, scheme: 'http' | 'https'): string {
  const port = scheme === 'https' ? ':443' : ':80';
  return host.endsWith(port) ? host.slice(0, -port.length) : host;
}

/**
 * Why a configured trusted origin would never match what a browser sends, with the fix; or
 * undefined when it is an origin as browsers serialise it.
 */
export function trustedOriginProblem(value: unknown): string | undefined {
  const example = "e.g. 'https://app.example.com'";
  if (typeof value !== 'string')
    return `must be an origin string (${example}), got ${typeof value}`;
  if (value === 'null') {
    return "'null' cannot be trusted: it is the origin of sandboxed frames and local files, which any site can produce";
  }
  if (value.includes('*'))
    return `"${value}": wildcards are not supported; list each origin (${example})`;
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#@\\\s]+)$/.exec(value);
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const special = url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:');
  if (special && url!.origin === value) return undefined;
  // Other schemes (an app shell such as capacitor://localhost): kept as written, in lower case.
  if (!special && match !== null && value === value.toLowerCase()) return undefined;
  const fix = special ? `; use '${url!.origin}'` : ` (${example})`;
  return `"${value}" is not an origin as browsers send it: scheme://host[:port] in lower case, no path, no trailing slash, no default port${fix}`;
}
