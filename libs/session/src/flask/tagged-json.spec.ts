import { SessionValueError } from '../session.errors.js';
import { decodeFlaskSession, encodeFlaskSession } from './flask-session-codec.js';
import { FlaskJsonError, fromFlaskJson, toFlaskJson } from './tagged-json.js';

describe("Flask's tagged JSON", () => {
  describe('writing, as Flask writes', () => {
    it('sorts keys at every level by code point, compact, ASCII only', () => {
      const value = { b: 1, a: { z: [true, null], y: 'é😀\u007f\n"\\' }, '\ue000': 1, '😀': 2 };
      expect(toFlaskJson(value)).toBe(
        '{"a":{"y":"\\u00e9\\ud83d\\ude00\\u007f\\n\\"\\\\","z":[true,null]},"b":1,"\\ue000":1,"\\ud83d\\ude00":2}',
      );
    });

    it("spells numbers as Python: integers whole, floats by Python's repr", () => {
      expect(toFlaskJson([1, -0, 1e16, 1e22, 2 ** 70, 1.5, 0.0001, 1e-5, 1.5e-7, -2.5e-300])).toBe(
        '[1,0,10000000000000000,10000000000000000000000,1180591620717411303424,1.5,0.0001,1e-05,1.5e-07,-2.5e-300]',
      );
    });

    it('tags a Date as an HTTP date in whole seconds', () => {
      expect(toFlaskJson({ at: new Date('2024-02-29T12:00:00.999Z') })).toBe(
        '{"at":{" d":"Thu, 29 Feb 2024 12:00:00 GMT"}}',
      );
      expect(toFlaskJson(new Date('0100-01-01T00:00:00Z'))).toBe(
        '{" d":"Fri, 01 Jan 0100 00:00:00 GMT"}',
      );
    });

    it('refuses a Date Flask cannot read back, naming the key', () => {
      expect(() => toFlaskJson({ x: [new Date('0099-12-31T23:59:59Z')] }, 'when')).toThrow(
        SessionValueError,
      );
      expect(() => toFlaskJson(new Date(8.64e15), 'when')).toThrow(/year 275760/);
    });

    it('wraps a one-key object whose key is a tag, at any level', () => {
      expect(toFlaskJson({ ' d': 'x' })).toBe('{" di":{" d__":"x"}}');
      expect(toFlaskJson([{ ' t': { ' di': 1 } }])).toBe('[{" di":{" t__":{" di":{" di__":1}}}}]');
      expect(toFlaskJson({ ' d': 'x', y: 1 })).toBe('{" d":"x","y":1}');
    });
  });

  describe('reading', () => {
    it('turns tags into their JavaScript values', () => {
      const json =
        '{"d":{" d":"Thu, 29 Feb 2024 12:00:00 GMT"},"t":{" t":[1,{" t":[]}]},"m":{" m":"<b>x</b>"},' +
        '"u":{" u":"12345678123456781234567812345678"},"di":{" di":{" d__":"y"}}}';
      expect(fromFlaskJson(json)).toEqual({
        d: new Date(Date.UTC(2024, 1, 29, 12)),
        t: [1, []],
        m: '<b>x</b>',
        u: '12345678-1234-5678-1234-567812345678',
        di: { ' d': 'y' },
      });
    });

    it('leaves objects with more than one key, or an unknown one, alone', () => {
      expect(fromFlaskJson('{"a":{" d":"x","b":1},"c":{" x":1}}')).toEqual({
        a: { ' d': 'x', b: 1 },
        c: { ' x': 1 },
      });
    });

    it.each([
      ['bytes', '{"a":{" b":"aGk="}}'],
      ['a date that is not an HTTP date', '{"a":{" d":"2024-02-29T12:00:00Z"}}'],
      ['a date with the wrong weekday', '{"a":{" d":"Fri, 29 Feb 2024 12:00:00 GMT"}}'],
      ['a date that does not exist', '{"a":{" d":"Fri, 30 Feb 2024 12:00:00 GMT"}}'],
      ['a two-digit-era year Flask misreads', '{"a":{" d":"Sun, 04 Mar 0001 05:06:07 GMT"}}'],
      ['a date that is not a string', '{"a":{" d":1}}'],
      ['a tuple that is not a list', '{"a":{" t":"ab"}}'],
      ['a UUID of the wrong length', '{"a":{" u":"1234"}}'],
      ['Markup that is not a string', '{"a":{" m":5}}'],
      ['a one-key tag with two keys', '{"a":{" di":{" d__":1,"x__":2}}}'],
      ['a one-key tag without its suffix', '{"a":{" di":{" d":1}}}'],
      ['nesting deeper than 64 levels', `${'['.repeat(70)}${']'.repeat(70)}`],
    ])('refuses %s', (_, json) => {
      expect(() => fromFlaskJson(json)).toThrow(FlaskJsonError);
    });

    it('refuses malformed JSON and what Python alone accepts (NaN)', () => {
      expect(() => fromFlaskJson('{"a":')).toThrow(SyntaxError);
      expect(() => fromFlaskJson('{"a":NaN}')).toThrow(SyntaxError);
    });

    it('refuses an integer a JavaScript number cannot hold exactly (it would be rounded), wherever it is', () => {
      for (const json of [
        '{"id":9007199254740993}',
        '{"id":-9007199254740993}',
        '{"a":[1,{"b":18446744073709551615}]}',
        '{" t":[12345678901234567890]}',
      ])
        expect(() => fromFlaskJson(json)).toThrow(/beyond what JavaScript holds exactly/);
    });

    it('reads integers a number holds exactly (up to 2^53 - 1, and 2^60), floats, and digits inside strings as they are', () => {
      const json = String.raw`{"p":1152921504606846976,"a":9007199254740991,"b":-9007199254740991,"c":1.5e300,"d":"18446744073709551615","e":"\\","f":"\"18446744073709551615"}`;
      expect(fromFlaskJson(json)).toEqual({
        p: 2 ** 60, // beyond 2^53, and held exactly
        a: 9007199254740991,
        b: -9007199254740991,
        c: 1.5e300,
        d: '18446744073709551615',
        e: '\\',
        f: '"18446744073709551615',
      });
    });

    it('drops __proto__ keys, spelled in any way, at any level: nothing reaches Object.prototype', () => {
      const json =
        '{"__proto__":{"polluted":1},"a":[{"\\u005f_proto__":{"polluted":1}}],' +
        '"b":{" di":{"__proto____":{"polluted":1}}}}';
      const value = fromFlaskJson(json) as Record<string, unknown>;
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.hasOwn(value, '__proto__')).toBe(false);
      expect(value).toEqual({ a: [{}], b: {} });
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    });
  });
});

describe('the Flask session codec', () => {
  it('adds _permanent only for a permanent session', () => {
    expect(encodeFlaskSession({ a: 1 }, false)).toBe('{"a":1}');
    expect(encodeFlaskSession({ a: 1 }, true)).toBe('{"_permanent":true,"a":1}');
  });

  it('pops _permanent into the flag on read', () => {
    expect(decodeFlaskSession('{"_permanent":true,"a":1}')).toEqual({
      data: { a: 1 },
      permanent: true,
    });
    expect(decodeFlaskSession('{"_permanent":false,"a":1}')).toEqual({
      data: { a: 1 },
      permanent: false,
    });
    expect(decodeFlaskSession('{}')).toEqual({ data: {}, permanent: false });
  });

  it('refuses a _permanent key in the data, and a session that is not an object', () => {
    expect(() => encodeFlaskSession({ _permanent: true }, false)).toThrow(SessionValueError);
    expect(() => decodeFlaskSession('{"_permanent":1}')).toThrow(FlaskJsonError);
    expect(() => decodeFlaskSession('[1]')).toThrow(FlaskJsonError);
    expect(() => decodeFlaskSession('{" d":"Thu, 29 Feb 2024 12:00:00 GMT"}')).toThrow(
      FlaskJsonError,
    );
    expect(() => decodeFlaskSession('{" t":[1]}')).toThrow(FlaskJsonError);
  });

  it('tags a whole session of one tag-named key as Flask does', () => {
    expect(encodeFlaskSession({ ' t': 1 }, false)).toBe('{" di":{" t__":1}}');
    expect(decodeFlaskSession('{" di":{" t__":1}}')).toEqual({
      data: { ' t': 1 },
      permanent: false,
    });
  });
});
