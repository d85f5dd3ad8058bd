/** What RFC 6265 (and RFC 6265bis for prefixes) allows in a cookie's name and attributes. */

/** Section 4.1.1: a cookie-name is an RFC 7230 token. */
export const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Section 4.1.1: path-value is any CHAR except CTLs or ";". */
export const COOKIE_PATH = /^\/[\u0020-\u003A\u003C-\u007E]*$/;
export const COOKIE_DOMAIN =
  /^\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The attributes a name prefix constrains. */
export interface PrefixedAttributes {
  path: unknown;
  domain: unknown;
  secure: unknown;
}

/**
 * RFC 6265bis section 4.1.3: browsers accept a `__Secure-` cookie only with Secure, and a
 * `__Host-` cookie only with Secure, `Path=/` and no Domain. A setting they would reject is a
 * cookie that silently never arrives. Browsers match the prefixes without regard to case.
 * Returns the problems, each as `[attribute, message]`; `options` is where the caller's options
 * live (`'cookie.'` for the module's), for the messages.
 */
export function namePrefixProblems(
  name: unknown,
  { path, domain, secure }: PrefixedAttributes,
  options = '',
): Array<[string, string]> {
  if (typeof name !== 'string') return [];
  const host = /^__host-/i.test(name);
  if (!host && !/^__secure-/i.test(name)) return [];
  const prefix = host ? '__Host-' : '__Secure-';
  const problems: Array<[string, string]> = [];
  if (secure !== true)
    problems.push([
      'secure',
      `a ${prefix} cookie must be Secure; set ${options}secure: true (and serve over HTTPS)`,
    ]);
  if (host && path !== '/')
    problems.push(['path', 'a __Host- cookie must have path "/"; remove the path option']);
  if (host && domain !== undefined)
    problems.push(['domain', 'a __Host- cookie cannot have a domain; remove the domain option']);
  return problems;
}
