import { SessionValueError } from './session.errors.js';

// Session values are JSON plus Date. A Date travels as {"\u0000date": <ms>}: a key no real data
// uses, and one that assertStorable refuses in user objects, so the tag cannot be forged by data.
export const DATE_TAG = '\u0000date';
const MAX_DEPTH = 64;

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? { [DATE_TAG]: raw.getTime() } : value;
}

function reviver(key: string, value: unknown): unknown {
  // Nothing from a cookie or a store may reach Object.prototype.
  if (key === '__proto__') return undefined;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const tagged = (value as Record<string, unknown>)[DATE_TAG];
    if (typeof tagged === 'number' && Object.keys(value).length === 1) return new Date(tagged);
  }
  return value;
}

/**
 * Serialises a session value (or a whole data object) to JSON, Dates tagged. `mayHoldDates`
 * false skips the replacer (a function call per node) for data known to hold no Date.
 */
export function toSessionJson(value: unknown, mayHoldDates = true): string {
  return mayHoldDates ? JSON.stringify(value, replacer) : JSON.stringify(value);
}

/** Whether JSON written by toSessionJson holds a tagged Date. */
export function holdsDates(json: string): boolean {
  return json.includes('\\u0000date');
}

/** Parses JSON written by toSessionJson. Throws SyntaxError on malformed input. */
export function fromSessionJson(json: string): unknown {
  // The reviver costs a function call per node; most sessions hold neither a Date tag nor a
  // __proto__ key. Any \u escape takes the safe path, since it could spell either.
  return json.includes('\\u') || json.includes('__proto__')
    ? JSON.parse(json, reviver)
    : JSON.parse(json);
}

/** The three largest keys of a session with their JSON sizes, for a "too large" message. */
export function largestKeys(data: Record<string, unknown>): string[] {
  return Object.keys(data)
    .map((key) => ({ key, size: Buffer.byteLength(toSessionJson(data[key])) }))
    .sort((a, b) => b.size - a.size)
    .slice(0, 3)
    .map(({ key, size }) => `${key} (${size} bytes)`);
}

/**
 * Refuses what JSON would silently lose or change (functions, undefined, NaN, class instances,
 * Map/Set, BigInt, cycles), naming the key and the path inside it. Returns whether the value
 * holds a Date.
 */
export function assertStorable(key: string, value: unknown): boolean {
  return check(key, value, key, 0, []);
}

function check(
  key: string,
  value: unknown,
  path: string,
  depth: number,
  ancestors: object[],
): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return false;
    case 'number':
      if (!Number.isFinite(value))
        throw new SessionValueError(key, path, `is ${value}, which JSON cannot hold`);
      return false;
    case 'object':
      break;
    default:
      throw new SessionValueError(
        key,
        path,
        value === undefined ? 'is undefined (use pop() to remove a key)' : `is a ${typeof value}`,
      );
  }
  if (value === null) return false;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new SessionValueError(key, path, 'is an invalid Date');
    if (Object.keys(value).length > 0)
      throw new SessionValueError(
        key,
        path,
        'is a Date with properties of its own, which JSON drops',
      );
    return true;
  }
  if (depth >= MAX_DEPTH)
    throw new SessionValueError(key, path, `is nested deeper than ${MAX_DEPTH} levels`);
  if (ancestors.includes(value))
    throw new SessionValueError(key, path, 'refers back to itself (a cycle)');
  ancestors.push(value);
  let dates = false;
  if (Array.isArray(value)) {
    // Holes become null and named properties vanish in JSON.
    if (Object.keys(value).length !== value.length)
      throw new SessionValueError(key, path, 'is an array with holes or named properties');
    for (let i = 0; i < value.length; i++)
      dates = check(key, value[i], `${path}[${i}]`, depth + 1, ancestors) || dates;
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name =
        (value as { constructor?: { name?: string } }).constructor?.name ?? 'unknown class';
      throw new SessionValueError(
        key,
        path,
        `is an instance of ${name}; store a plain object instead`,
      );
    }
    for (const k of Object.keys(value)) {
      if (k === '__proto__' || k === DATE_TAG)
        throw new SessionValueError(key, `${path}.${k}`, 'uses a reserved key name');
      dates =
        check(key, (value as Record<string, unknown>)[k], `${path}.${k}`, depth + 1, ancestors) ||
        dates;
    }
    if (Object.getOwnPropertySymbols(value).length > 0)
      throw new SessionValueError(key, path, 'has symbol keys');
  }
  ancestors.pop();
  return dates;
}
