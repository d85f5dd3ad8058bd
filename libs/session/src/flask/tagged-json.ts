import { SessionValueError } from '../session.errors.js';

/**
 * Flask's tagged JSON (flask.json.tag.TaggedJSONSerializer), both ways. Flask marks the types
 * JSON lacks with one-key objects whose key is a tag: `{" d": "<HTTP date>"}` a datetime,
 * `{" t": [...]}` a tuple, `{" u": "<hex>"}` a UUID, `{" m": "..."}` Markup, `{" b": "<base64>"}`
 * bytes, and `{" di": {"<tag>__": ...}}` a real one-key object whose key is itself a tag.
 *
 * Written as Flask writes it (sorted keys at every level, ASCII only, no spaces, Python's
 * spelling of numbers), so that the same data gives the same bytes, hence the same cookie.
 */

/** The tags Flask registers by default; a one-key object with one of these keys is a tag. */
const TAGS = new Set([' di', ' t', ' b', ' m', ' u', ' d']);
/** As deep as session.set() lets a value go (assertStorable). */
const MAX_DEPTH = 64;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HTTP_DATE =
  /^(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
/** Years an HTTP date carries faithfully through Flask (it reads 0001-0099 as 19xx/20xx). */
const MIN_YEAR = 100;
const MAX_YEAR = 9999;
const UUID_HEX = /^[0-9a-f]{32}$/i;
/** Strings that need no escaping under ensure_ascii: printable ASCII but `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const SHORT_ESCAPES: Record<number, string> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

/** A cookie whose JSON Flask would read but this module cannot represent, or that is broken. */
export class FlaskJsonError extends Error {
  override name = 'FlaskJsonError';
}

/**
 * A session value (JSON plus Date, as assertStorable admits) as Flask's tagged JSON. `key` names
 * the session key in errors: a Date outside the years 100 to 9999 has no faithful Flask form.
 */
export function toFlaskJson(value: unknown, key = ''): string {
  return write(value, key, key);
}

/**
 * Flask's tagged JSON as a value: datetimes as Dates (whole seconds), tuples as arrays, Markup
 * as strings, UUIDs as dashed hex strings. Throws FlaskJsonError for bytes, a malformed tag
 * or date, nesting deeper than a session may hold, and SyntaxError for malformed JSON. No
 * `__proto__` key survives: nothing from a cookie may reach Object.prototype.
 */
export function fromFlaskJson(json: string): unknown {
  const value: unknown = JSON.parse(json);
  refuseUnsafeIntegers(json);
  return untag(value, 0);
}

/**
 * Python's integers have no bound; a JavaScript number holds every integer only up to 2^53, and
 * some beyond. One it does not hold (a 64-bit id) would be rounded, and written back changed at
 * the next save: such a cookie is refused instead (FlaskJsonError). Scans the JSON text outside
 * its strings.
 */
function refuseUnsafeIntegers(json: string): void {
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (inString) {
      if (code === 0x5c)
        i++; // the escaped character
      else if (code === 0x22) inString = false;
      continue;
    }
    if (code === 0x22) {
      inString = true;
      continue;
    }
    if (code < 0x30 || code > 0x39) continue;
    let end = i;
    while (end < json.length && isNumberChar(json.charCodeAt(end))) end++;
    const literal = json.slice(i, end);
    if (/^\d+$/.test(literal) && !exactAsNumber(literal))
      throw new FlaskJsonError(`the integer ${literal} is beyond what JavaScript holds exactly`);
    i = end - 1;
  }
}

/** Whether a number holds the integer exactly (2^60 does; 2^63 - 1 does not). */
function exactAsNumber(digits: string): boolean {
  const number = Number(digits);
  return (
    Number.isSafeInteger(number) || (Number.isFinite(number) && BigInt(number) === BigInt(digits))
  );
}

/** A digit, or a character of a number's fraction or exponent. */
function isNumberChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2e ||
    code === 0x65 ||
    code === 0x45 ||
    code === 0x2b ||
    code === 0x2d
  );
}

function write(value: unknown, key: string, path: string): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return pythonNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (value === null) return 'null';
  if (value instanceof Date) return `{" d":${quote(httpDate(value, key, path))}}`;
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => write(item, key, `${path}[${i}]`)).join(',')}]`;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    // A real one-key object whose key is a tag must not read back as that tag.
    if (keys.length === 1 && TAGS.has(keys[0])) {
      const [only] = keys;
      return `{" di":{${quote(`${only}__`)}:${write(record[only], key, `${path}.${only}`)}}}`;
    }
    keys.sort(byCodePoint);
    return `{${keys.map((k) => `${quote(k)}:${write(record[k], key, `${path}.${k}`)}`).join(',')}}`;
  }
  throw new SessionValueError(key, path, `is a ${typeof value}`);
}

/**
 * Python's json.dumps of the number: integer-valued numbers as integers (JavaScript cannot tell
 * 1 from 1.0), others as Python's repr (the same shortest digits as JavaScript, but exponents
 * below 1e-4 and from 1e16, written e-05, e+16).
 */
function pythonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new FlaskJsonError(`${n} is not JSON`);
  if (Number.isInteger(n)) return BigInt(n).toString();
  const [mantissa, exponentText] = n.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 16) return String(n);
  const digits = String(Math.abs(exponent)).padStart(2, '0');
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
}

/** A JSON string as Python writes it with ensure_ascii: every non-ASCII unit as \uXXXX. */
function quote(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const short = SHORT_ESCAPES[unit];
    if (short !== undefined) out += short;
    else if (unit >= 0x20 && unit <= 0x7e) out += text[i];
    else out += `\\u${unit.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** Python's sort of str keys: by code point (a surrogate pair is one, above U+FFFF). */
function byCodePoint(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done === true || y.done === true) return x.done === true ? (y.done === true ? 0 : -1) : 1;
    const difference = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
}

/** werkzeug's http_date: RFC 1123 in GMT, whole seconds (milliseconds dropped). */
function httpDate(date: Date, key: string, path: string): string {
  const d = new Date(Math.floor(date.getTime() / 1000) * 1000);
  const year = d.getUTCFullYear();
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new SessionValueError(
      key,
      path,
      `is a Date in the year ${year}; Flask's cookie format holds the years ${MIN_YEAR} to ${MAX_YEAR}`,
    );
  }
  return formatHttpDate(d);
}

function formatHttpDate(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ` +
    `${String(d.getUTCFullYear()).padStart(4, '0')} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`
  );
}

/** An HTTP date exactly as werkzeug writes it (weekday checked); anything else is refused. */
function parseHttpDate(text: unknown): Date {
  const match = typeof text === 'string' ? HTTP_DATE.exec(text) : null;
  if (match === null) throw new FlaskJsonError('malformed datetime tag');
  const [, day, month, year, hours, minutes, seconds] = match;
  const date = new Date(0);
  date.setUTCFullYear(Number(year), MONTHS.indexOf(month), Number(day));
  date.setUTCHours(Number(hours), Number(minutes), Number(seconds), 0);
  if (Number(year) < MIN_YEAR || formatHttpDate(date) !== text)
    throw new FlaskJsonError('malformed datetime tag');
  return date;
}

/** Bottom-up, as Python's object_hook: children first, then the object itself. */
function untag(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) throw new FlaskJsonError(`nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((item) => untag(item, depth + 1));
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key !== '__proto__') out[key] = untag(source[key], depth + 1);
  }
  if (keys.length !== 1 || !TAGS.has(keys[0])) return out;
  const tag = keys[0];
  const inner = out[tag];
  switch (tag) {
    case ' d':
      return parseHttpDate(inner);
    case ' t':
      if (!Array.isArray(inner)) throw new FlaskJsonError('malformed tuple tag');
      return inner;
    case ' m':
      if (typeof inner !== 'string') throw new FlaskJsonError('malformed Markup tag');
      return inner;
    case ' u':
      if (typeof inner !== 'string' || !UUID_HEX.test(inner))
        throw new FlaskJsonError('malformed UUID tag');
      return dashedUuid(inner.toLowerCase());
    case ' di':
      return oneKeyObject(inner);
    default:
      // ' b': bytes have no JavaScript session type that would go back to Flask as bytes.
      throw new FlaskJsonError('bytes in a Flask session cannot be read here');
  }
}

/** The object a `" di"` tag stands for: its one key without the `__` Flask appended. */
function oneKeyObject(inner: unknown): Record<string, unknown> {
  const keys =
    inner !== null && typeof inner === 'object' && !Array.isArray(inner) && !(inner instanceof Date)
      ? Object.keys(inner)
      : [];
  if (keys.length !== 1 || !keys[0].endsWith('__'))
    throw new FlaskJsonError('malformed one-key object tag');
  const key = keys[0].slice(0, -2);
  const out: Record<string, unknown> = {};
  if (key !== '__proto__') out[key] = (inner as Record<string, unknown>)[keys[0]];
  return out;
}

function dashedUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
