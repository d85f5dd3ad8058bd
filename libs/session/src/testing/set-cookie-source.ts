import { parseSetCookie } from 'cookie';

/**
 * Where a test finds a response's Set-Cookie lines: a supertest or light-my-request response
 * (`headers['set-cookie']`), a fetch `Response` (`headers.getSetCookie()`), or the lines
 * themselves.
 */
export type SetCookieSource =
  | string
  | readonly string[]
  | { headers: { getSetCookie(): string[] } }
  | { headers: Record<string, unknown> };

function setCookieLines(source: SetCookieSource): readonly string[] {
  if (typeof source === 'string') return [source];
  if (Array.isArray(source)) return source as readonly string[];
  const headers = (source as { headers?: unknown } | null)?.headers;
  // A headers object passed alone, or a request not awaited, would otherwise read as "no cookie".
  if (headers === null || typeof headers !== 'object')
    throw new TypeError(
      'SessionTestKit: expected a response (supertest, inject() or fetch), or its Set-Cookie ' +
        'lines; this value has no headers. Pass the awaited response itself.',
    );
  const { getSetCookie } = headers as { getSetCookie?: unknown };
  if (typeof getSetCookie === 'function') return (getSetCookie as () => string[]).call(headers);
  const lines = (headers as Record<string, unknown>)['set-cookie'];
  if (lines === undefined) return [];
  if (typeof lines === 'string') return [lines];
  if (Array.isArray(lines)) return lines as string[];
  throw new TypeError('SessionTestKit: the response has a Set-Cookie header that is not text');
}

/** The cookie a browser would update: its name, and the path and domain it is set for. */
export interface CookieIdentity {
  name: string;
  path: string;
  domain: string | undefined;
}

/** What a response did to one cookie: set it to a value, cleared it, or left it alone. */
export type CookieChange = { kind: 'set'; value: string } | { kind: 'cleared' } | { kind: 'none' };

/**
 * What the response did to the cookie, as a browser sees it: of the Set-Cookie lines for its
 * name, the last decides (a response that sets and then clears it has cleared it). A line whose
 * Path or Domain names another place sets another cookie of the same name, and is skipped. A
 * line clears the cookie when its value is empty or it has expired: Max-Age 0 or less, or, with
 * no valid Max-Age, an Expires in the past.
 */
export function cookieChange(source: SetCookieSource, cookie: CookieIdentity): CookieChange {
  let change: CookieChange = { kind: 'none' };
  const domain = normalDomain(cookie.domain);
  for (const line of setCookieLines(source)) {
    const parsed = parseSetCookie(line);
    if (parsed.name !== cookie.name) continue;
    // A Path that is empty or not absolute is ignored (the browser uses the request's).
    if (parsed.path?.startsWith('/') === true && parsed.path !== cookie.path) continue;
    if (normalDomain(parsed.domain) !== domain) continue;
    const expired =
      parsed.maxAge !== undefined
        ? parsed.maxAge <= 0
        : parsed.expires !== undefined && parsed.expires.getTime() <= Date.now();
    const value = parsed.value ?? '';
    change = expired || value === '' ? { kind: 'cleared' } : { kind: 'set', value };
  }
  return change;
}

/** A Domain attribute as browsers compare it: no leading dot, any case. */
function normalDomain(domain: string | undefined): string | undefined {
  if (domain === undefined || domain === '') return undefined;
  return (domain.startsWith('.') ? domain.slice(1) : domain).toLowerCase();
}
