import { SessionKeyError, SessionValueError } from './session.errors.js';
import { RequestSession } from './session.js';

function loaded(data: Record<string, unknown>, permanent = false): RequestSession {
  return new RequestSession(false, { data, permanent, id: 'the-id' });
}

describe('RequestSession', () => {
  describe('Flask dict semantics', () => {
    it('get returns the value, undefined or the default for a missing key', () => {
      const s = loaded({ a: 1, zero: 0, nil: null });
      expect(s.get('a')).toBe(1);
      expect(s.get('zero', 5)).toBe(0);
      expect(s.get('nil', 'default')).toBeNull();
      expect(s.get('missing')).toBeUndefined();
      expect(s.get('missing', 'default')).toBe('default');
    });

    it('does not see inherited properties as keys', () => {
      const s = loaded({});
      expect(s.get('toString')).toBeUndefined();
      expect(s.get('constructor', 'dflt')).toBe('dflt');
      expect(s.has('hasOwnProperty')).toBe(false);
      expect(s.pop('toString', null)).toBeNull();
    });

    it('set stores and has reports', () => {
      const s = loaded({});
      expect(s.has('user')).toBe(false);
      s.set('user', 'alice');
      expect(s.has('user')).toBe(true);
      expect(s.get('user')).toBe('alice');
      s.set('user', 'bob');
      expect(s.get('user')).toBe('bob');
    });

    it('pop removes and returns the value', () => {
      const s = loaded({ a: 1, b: 2 });
      expect(s.pop('a')).toBe(1);
      expect(s.has('a')).toBe(false);
      expect(s.keys()).toEqual(['b']);
    });

    it('pop of a missing key without default throws SessionKeyError', () => {
      const s = loaded({ a: 1 });
      expect(() => s.pop('missing')).toThrow(SessionKeyError);
      try {
        s.pop('missing');
      } catch (error) {
        expect((error as SessionKeyError).key).toBe('missing');
      }
      expect(s.modified).toBe(false);
    });

    it('pop of a missing key with a default returns the default, even undefined', () => {
      const s = loaded({});
      expect(s.pop('missing', 'dflt')).toBe('dflt');
      expect(s.pop('missing', undefined)).toBeUndefined();
      expect(s.modified).toBe(false);
    });

    it('setdefault stores the default only when the key is missing', () => {
      const s = loaded({ present: 'old' });
      expect(s.setdefault('present', 'new')).toBe('old');
      expect(s.modified).toBe(false);
      const list = s.setdefault('list', ['first']);
      expect(list).toEqual(['first']);
      expect(s.get('list')).toEqual(['first']);
      expect(s.modified).toBe(true);
    });

    it('setdefault refuses a bad default', () => {
      const s = loaded({});
      expect(() => s.setdefault('f', (() => 1) as any)).toThrow(SessionValueError);
      expect(s.has('f')).toBe(false);
    });

    it('update sets several keys', () => {
      const s = loaded({ a: 1 });
      s.update({ b: 2, c: [3] });
      expect(s.keys().sort()).toEqual(['a', 'b', 'c']);
      expect(s.get('c')).toEqual([3]);
    });

    it('keys lists the current keys', () => {
      const s = loaded({ a: 1, b: 2 });
      s.set('c', 3);
      s.pop('a');
      expect(s.keys().sort()).toEqual(['b', 'c']);
    });

    it('clear removes every key', () => {
      const s = loaded({ a: 1, b: 2 });
      s.clear();
      expect(s.keys()).toEqual([]);
      expect(s.has('a')).toBe(false);
      expect(s.isEmpty).toBe(true);
    });
  });

  describe('refusing bad values', () => {
    it('set refuses an unstorable value and leaves the session unchanged', () => {
      const s = loaded({ a: 1 });
      expect(() => s.set('a', () => 2)).toThrow(SessionValueError);
      expect(() => s.set('b', new Map())).toThrow(SessionValueError);
      expect(() => s.set('c', undefined)).toThrow(SessionValueError);
      expect(s.get('a')).toBe(1);
      expect(s.keys()).toEqual(['a']);
      expect(s.modified).toBe(false);
    });

    it("set refuses the key '__proto__' and leaves the session unchanged", () => {
      const s = loaded({ a: 1 });
      expect(() => s.set('__proto__', { polluted: true })).toThrow(TypeError);
      expect(s.keys()).toEqual(['a']);
      expect(s.get('polluted')).toBeUndefined();
      expect(({} as any).polluted).toBeUndefined();
      expect(s.modified).toBe(false);
    });

    it('set refuses an empty key', () => {
      const s = loaded({});
      expect(() => s.set('', 1)).toThrow(TypeError);
      expect(s.isEmpty).toBe(true);
    });

    it('update with one bad value changes nothing', () => {
      const s = loaded({ a: 1 });
      expect(() => s.update({ a: 2, b: 'fine', c: NaN })).toThrow(SessionValueError);
      expect(s.get('a')).toBe(1);
      expect(s.has('b')).toBe(false);
      expect(s.keys()).toEqual(['a']);
      expect(s.modified).toBe(false);
    });

    it("update with a '__proto__' key changes nothing", () => {
      const s = loaded({ a: 1 });
      const values = JSON.parse('{"b":2,"__proto__":{"polluted":true}}') as Record<string, any>;
      expect(() => s.update(values)).toThrow(TypeError);
      expect(s.keys()).toEqual(['a']);
      expect(s.modified).toBe(false);
    });
  });

  describe('values changed after set()', () => {
    it('a function put into a set object is refused at save, naming the key and path', () => {
      const s = new RequestSession(true, undefined);
      const profile: Record<string, unknown> = { name: 'ana' };
      s.set('profile', profile);
      profile.greet = () => 'hi';
      expect(() => s.snapshotData()).toThrow(/key "profile".*profile\.greet is a function/);
      expect(() => s.changes()).toThrow(SessionValueError);
    });

    it('a Date put into a set object is noticed, so it is saved as a Date', () => {
      const s = new RequestSession(true, undefined);
      const profile: Record<string, unknown> = { name: 'ana' };
      s.set('profile', profile);
      expect(s.mayHoldDates).toBe(false);
      profile.since = new Date(0);
      s.changes();
      expect(s.mayHoldDates).toBe(true);
    });

    it('primitives set are not checked again', () => {
      const s = new RequestSession(true, undefined);
      s.set('n', 1);
      expect(s.changes().set.get('n')).toBe(1);
    });
  });

  describe('modified', () => {
    it('is false after only reads', () => {
      const s = loaded({ a: 1, cart: ['x'], profile: { name: 'n' } });
      s.get('a');
      s.get('cart');
      s.get('profile');
      s.has('a');
      s.keys();
      s.get('missing', 'dflt');
      s.pop('missing', null);
      expect(s.permanent).toBe(false);
      expect(s.modified).toBe(false);
    });

    it('is true after set', () => {
      const s = loaded({});
      s.set('a', 1);
      expect(s.modified).toBe(true);
    });

    it('is true after pop of an existing key', () => {
      const s = loaded({ a: 1 });
      s.pop('a');
      expect(s.modified).toBe(true);
    });

    it('is true after clear', () => {
      const s = loaded({ a: 1 });
      s.clear();
      expect(s.modified).toBe(true);
    });

    it('is true after a permanent change, false when set to the same value', () => {
      const same = loaded({}, true);
      same.permanent = true;
      expect(same.modified).toBe(false);
      const changed = loaded({}, false);
      changed.permanent = true;
      expect(changed.permanent).toBe(true);
      expect(changed.modified).toBe(true);
      const unset = loaded({}, true);
      unset.permanent = false;
      expect(unset.permanent).toBe(false);
      expect(unset.modified).toBe(true);
    });

    it('detects a push into an array read with get', () => {
      const s = loaded({ cart: ['a'], other: 1 });
      (s.get('cart') as string[]).push('x');
      expect(s.modified).toBe(true);
      const changes = s.changes();
      expect(changes.replace).toBe(false);
      expect([...changes.set.keys()]).toEqual(['cart']);
      expect(changes.set.get('cart')).toEqual(['a', 'x']);
      expect(changes.unset).toEqual([]);
    });

    it("detects a change to a nested object's property", () => {
      const s = loaded({ profile: { address: { city: 'Paris' } } });
      s.get('profile').address.city = 'Lyon';
      expect(s.modified).toBe(true);
      expect(s.changes().set.get('profile')).toEqual({ address: { city: 'Lyon' } });
    });

    it('detects a nested change made through a second get', () => {
      const s = loaded({ profile: { n: 1 } });
      const first = s.get('profile') as { n: number };
      expect(s.modified).toBe(false);
      (s.get('profile') as { n: number }).n = 2;
      expect(first.n).toBe(2);
      expect(s.modified).toBe(true);
    });

    it('a nested change stays detected after the value is read again', () => {
      const s = loaded({ cart: ['a'] });
      (s.get('cart') as string[]).push('x');
      expect(s.get('cart')).toEqual(['a', 'x']); // a later read must not move the baseline
      expect(s.modified).toBe(true);
      expect([...s.changes().set.keys()]).toEqual(['cart']);
    });

    it('a nested change reverted before the end is not a change', () => {
      const s = loaded({ cart: ['a'] });
      const cart = s.get('cart') as string[];
      cart.push('x');
      expect(s.modified).toBe(true);
      cart.pop();
      expect(s.modified).toBe(false);
    });

    it('`modified = true` forces a full save', () => {
      const s = loaded({ a: 1, b: [2] });
      expect(s.modified).toBe(false);
      s.modified = true;
      expect(s.modified).toBe(true);
      const changes = s.changes();
      expect(changes.replace).toBe(true);
      expect(Object.fromEntries(changes.set)).toEqual({ a: 1, b: [2] });
      expect(changes.unset).toEqual([]);
    });

    it('a nested change to an unstorable value (NaN, Map) is refused when changes are collected', () => {
      const s = loaded({ profile: { name: 'n' }, stats: { n: 1 } });
      s.get('profile').index = new Map([['a', 1]]);
      expect(() => s.changes()).toThrow(SessionValueError);
      expect(() => s.snapshotData()).toThrow(SessionValueError);
      const t = loaded({ stats: { n: 1 } });
      t.get('stats').n = NaN;
      expect(() => t.changes()).toThrow(SessionValueError);
      expect(() => t.snapshotData()).toThrow(SessionValueError);
    });

    it('a nested change that JSON would silently drop (function, undefined) is refused, not lost', () => {
      // set() refuses these values; the same value added by nested mutation must not vanish silently
      // at save time ("refuses what JSON would silently lose").
      const s = loaded({ profile: { name: 'n' } });
      s.get('profile').callback = () => 1;
      expect(() => s.snapshotData()).toThrow(SessionValueError);
      expect(() => s.changes()).toThrow(SessionValueError);
      const t = loaded({ profile: { name: 'n' } });
      t.get('profile').name = undefined;
      expect(() => t.snapshotData()).toThrow(SessionValueError);
    });
  });

  describe('accessed', () => {
    it.each<[string, (s: RequestSession) => unknown]>([
      ['get', (s) => s.get('a')],
      ['get of a missing key', (s) => s.get('missing')],
      ['has', (s) => s.has('a')],
      ['keys', (s) => s.keys()],
      ['set', (s) => s.set('b', 2)],
      ['pop', (s) => s.pop('missing', null)],
      ['clear', (s) => s.clear()],
      ['setting permanent', (s) => (s.permanent = true)],
    ])('is set by %s', (_label, use) => {
      const s = loaded({ a: 1 });
      expect(s.accessed).toBe(false);
      use(s);
      expect(s.accessed).toBe(true);
    });

    it('is not set by reading modified, permanent, isNew or isEmpty', () => {
      const s = loaded({ a: 1 });
      expect([s.modified, s.permanent, s.isNew, s.isEmpty]).toEqual([false, false, false, false]);
      expect(s.accessed).toBe(false);
    });
  });

  describe('lifecycle', () => {
    it('isEmpty reflects the data', () => {
      expect(new RequestSession(true, undefined).isEmpty).toBe(true);
      const s = loaded({ a: 1 });
      expect(s.isEmpty).toBe(false);
      s.pop('a');
      expect(s.isEmpty).toBe(true);
      s.set('b', null);
      expect(s.isEmpty).toBe(false);
    });

    it('isNew reflects the constructor argument', () => {
      expect(new RequestSession(true, undefined).isNew).toBe(true);
      expect(new RequestSession(false, { data: {}, permanent: false }).isNew).toBe(false);
      expect(new RequestSession(true, { data: { a: 1 }, permanent: false }).isNew).toBe(true);
    });

    it('takes id, data and permanent from the loaded state', () => {
      const s = loaded({ a: 1 }, true);
      expect(s.id).toBe('the-id');
      expect(s.permanent).toBe(true);
      expect(s.get('a')).toBe(1);
      expect(new RequestSession(true, undefined).id).toBeUndefined();
      expect(new RequestSession(true, undefined).permanent).toBe(false);
    });

    it('destroy() sets destroyed and empties the session', () => {
      const s = loaded({ a: 1, b: 2 });
      expect(s.destroyed).toBe(false);
      s.destroy();
      expect(s.destroyed).toBe(true);
      expect(s.isEmpty).toBe(true);
      expect(s.keys()).toEqual([]);
      expect(s.modified).toBe(true);
    });

    it('regenerate() marks regenerated and modified, keeping the data', () => {
      const s = loaded({ user: 'alice' });
      expect(s.regenerated).toBe(false);
      s.regenerate();
      expect(s.regenerated).toBe(true);
      expect(s.modified).toBe(true);
      expect(s.accessed).toBe(true);
      expect(s.get('user')).toBe('alice');
      expect(s.changes().replace).toBe(true);
    });
  });

  describe('changes() for server-side stores', () => {
    it('reports nothing for an untouched session', () => {
      const changes = loaded({ a: 1, b: [1] }).changes();
      expect(changes).toEqual({ replace: false, set: new Map(), unset: [] });
    });

    it('set contains only changed keys', () => {
      const s = loaded({ a: 1, b: ['keep'], c: { x: 1 }, d: 'untouched' });
      s.set('a', 2);
      s.get('b'); // read, not changed
      (s.get('c') as { x: number }).x = 2; // nested change
      s.set('e', 'new');
      const changes = s.changes();
      expect(changes.replace).toBe(false);
      expect(new Set(changes.set.keys())).toEqual(new Set(['a', 'c', 'e']));
      expect(changes.set.get('a')).toBe(2);
      expect(changes.set.get('c')).toEqual({ x: 2 });
      expect(changes.set.get('e')).toBe('new');
      expect(changes.unset).toEqual([]);
    });

    it('unset contains popped keys, and a popped key is not in set', () => {
      const s = loaded({ a: 1, b: 2, c: 3 });
      s.set('a', 10);
      s.pop('a');
      s.pop('b');
      const changes = s.changes();
      expect(changes.replace).toBe(false);
      expect(changes.set.size).toBe(0);
      expect([...changes.unset].sort()).toEqual(['a', 'b']);
    });

    it('a key popped then set again is in set, not unset', () => {
      const s = loaded({ a: 1 });
      s.pop('a');
      s.set('a', 2);
      const changes = s.changes();
      expect(changes.set.get('a')).toBe(2);
      expect(changes.unset).toEqual([]);
    });

    it('a nested change then a pop of the same key is only an unset', () => {
      const s = loaded({ cart: ['a'] });
      (s.get('cart') as string[]).push('b');
      s.pop('cart');
      const changes = s.changes();
      expect(changes.set.size).toBe(0);
      expect(changes.unset).toEqual(['cart']);
    });

    it('replace after clear(), with only the keys set afterwards', () => {
      const s = loaded({ a: 1, b: 2 });
      s.pop('a');
      s.clear();
      s.set('c', 3);
      const changes = s.changes();
      expect(changes.replace).toBe(true);
      expect(Object.fromEntries(changes.set)).toEqual({ c: 3 });
      expect(changes.unset).toEqual([]);
    });

    it('a Date value set survives changes()', () => {
      const s = loaded({});
      const when = new Date('2024-01-02T03:04:05Z');
      s.set('when', when);
      s.set('nested', { at: [when] });
      const changes = s.changes();
      const got = changes.set.get('when');
      expect(got).toBeInstanceOf(Date);
      expect((got as Date).getTime()).toBe(when.getTime());
      expect((changes.set.get('nested') as { at: Date[] }).at[0]).toBeInstanceOf(Date);
      expect(s.get('when')).toBeInstanceOf(Date);
    });

    it('reading a Date value does not count as a change', () => {
      const s = loaded({ when: new Date(5), nested: { at: new Date(6) } });
      expect(s.get('when')).toEqual(new Date(5));
      s.get('nested');
      expect(s.modified).toBe(false);
      expect(s.changes().set.size).toBe(0);
    });

    it('reset(state) drops earlier changes and loads the fresh state', () => {
      const s = loaded({ a: 1, cart: ['x'] });
      s.set('a', 2);
      s.pop('cart');
      s.permanent = true;
      s.modified = true;
      s.reset({ data: { fresh: [1] }, permanent: false, id: 'other-id' });
      expect(s.modified).toBe(false);
      expect(s.changes()).toEqual({ replace: false, set: new Map(), unset: [] });
      expect(s.keys()).toEqual(['fresh']);
      expect(s.id).toBe('other-id');
      expect(s.isNew).toBe(false);
      expect(s.permanent).toBe(false);
      (s.get('fresh') as number[]).push(2);
      expect([...s.changes().set.keys()]).toEqual(['fresh']);
    });

    it('reset(state) after a clear() drops the pending replace', () => {
      const s = loaded({ a: 1 });
      s.clear();
      s.reset({ data: { a: 1 }, permanent: false, id: 'the-id' });
      expect(s.modified).toBe(false);
      expect(s.changes().replace).toBe(false);
      expect(s.get('a')).toBe(1);
    });

    it('reset(undefined) makes a new, empty session', () => {
      const s = loaded({ a: 1 });
      s.reset(undefined);
      expect(s.isNew).toBe(true);
      expect(s.id).toBeUndefined();
      expect(s.isEmpty).toBe(true);
      expect(s.modified).toBe(false);
    });
  });

  describe('the stored original as baseline', () => {
    it('get + push is detected against state.original', () => {
      const s = new RequestSession(false, {
        data: { cart: ['a'] },
        permanent: false,
        id: 'x',
        original: { cart: '["a"]' },
      });
      (s.get('cart') as string[]).push('x');
      expect(s.modified).toBe(true);
      expect(s.changes().set.get('cart')).toEqual(['a', 'x']);
    });

    it('the baseline is the stored JSON, not the value at the first get', () => {
      // The loaded value no longer matches what the store holds: that is a change to save.
      const s = new RequestSession(false, {
        data: { cart: ['a', 'x'] },
        permanent: false,
        id: 'x',
        original: { cart: '["a"]' },
      });
      expect(s.get('cart')).toEqual(['a', 'x']);
      expect(s.modified).toBe(true);
      expect(s.changes().set.get('cart')).toEqual(['a', 'x']);
    });

    it('get alone is no change against state.original', () => {
      const s = new RequestSession(false, {
        data: { cart: ['a'], at: { when: new Date(5) } },
        permanent: false,
        id: 'x',
        original: { cart: '["a"]', at: '{"when":{"\\u0000date":5}}' },
      });
      s.get('cart');
      s.get('at');
      expect(s.modified).toBe(false);
    });
  });
});

describe('RequestSession knows when data may hold a Date (serialisation skips the replacer otherwise)', () => {
  it('is false for loaded data known to be Date-free, and turns true when a Date is set or pushed in', () => {
    const s = new RequestSession(false, {
      data: { list: [] as unknown[] },
      permanent: false,
      mayHoldDates: false,
    });
    expect(s.mayHoldDates).toBe(false);
    s.set('n', 1);
    expect(s.mayHoldDates).toBe(false);
    (s.get('list') as unknown[]).push(new Date(0));
    s.snapshotData();
    expect(s.mayHoldDates).toBe(true);
    const t = new RequestSession(false, { data: {}, permanent: false, mayHoldDates: false });
    t.set('when', new Date(0));
    expect(t.mayHoldDates).toBe(true);
  });

  it('defaults to true when the loader does not say, and to false for a new session', () => {
    expect(new RequestSession(false, { data: {}, permanent: false }).mayHoldDates).toBe(true);
    expect(new RequestSession(true, undefined).mayHoldDates).toBe(false);
  });
});
