import { assertStorable, fromSessionJson, toSessionJson } from './session-json.js';
import { SessionValueError } from './session.errors.js';

/** Runs assertStorable and returns the SessionValueError it threw (fails if it did not throw). */
function refusal(key: string, value: unknown): SessionValueError {
  try {
    assertStorable(key, value);
  } catch (error) {
    expect(error).toBeInstanceOf(SessionValueError);
    return error as SessionValueError;
  }
  throw new Error(`assertStorable accepted ${String(key)}`);
}

function nested(levels: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
}

describe('toSessionJson / fromSessionJson', () => {
  it('round trips a top-level Date', () => {
    const when = new Date('2023-05-06T07:08:09.010Z');
    const back = fromSessionJson(toSessionJson(when));
    expect(back).toBeInstanceOf(Date);
    expect((back as Date).getTime()).toBe(when.getTime());
  });

  it('round trips Dates nested in arrays and objects', () => {
    const value = {
      at: new Date(1000),
      list: [new Date(2000), { deeper: [new Date(3000)] }],
      plain: 'text',
    };
    const back = fromSessionJson(toSessionJson(value)) as {
      at: Date;
      list: [Date, { deeper: Date[] }];
      plain: string;
    };
    expect(back.at).toBeInstanceOf(Date);
    expect(back.at.getTime()).toBe(1000);
    expect(back.list[0]).toBeInstanceOf(Date);
    expect(back.list[0].getTime()).toBe(2000);
    expect(back.list[1].deeper[0]).toBeInstanceOf(Date);
    expect(back.list[1].deeper[0].getTime()).toBe(3000);
    expect(back.plain).toBe('text');
    expect(back).toEqual(value);
  });

  it('writes a Date as a tagged object, not as an ISO string', () => {
    const json = toSessionJson({ at: new Date(5) });
    expect(json).toBe('{"at":{"\\u0000date":5}}');
  });

  it('round trips plain JSON values unchanged', () => {
    const value = { s: 'é😀', n: -1.25, b: false, z: null, a: [1, [2, [3]]], o: {} };
    expect(fromSessionJson(toSessionJson(value))).toEqual(value);
  });

  it('keeps a forged tag with two keys as a plain object', () => {
    const back = fromSessionJson('{"v":{"\\u0000date":5,"x":1}}') as any;
    expect(back.v).not.toBeInstanceOf(Date);
    expect(back.v).toEqual({ '\u0000date': 5, x: 1 });
  });

  it('keeps a tag whose value is not a number as a plain object', () => {
    const back = fromSessionJson('{"v":{"\\u0000date":"2020-01-01"}}') as any;
    expect(back.v).not.toBeInstanceOf(Date);
    expect(back.v).toEqual({ '\u0000date': '2020-01-01' });
  });

  it('drops "__proto__" keys without touching Object.prototype', () => {
    try {
      const back = fromSessionJson('{"__proto__":{"polluted":1},"a":{"__proto__":{"polluted":1}}}');
      expect(({} as any).polluted).toBeUndefined();
      expect(Object.hasOwn(back as object, '__proto__')).toBe(false);
      expect((back as any).a).toEqual({});
      expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    } finally {
      delete (Object.prototype as any).polluted;
    }
  });

  it('throws SyntaxError on malformed JSON', () => {
    expect(() => fromSessionJson('{"a":')).toThrow(SyntaxError);
  });
});

describe('assertStorable', () => {
  describe('refuses, naming the key and the path', () => {
    it.each<[string, unknown, string, RegExp]>([
      ['a function', () => 1, 'fn', /is a function/],
      ['undefined', undefined, 'fn', /is undefined/],
      ['NaN', NaN, 'fn', /is NaN/],
      ['Infinity', Infinity, 'fn', /is Infinity/],
      ['-Infinity', -Infinity, 'fn', /is -Infinity/],
      ['a BigInt', 10n, 'fn', /is a bigint/],
      ['a Symbol', Symbol('s'), 'fn', /is a symbol/],
      ['a Map', new Map([['a', 1]]), 'fn', /instance of Map/],
      ['a Set', new Set([1]), 'fn', /instance of Set/],
      ['an invalid Date', new Date('not a date'), 'fn', /invalid Date/],
    ])('%s at the top level', (_label, value, key, problem) => {
      const error = refusal(key, value);
      expect(error.key).toBe(key);
      expect(error.path).toBe(key);
      expect(error.message).toContain(`"${key}"`);
      expect(error.message).toMatch(problem);
    });

    it('a function nested in an object inside an array', () => {
      const error = refusal('cart', { items: [{ sku: 'a' }, { sku: 'b', total: () => 3 }] });
      expect(error.key).toBe('cart');
      expect(error.path).toBe('cart.items[1].total');
      expect(error.message).toContain('"cart"');
      expect(error.message).toContain('cart.items[1].total');
      expect(error.message).toMatch(/is a function/);
    });

    it('undefined nested in an object and in an array', () => {
      expect(refusal('profile', { name: 'a', age: undefined }).path).toBe('profile.age');
      const inArray = refusal('list', [1, undefined]);
      expect(inArray.path).toBe('list[1]');
      expect(inArray.message).toMatch(/is undefined/);
    });

    it('NaN, Infinity and BigInt nested', () => {
      expect(refusal('k', { a: { b: NaN } }).path).toBe('k.a.b');
      expect(refusal('k', [[Infinity]]).path).toBe('k[0][0]');
      expect(refusal('k', { big: 1n }).path).toBe('k.big');
    });

    it('an instance of a custom class', () => {
      class Cart {
        items: string[] = [];
      }
      const top = refusal('cart', new Cart());
      expect(top.message).toMatch(/instance of Cart/);
      const inside = refusal('user', { cart: new Cart() });
      expect(inside.path).toBe('user.cart');
      expect(inside.message).toMatch(/instance of Cart/);
      expect(inside.message).toContain('"user"');
    });

    it('a Map nested in an object', () => {
      const error = refusal('prefs', { byId: new Map() });
      expect(error.path).toBe('prefs.byId');
      expect(error.message).toMatch(/instance of Map/);
    });

    it('a cycle', () => {
      const a: Record<string, unknown> = { name: 'a' };
      a.self = a;
      const error = refusal('node', a);
      expect(error.path).toBe('node.self');
      expect(error.message).toMatch(/cycle/);
      const list: unknown[] = [1];
      list.push({ back: list });
      expect(refusal('list', list).path).toBe('list[1].back');
    });

    it('an invalid Date nested', () => {
      const error = refusal('meta', { at: [new Date(NaN)] });
      expect(error.path).toBe('meta.at[0]');
      expect(error.message).toMatch(/invalid Date/);
    });

    it("an object with the reserved key '\\u0000date'", () => {
      const error = refusal('fake', { '\u0000date': 5 });
      expect(error.key).toBe('fake');
      expect(error.path).toBe('fake.\u0000date');
      expect(error.message).toMatch(/reserved key/);
      expect(refusal('fake', { x: [{ '\u0000date': 1, y: 2 }] }).path).toBe('fake.x[0].\u0000date');
    });

    it('an own "__proto__" key', () => {
      const value = JSON.parse('{"__proto__":{"x":1}}') as unknown;
      expect(Object.hasOwn(value as object, '__proto__')).toBe(true);
      expect(refusal('obj', value).message).toMatch(/reserved key/);
    });

    it('symbol keys', () => {
      expect(refusal('obj', { [Symbol('s')]: 1 }).message).toMatch(/symbol keys/);
    });

    it('nesting deeper than 64 levels', () => {
      const error = refusal('deep', nested(65));
      expect(error.key).toBe('deep');
      expect(error.path).toBe(`deep${'[0]'.repeat(64)}`);
      expect(error.message).toMatch(/deeper than 64/);
    });
  });

  describe('accepts', () => {
    it.each<[string, unknown]>([
      ['a plain object', { a: 1, b: { c: [true, null, 'x'] } }],
      ['an empty object', {}],
      ['an array', [1, 'two', [3], { four: 4 }]],
      ['null', null],
      ['a string', 'text'],
      ['an empty string', ''],
      ['true', true],
      ['false', false],
      ['a finite number', -12.5],
      ['zero', 0],
      ['a Date', new Date()],
      ['Dates nested', { when: [new Date(0)] }],
      ['64 levels of nesting', nested(64)],
    ])('%s', (_label, value) => {
      expect(() => assertStorable('k', value)).not.toThrow();
    });

    it('an Object.create(null) object', () => {
      const bare = Object.create(null) as Record<string, unknown>;
      bare.a = 1;
      bare.inner = Object.assign(Object.create(null) as object, { b: 2 });
      expect(() => assertStorable('k', bare)).not.toThrow();
      expect(fromSessionJson(toSessionJson(bare))).toEqual({ a: 1, inner: { b: 2 } });
    });

    it('the same object referenced twice (shared, not a cycle)', () => {
      const shared = { x: 1 };
      expect(() =>
        assertStorable('k', { a: shared, b: shared, c: [shared, shared] }),
      ).not.toThrow();
    });
  });
});
