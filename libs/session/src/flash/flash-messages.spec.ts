import { RequestSession } from '../session.js';
import { FLASHES_KEY, FlashMessages } from './flash-messages.js';

/** A request's session as loaded from a stored one. */
function loaded(data: Record<string, unknown>): RequestSession {
  return new RequestSession(false, { data: structuredClone(data), permanent: false, id: 'id' });
}

/** The session the next request loads: what this one would store. */
function nextRequest(session: RequestSession): RequestSession {
  return loaded(session.snapshotData());
}

describe('FlashMessages', () => {
  it("add stores [category, message] pairs under _flashes, 'message' by default", () => {
    const session = new RequestSession(true, undefined);
    const flash = new FlashMessages(session);
    flash.add('Saved');
    flash.add('Careful', 'warning');
    expect(session.get(FLASHES_KEY)).toEqual([
      ['message', 'Saved'],
      ['warning', 'Careful'],
    ]);
    expect(FLASHES_KEY).toBe('_flashes');
    expect(session.modified).toBe(true);
  });

  it('add appends to what an earlier request left waiting', () => {
    const session = loaded({ [FLASHES_KEY]: [['info', 'one']] });
    new FlashMessages(session).add('two', 'error');
    expect(session.get(FLASHES_KEY)).toEqual([
      ['info', 'one'],
      ['error', 'two'],
    ]);
  });

  it('consume returns the messages and removes the key (the session is modified)', () => {
    const session = loaded({
      [FLASHES_KEY]: [
        ['info', 'one'],
        ['error', 'two'],
      ],
      user: 'ana',
    });
    const flash = new FlashMessages(session);
    expect(flash.consume()).toEqual([
      { category: 'info', message: 'one' },
      { category: 'error', message: 'two' },
    ]);
    expect(session.has(FLASHES_KEY)).toBe(false);
    expect(session.modified).toBe(true);
    expect(session.changes().unset).toEqual([FLASHES_KEY]);
    expect(session.get('user')).toBe('ana');
    expect(new FlashMessages(nextRequest(session)).consume()).toEqual([]);
  });

  it('consume twice in one request gives the same list', () => {
    const flash = new FlashMessages(loaded({ [FLASHES_KEY]: [['info', 'one']] }));
    const first = flash.consume();
    expect(flash.consume()).toEqual(first);
    expect(flash.messages()).toEqual(['one']);
    // A caller changing what it got does not change what the next read sees.
    first.pop();
    expect(flash.consume()).toEqual([{ category: 'info', message: 'one' }]);
  });

  it('a category filter returns only those categories, but consumes all (as Flask does)', () => {
    const session = loaded({
      [FLASHES_KEY]: [
        ['info', 'one'],
        ['error', 'two'],
        ['warning', 'three'],
        ['error', 'four'],
      ],
    });
    const flash = new FlashMessages(session);
    expect(flash.consume(['error'])).toEqual([
      { category: 'error', message: 'two' },
      { category: 'error', message: 'four' },
    ]);
    expect(flash.messages(['info', 'warning'])).toEqual(['one', 'three']);
    expect(flash.messages(['none'])).toEqual([]);
    // As Flask's `if category_filter:`: an empty filter is no filter.
    expect(flash.messages([])).toEqual(['one', 'two', 'three', 'four']);
    // All of them were taken out of the session: the next request has none.
    expect(session.has(FLASHES_KEY)).toBe(false);
    expect(flash.messages()).toEqual(['one', 'two', 'three', 'four']);
    expect(new FlashMessages(nextRequest(session)).consume()).toEqual([]);
  });

  it('messages() gives the texts', () => {
    const flash = new FlashMessages(
      loaded({
        [FLASHES_KEY]: [
          ['message', 'a'],
          ['x', 'b'],
        ],
      }),
    );
    expect(flash.messages()).toEqual(['a', 'b']);
  });

  it('with nothing waiting, consume returns [] and the session is not modified', () => {
    const session = loaded({ user: 'ana' });
    const flash = new FlashMessages(session);
    expect(flash.consume()).toEqual([]);
    expect(flash.messages(['error'])).toEqual([]);
    expect(flash.pending).toBe(false);
    expect(session.modified).toBe(false);
    expect(session.changes()).toEqual({ replace: false, set: new Map(), unset: [] });

    const fresh = new RequestSession(true, undefined);
    expect(new FlashMessages(fresh).consume()).toEqual([]);
    expect(fresh.modified).toBe(false);
    expect(fresh.isEmpty).toBe(true);
  });

  it('a message added after consume waits for the next request', () => {
    const session = loaded({ [FLASHES_KEY]: [['info', 'old']] });
    const flash = new FlashMessages(session);
    expect(flash.messages()).toEqual(['old']);
    flash.add('new');
    expect(flash.messages()).toEqual(['old']);
    expect(session.get(FLASHES_KEY)).toEqual([['message', 'new']]);
    const next = new FlashMessages(nextRequest(session));
    expect(next.pending).toBe(true);
    expect(next.messages()).toEqual(['new']);
  });

  it('a message added before consume in the same request is read with the others', () => {
    const flash = new FlashMessages(loaded({ [FLASHES_KEY]: [['info', 'old']] }));
    flash.add('new');
    expect(flash.messages()).toEqual(['old', 'new']);
  });

  it.each([
    ['a string', 'not a list', []],
    ['a number', 42, []],
    ['null', null, []],
    ['an object', { 0: ['info', 'x'] }, []],
    [
      'a list with malformed entries',
      [
        ['info', 'kept'],
        42,
        'text',
        null,
        ['info'],
        ['info', 'too', 'long'],
        [1, 'number category'],
        ['info', 2],
        ['info', { text: 'object' }],
        { 0: 'info', 1: 'object pair', length: 2 },
        [],
        ['', 'empty category kept as Flask would'],
        ['error', 'kept too'],
      ],
      [
        { category: 'info', message: 'kept' },
        { category: '', message: 'empty category kept as Flask would' },
        { category: 'error', message: 'kept too' },
      ],
    ],
  ])('a stored value that is %s yields only the well-formed pairs', (_label, stored, expected) => {
    const session = loaded({ [FLASHES_KEY]: stored });
    const flash = new FlashMessages(session);
    expect(flash.consume()).toEqual(expected);
    expect(session.has(FLASHES_KEY)).toBe(false);
  });

  it('add after a stored value that is not a list starts a new list', () => {
    const session = loaded({ [FLASHES_KEY]: 'garbage' });
    new FlashMessages(session).add('fresh');
    expect(session.get(FLASHES_KEY)).toEqual([['message', 'fresh']]);
  });

  it.each([
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
    ['an object', { text: 'x' }],
  ])('refuses a message that is %s with a TypeError', (_label, message) => {
    const session = new RequestSession(true, undefined);
    expect(() => new FlashMessages(session).add(message as unknown as string)).toThrow(TypeError);
    expect(() => new FlashMessages(session).add(message as unknown as string)).toThrow(
      /must be a string/,
    );
    expect(session.has(FLASHES_KEY)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['a number', 1],
    ['null', null],
  ])('refuses a category that is %s with a TypeError', (_label, category) => {
    const session = new RequestSession(true, undefined);
    expect(() => new FlashMessages(session).add('m', category as string)).toThrow(TypeError);
    expect(() => new FlashMessages(session).add('m', category as string)).toThrow(
      /category must be a non-empty string/,
    );
    expect(session.has(FLASHES_KEY)).toBe(false);
  });

  it('an empty message is a message', () => {
    const session = new RequestSession(true, undefined);
    new FlashMessages(session).add('');
    expect(new FlashMessages(nextRequest(session)).messages()).toEqual(['']);
  });

  it('pending says whether messages wait, without consuming them', () => {
    const session = loaded({ [FLASHES_KEY]: [['info', 'one']] });
    const flash = new FlashMessages(session);
    expect(flash.pending).toBe(true);
    expect(flash.pending).toBe(true);
    expect(session.has(FLASHES_KEY)).toBe(true);
    expect(session.modified).toBe(false);
    expect(flash.messages()).toEqual(['one']);
    expect(flash.pending).toBe(false);
    // A message added after the read waits for the next request: pending again.
    flash.add('next time');
    expect(flash.pending).toBe(true);
    expect(flash.messages()).toEqual(['one']);

    const empty = new FlashMessages(loaded({}));
    expect(empty.pending).toBe(false);
    empty.add('later');
    expect(empty.pending).toBe(true);
  });

  it('flashes cross requests in the Flask layout, through JSON', () => {
    const first = new RequestSession(true, undefined);
    new FlashMessages(first).add('Logged in', 'success');
    const json = JSON.stringify(first.snapshotData());
    expect(json).toBe('{"_flashes":[["success","Logged in"]]}');
    const second = new FlashMessages(loaded(JSON.parse(json)));
    expect(second.consume()).toEqual([{ category: 'success', message: 'Logged in' }]);
  });
});
