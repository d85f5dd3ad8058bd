// fast-check arbitraries for session values (JSON plus Date), shared by the property specs.
// Test-only: excluded from the build like the conformance suites.
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';

/** The key toSessionJson tags a Date with; assertStorable refuses it in user objects. */
export const DATE_TAG = '\u0000date';

/** Any UTF-16 code unit, lone surrogates included (JSON.stringify escapes those as \udXXX). */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
/** Any code point; the astral ones as a surrogate pair, i.e. 4 bytes of UTF-8. */
const codePoint = fc.integer({ min: 0, max: 0x10ffff }).map((point) => String.fromCodePoint(point));
/** What JSON and UTF-8 are touchy about: quotes, escapes, controls, separators, surrogates. */
const touchyChar = fc.constantFrom(
  '"',
  '\\',
  '/',
  '\u0000',
  '\n',
  '\u007f',
  '\u2028',
  '\u2029',
  '\ud800',
  '\udfff',
  '\ufffd',
  '\ufeff',
  'é',
  '😀',
);
const asciiChar = fc.integer({ min: 0x20, max: 0x7e }).map((unit) => String.fromCharCode(unit));

/** One "character" of a string: mostly printable ASCII, often anything Unicode can hold. */
export const unicodeChar = fc.oneof(
  { weight: 4, arbitrary: asciiChar },
  { weight: 2, arbitrary: codePoint },
  { weight: 2, arbitrary: codeUnit },
  { weight: 1, arbitrary: touchyChar },
);

export function unicodeString(maxLength: number, minLength = 0): fc.Arbitrary<string> {
  return fc.string({ unit: unicodeChar, minLength, maxLength });
}

/**
 * An object key: any string but the two no stored object may hold ('__proto__', which
 * assertStorable and the reviver refuse, and the Date tag). Names that mean something to
 * Object.prototype, and near misses of the reserved ones, come up often.
 */
export const storableKey = fc
  .oneof(
    { weight: 3, arbitrary: unicodeString(8) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'constructor',
        'prototype',
        'toString',
        'hasOwnProperty',
        'valueOf',
        '__proto',
        '__proto__ ',
        '\u0000dat',
        '\u0000date ',
        'date',
        '0',
        '',
      ),
    },
  )
  .filter((key) => key !== '__proto__' && key !== DATE_TAG);

/** Finite numbers, -0 included (it comes back as 0: see storedForm). */
const finiteNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(
    0,
    -0,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.EPSILON,
    0.1,
  ),
);

/** Dates with a valid time, from the far past to the far future (±8.64e15 ms). */
export const validDate = fc.oneof(
  fc.date({ noInvalidDate: true }),
  fc.constantFrom(-8.64e15, 8.64e15, 0, -1).map((ms) => new Date(ms)),
);

const leaf = fc.oneof(
  { weight: 3, arbitrary: unicodeString(16) },
  { weight: 2, arbitrary: finiteNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: validDate },
);

/**
 * Any value session.set() accepts: JSON values and Dates, nested in arrays and in objects
 * (some of them Object.create(null) objects, which assertStorable accepts too). Small: a few
 * levels of at most 4 items, so most sessions fit a cookie.
 */
export const storableValue: fc.Arbitrary<unknown> = fc.letrec<{
  value: unknown;
  array: unknown[];
  object: Record<string, unknown>;
}>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(storableKey, tie('value'), { maxKeys: 4 }),
})).value;

/**
 * A large value that deflates well, so that the codec's 'z' packing is taken: a string said
 * many times, or a list of records of one shape.
 */
export const repetitiveValue: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .tuple(unicodeString(8, 1), fc.integer({ min: 40, max: 160 }))
    .map(([chunk, times]) => chunk.repeat(times)),
  fc
    .tuple(
      fc.dictionary(storableKey, leaf, { minKeys: 1, maxKeys: 3, noNullPrototype: true }),
      fc.integer({ min: 10, max: 40 }),
    )
    .map(([record, times]) => Array.from({ length: times }, (_, index) => ({ ...record, index }))),
);

/** A whole session's data: a plain object of storable values, sometimes with a large one. */
export const sessionData: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.dictionary(storableKey, storableValue, { maxKeys: 6, noNullPrototype: true }),
    fc.option(fc.tuple(storableKey, repetitiveValue), { freq: 2 }),
  )
  .map(([data, bulk]) =>
    bulk === null ? data : Object.fromEntries([...Object.entries(data), bulk]),
  );

/** Issue and signing times: from 2001 to 2100, in ms. */
export const plausibleTime = fc.integer({ min: 978_307_200_000, max: 4_102_444_800_000 });

/**
 * What a stored value reads back as: the same value, with each Date a Date of the same time,
 * each object a plain one, and -0 as 0 (JSON.stringify writes -0 as "0": a number's sign at
 * zero is the one thing a round trip loses, and the library accepts that).
 */
export function storedForm(value: unknown): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(storedForm);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value).map((key) => [key, storedForm((value as Record<string, unknown>)[key])]),
    );
  }
  return Object.is(value, -0) ? 0 : value;
}

/**
 * Asserts that `actual` is `expected` as stored values compare: same structure, Dates of the
 * same time, same numbers (0 is not -0), and the same prototypes (plain objects and arrays).
 * util.isDeepStrictEqual decides, quickly; on a difference, toEqual shows where (or, when
 * only a prototype differs, prototypeProblems does).
 */
export function expectStoredAs(actual: unknown, expected: unknown): void {
  if (isDeepStrictEqual(actual, expected)) return;
  expect(actual).toEqual(expected);
  expect(prototypeProblems(actual)).toEqual([]);
  throw new Error('differs from the expected value, as util.isDeepStrictEqual compares them');
}

/** Whether a value holds a Date anywhere. */
export function holdsDate(value: unknown): boolean {
  if (value instanceof Date) return true;
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(holdsDate);
}

/** The four hex digits of a \u escape of `char`, in either case. */
function escaped(char: string, upper: boolean): string {
  const hex = char.charCodeAt(0).toString(16).padStart(4, '0');
  return `\\u${upper ? hex.toUpperCase() : hex}`;
}

/**
 * "__proto__" as a JSON key, quotes included, spelled as JSON allows: often all literal, else
 * each character literal or \u-escaped in either case ("\u005f_proto__", "__pr\u006Fto__").
 */
export const protoKeyText: fc.Arbitrary<string> = fc.oneof(
  fc.constant('"__proto__"'),
  fc
    .array(fc.constantFrom('literal', 'lower', 'upper'), { minLength: 9, maxLength: 9 })
    .map(
      (styles) =>
        `"${[...'__proto__']
          .map((char, i) => (styles[i] === 'literal' ? char : escaped(char, styles[i] === 'upper')))
          .join('')}"`,
    ),
);

/** Optional JSON whitespace: where it goes must not matter. */
const jsonSpace = fc.constantFrom('', '', '', ' ', '\n\t ');

/** What an attacker would put under "__proto__": properties that would show on every object. */
const pollutingObjectText = fc
  .subarray(['"polluted":"yes"', '"isAdmin":true', '"toString":1', '"constructor":{}'], {
    minLength: 1,
  })
  .map((members) => `{${members.join(',')}}`);

const primitiveText = fc.oneof(
  unicodeString(8).map((text) => JSON.stringify(text)),
  finiteNumber.map((n) => JSON.stringify(n)),
  fc.constantFrom('true', 'false', 'null', '"__proto__"', '"\\u005f_proto__"'),
);

const ordinaryKeyText = fc.oneof(
  storableKey.map((key) => JSON.stringify(key)),
  fc.constantFrom('"polluted"', '"constructor"', '"prototype"'),
);

/**
 * JSON texts (as written by hand, not by JSON.stringify) whose objects, at any depth, may hold
 * "__proto__" keys, once or more than once, in any spelling. No Date tags: each text parses to
 * plain JSON data. `object` is a text whose top level is an object, as a session's is.
 */
export const protoJsonText = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 5 }, primitiveText, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
  object: fc
    .array(
      fc.tuple(
        fc.oneof(protoKeyText, ordinaryKeyText),
        jsonSpace,
        fc.oneof(pollutingObjectText, tie('value')),
      ),
      { maxLength: 4 },
    )
    .map(
      (members) =>
        `{${members.map(([key, space, value]) => `${key}${space}:${space}${value}`).join(',')}}`,
    ),
}));

/** What JSON.parse makes of a text (own "__proto__" keys and all), without them. */
export function withoutProtoKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutProtoKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '__proto__')
      .map(([key, inner]) => [key, withoutProtoKeys(inner)]),
  );
}

/**
 * Where in `value` an object has an own "__proto__" key or a prototype other than
 * Object.prototype (arrays: Array.prototype; Dates are leaves), as paths; empty when none.
 */
export function prototypeProblems(value: unknown, path = '$'): string[] {
  if (value === null || typeof value !== 'object' || value instanceof Date) return [];
  const expected = Array.isArray(value) ? Array.prototype : Object.prototype;
  const problems: string[] = [];
  if (Object.getPrototypeOf(value) !== expected) problems.push(`${path}: prototype`);
  if (Object.hasOwn(value, '__proto__')) problems.push(`${path}: own __proto__`);
  for (const [key, inner] of Object.entries(value))
    problems.push(...prototypeProblems(inner, `${path}.${key}`));
  return problems;
}

/**
 * Runs `action` and reports what it added to, changed in or removed from Object.prototype,
 * restoring it either way, so that one polluting run cannot spoil the runs after it.
 */
export function prototypeChanges(action: () => void): string[] {
  const prototype = Object.prototype as Record<PropertyKey, unknown>;
  const descriptors = () =>
    new Map(
      Reflect.ownKeys(prototype).map((key) => [
        key,
        Object.getOwnPropertyDescriptor(prototype, key)!,
      ]),
    );
  const before = descriptors();
  const changes: string[] = [];
  try {
    action();
  } finally {
    const after = descriptors();
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      const was = before.get(key);
      const now = after.get(key);
      if (was === undefined) {
        changes.push(`added ${String(key)}`);
        delete prototype[key];
      } else if (was.value !== now?.value || was.get !== now?.get || was.set !== now?.set) {
        changes.push(`${now === undefined ? 'removed' : 'changed'} ${String(key)}`);
        Object.defineProperty(prototype, key, was);
      }
    }
  }
  return changes;
}
