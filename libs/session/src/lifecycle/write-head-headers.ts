import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';

/**
 * writeHead(status[, statusMessage][, headers]) puts its headers on the response over whatever
 * was set before, the session's headers included. So the gate moves them onto the response first,
 * by Node's rules for headers already set with setHeader, and the commit then adds the session's
 * (Set-Cookie appended, Cache-Control: no-store, Vary: Cookie merged). Returns what is left for
 * Node's writeHead: the status, and the status message if there is one.
 */
export function applyWriteHeadHeaders(
  res: ServerResponse,
  args: ArrayLike<unknown>,
): ArrayLike<unknown> {
  const message = args[1];
  const headers = typeof message === 'string' ? args[2] : (args[2] ?? message);
  if (!headers) return args;
  if (Array.isArray(headers)) {
    // A flat [name, value, name, value] list replaces what was set under its names and may repeat
    // a name (two Set-Cookie lines), as Node's writeHead does since v22 (v20 keeps the last one).
    if (headers.length % 2 !== 0) throw invalidHeaders(headers);
    for (let i = 0; i < headers.length; i += 2) res.removeHeader(headers[i]);
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i]) res.appendHeader(headers[i], headers[i + 1]);
    }
  } else {
    const object = headers as Record<string, string | number | readonly string[]>;
    for (const name of Object.keys(object)) if (name) res.setHeader(name, object[name]);
  }
  return typeof message === 'string' ? [args[0], message] : [args[0]];
}

/** The error Node's writeHead throws for a list with a name and no value. */
function invalidHeaders(headers: unknown[]): TypeError {
  const error = new TypeError(
    `The argument 'headers' is invalid. Received ${inspect(headers)}`,
  ) as TypeError & { code: string };
  error.code = 'ERR_INVALID_ARG_VALUE';
  return error;
}
