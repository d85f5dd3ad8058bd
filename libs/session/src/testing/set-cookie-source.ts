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
  const headers = (source as { headers: unknown }).headers as Record<string, unknown>;
  if (typeof headers?.getSetCookie === 'function')
    return (headers.getSetCookie as () => string[])();
  const lines = headers?.['set-cookie'];
  if (lines === undefined) return [];
  if (typeof lines === 'string') return [lines];
  if (Array.isArray(lines)) return lines as string[];
  throw new TypeError('SessionTestKit: the response has a Set-Cookie header that is not text');
}

/** What a response did to one cookie: set it to a value, cleared it, or left it alone. */
export type CookieChange = { kind: 'set'; value: string } | { kind: 'cleared' } | { kind: 'none' };

/** The last Set-Cookie line for `name` decides, as in a browser. */
export function cookieChange(source: SetCookieSource, name: string): CookieChange {
  let change: CookieChange = { kind: 'none' };
  for (const line of setCookieLines(source)) {
    const cookie = parseSetCookie(line);
    if (cookie.name !== name) continue;
    const expired =
      cookie.maxAge !== undefined
        ? cookie.maxAge <= 0
        : cookie.expires !== undefined && cookie.expires.getTime() <= Date.now();
    const value = cookie.value ?? '';
    change = expired || value === '' ? { kind: 'cleared' } : { kind: 'set', value };
  }
  return change;
}
