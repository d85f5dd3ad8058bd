import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionLockTimeoutError, SessionStoreFullError } from '../session.errors.js';
import { FileStore, type FileStoreOptions, recordPath } from './file-store.js';
import type { SessionPatch, StoredSession } from './session-store.js';

const HOUR = 3600_000;
const lockOptions = { waitMs: 3000, ttlMs: 5000 };

function record(data: Record<string, string>, expiresAt = Date.now() + HOUR): StoredSession {
  return { data, permanent: false, expiresAt, issuedAt: Date.now() };
}

function patch(change: Partial<SessionPatch>): SessionPatch {
  return {
    replace: false,
    set: {},
    unset: [],
    permanent: false,
    expiresAt: Date.now() + HOUR,
    ...change,
  };
}

/** The file name stem the store must use: sha256 hex of the key. */
const hashOf = (key: string): string => createHash('sha256').update(key).digest('hex');
const modeOf = (path: string): number => statSync(path).mode & 0o777;
const minutesAgo = (minutes: number): Date => new Date(Date.now() - minutes * 60_000);

describe('FileStore', () => {
  let dir: string;
  const stores: FileStore[] = [];
  const open = (options: Omit<FileStoreOptions, 'dir'> = {}): FileStore => {
    const store = new FileStore({ dir, ...options });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'file-store-spec-')), 'sessions');
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(stores.splice(0).map((store) => store.close()));
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  describe('options', () => {
    it.each([undefined, '', '  ', 42])('rejects dir %p with a hint', (bad) => {
      expect(() => new FileStore({ dir: bad as string })).toThrow(
        /FileStore option dir must be a non-empty string.*new FileStore\(\{ dir:/,
      );
    });

    it('rejects missing options with a TypeError', () => {
      expect(() => new FileStore(undefined as never)).toThrow(TypeError);
    });

    it.each([0, -1, 1.5, Number.NaN])('rejects sweepInterval and maxEntries %p', (bad) => {
      expect(() => new FileStore({ dir, sweepInterval: bad })).toThrow(
        /FileStore option sweepInterval must be a positive integer/,
      );
      expect(() => new FileStore({ dir, maxEntries: bad })).toThrow(
        /FileStore option maxEntries must be a positive integer/,
      );
    });

    it('creates its directory, private to the user', async () => {
      const store = open();
      expect(store.name).toBe('file');
      expect(modeOf(dir)).toBe(0o700);
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it.each(['000', '277'])('creates its directory 0700 under umask %s too', (umask) => {
      const previous = process.umask(parseInt(umask, 8));
      try {
        open();
      } finally {
        process.umask(previous);
      }
      expect(modeOf(dir)).toBe(0o700);
    });

    it.each(['0777', '0770', '0702', '1777'])(
      'refuses an existing directory others can write to (mode %s), and leaves it as it is',
      (octal) => {
        const mode = parseInt(octal, 8);
        mkdirSync(dir);
        chmodSync(dir, mode);
        expect(() => new FileStore({ dir })).toThrow(TypeError);
        expect(() => new FileStore({ dir })).toThrow(
          `FileStore directory ${dir} (mode ${octal}, owner uid ${process.getuid!()}) must be ` +
            `writable by this process's user (uid ${process.getuid!()}) alone: anyone else who ` +
            `can write there can forge sessions. Run chmod 700 ${dir} as that user, or give the ` +
            'store a directory of its own.',
        );
        expect(statSync(dir).mode & 0o7777).toBe(mode);
      },
    );

    it('accepts an existing directory only its owner can write to', () => {
      mkdirSync(dir, { mode: 0o755 });
      expect(open().dir).toBe(dir);
    });

    // Giving the directory to another user takes root (as the tests run here).
    (process.getuid?.() === 0 ? it : it.skip)("refuses another user's directory", () => {
      mkdirSync(dir, { mode: 0o700 });
      chownSync(dir, 1, 1);
      expect(() => new FileStore({ dir })).toThrow(/owner uid 1\) must be writable by this/);
    });
  });

  describe('files', () => {
    it('names every file by a hash of the key, never its text, inside the directory', async () => {
      const store = open();
      const keys = ['../../etc/passwd', '/absolute/path', 'plain-session-key', 'a\0b'];
      for (const key of keys) await store.create(key, record({ a: '1' }));
      const release = await store.lock(keys[0], lockOptions);

      const names = readdirSync(dir).sort();
      expect(names).toEqual(
        [...keys.map((key) => `${hashOf(key)}.json`), `${hashOf(keys[0])}.lock`].sort(),
      );
      for (const key of keys) {
        expect(recordPath(dir, key)).toBe(join(dir, `${hashOf(key)}.json`));
        expect(names.some((name) => name.includes(key))).toBe(false);
        expect((await store.get(key))?.data).toEqual({ a: '1' });
      }
      expect(readdirSync(join(dir, '..'))).toEqual(['sessions']);
      await release();
      expect(readdirSync(dir)).not.toContain(`${hashOf(keys[0])}.lock`);
    });

    it('writes records and locks with mode 0600', async () => {
      const store = open();
      await store.create('k', record({ a: '1' }));
      expect(modeOf(recordPath(dir, 'k'))).toBe(0o600);
      await store.update('k', patch({ set: { b: '2' } }));
      expect(modeOf(recordPath(dir, 'k'))).toBe(0o600);
      const release = await store.lock('k', lockOptions);
      expect(modeOf(join(dir, `${hashOf('k')}.lock`))).toBe(0o600);
      await release();
    });

    it('stores the documented JSON shape', async () => {
      const store = open();
      const [expiresAt, issuedAt] = [Date.now() + HOUR, Date.now()];
      await store.create('k', { data: { user: '"ana"' }, permanent: true, expiresAt, issuedAt });
      expect(JSON.parse(readFileSync(recordPath(dir, 'k'), 'utf8'))).toEqual({
        v: 1,
        data: { user: '"ana"' },
        permanent: true,
        expiresAt,
        issuedAt,
      });
    });

    it('keeps a key named __proto__ as data', async () => {
      const store = open();
      await store.create('k', record({ a: '1' }));
      await store.update('k', patch({ set: { ['__proto__']: '"x"' } }));
      const data = (await store.get('k'))?.data;
      expect(Object.keys(data ?? {})).toEqual(['a', '__proto__']);
      expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    });
  });

  describe('unreadable and failing files', () => {
    it.each([
      ['a half-written', '{"v":1,"data":{"a"'],
      ['an empty', ''],
      [
        'another version of a',
        '{"v":2,"data":{},"permanent":false,"expiresAt":9999999999999,"issuedAt":1}',
      ],
      [
        'a non-string value in a',
        '{"v":1,"data":{"a":1},"permanent":false,"expiresAt":9999999999999,"issuedAt":1}',
      ],
      ['an expiry-less', '{"v":1,"data":{},"permanent":false,"issuedAt":1}'],
      ['an issue-time-less', '{"v":1,"data":{},"permanent":false,"expiresAt":9999999999999}'],
      [
        'an infinite-issue-time',
        '{"v":1,"data":{},"permanent":false,"expiresAt":9999999999999,"issuedAt":1e999}',
      ],
      ['an array as a', '[1,2]'],
    ])('reads %s record as missing, deletes it and warns once', async (_, content) => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const store = open();
      await store.create('k', record({ a: '1' }));
      writeFileSync(recordPath(dir, 'k'), content);

      expect(await store.get('k')).toBeUndefined();
      expect(existsSync(recordPath(dir, 'k'))).toBe(false);
      expect(await store.get('k')).toBeUndefined();
      expect(await store.update('k', patch({ set: { a: '2' } }))).toBe(false);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toContain(hashOf('k'));
    });

    it('rejects on a real I/O error instead of reading it as no session', async () => {
      const store = open();
      mkdirSync(recordPath(dir, 'k')); // reading it fails with EISDIR
      await expect(store.get('k')).rejects.toMatchObject({ code: 'EISDIR' });
      await expect(store.update('k', patch({ set: { a: '1' } }))).rejects.toThrow();
      expect(statSync(recordPath(dir, 'k')).isDirectory()).toBe(true);
    });

    it('ping rejects when the directory is gone', async () => {
      const store = open();
      await expect(store.ping()).resolves.toBeUndefined();
      rmSync(dir, { recursive: true });
      await expect(store.ping()).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(store.create('k', record({}))).rejects.toThrow();
    });

    it('never shows a reader a record being written, nor leaves temp files', async () => {
      const store = open();
      const big = 'x'.repeat(512 * 1024);
      await store.create('k', record({ big: '""' }));
      let writing = true;
      const writes = (async () => {
        for (let i = 0; i < 30; i++)
          await store.update('k', patch({ set: { big: `"${big}${i}"` } }));
        writing = false;
      })();
      let reads = 0;
      while (writing) {
        const read = await store.get('k');
        expect(read?.data.big).toMatch(/^"/);
        reads++;
      }
      await writes;
      expect(reads).toBeGreaterThan(0);
      expect(readdirSync(dir)).toEqual([`${hashOf('k')}.json`]);
    });
  });

  describe('sweeping', () => {
    it('deletes expired records and leases and abandoned files, keeps live ones', async () => {
      const store = open();
      await store.create('expired', record({ a: '1' }, Date.now() + 50));
      await store.create('live', record({ a: '1' }));
      await store.lock('expired-lock', { waitMs: 100, ttlMs: 50 });
      const liveLock = await store.lock('live-lock', lockOptions);
      writeFileSync(join(dir, '.tmp-old'), '{}');
      utimesSync(join(dir, '.tmp-old'), minutesAgo(2), minutesAgo(2));
      writeFileSync(join(dir, '.tmp-fresh'), '{}');
      writeFileSync(join(dir, `${hashOf('crashed')}.mutex`), '');
      utimesSync(join(dir, `${hashOf('crashed')}.mutex`), minutesAgo(2), minutesAgo(2));
      writeFileSync(join(dir, 'unrelated.txt'), 'kept');
      await sleep(100);

      await store.sweep();
      expect(readdirSync(dir).sort()).toEqual(
        [
          '.tmp-fresh',
          `${hashOf('live')}.json`,
          `${hashOf('live-lock')}.lock`,
          'unrelated.txt',
        ].sort(),
      );
      expect((await store.get('live'))?.data).toEqual({ a: '1' });
      await liveLock();
    });

    it('goes on past a file it cannot sweep, then rejects', async () => {
      const store = open();
      mkdirSync(recordPath(dir, 'broken')); // reading it fails with EISDIR
      for (let i = 0; i < 5; i++) await store.create(`k${i}`, record({ a: '1' }, Date.now() + 10));
      await sleep(50);
      await expect(store.sweep()).rejects.toThrow(/1 file\(s\) could not be swept: .*EISDIR/);
      expect(readdirSync(dir)).toEqual([`${hashOf('broken')}.json`]);
    });

    it('sweeps on its timer, and stops when closed', async () => {
      const writer = open();
      const swept = open({ sweepInterval: 50 });
      const closed = open({ sweepInterval: 50 });
      await closed.close();
      await writer.create('a', record({ a: '1' }, Date.now() + 30));
      await sleep(300);
      expect(existsSync(recordPath(dir, 'a'))).toBe(false);

      await swept.close();
      await writer.create('b', record({ b: '1' }, Date.now() + 30));
      await sleep(300);
      expect(existsSync(recordPath(dir, 'b'))).toBe(true);
    });
  });

  describe('maxEntries', () => {
    const records = (): string[] => readdirSync(dir).filter((name) => name.endsWith('.json'));

    it('refuses a new session when full, and keeps every existing one', async () => {
      const store = open({ maxEntries: 3 });
      for (const key of ['a', 'b', 'c']) await store.create(key, record({ key }));
      const refused = store.create('d', record({}));
      await expect(refused).rejects.toBeInstanceOf(SessionStoreFullError);
      await expect(refused).rejects.toMatchObject({ store: 'FileStore', limit: 3 });
      expect(records()).toHaveLength(3);
      for (const key of ['a', 'b', 'c']) expect((await store.get(key))?.data).toEqual({ key });
    });

    it('re-creating an existing key is not a new session: accepted when full', async () => {
      const store = open({ maxEntries: 2 });
      await store.create('a', record({}));
      await store.create('b', record({}));
      await store.create('b', record({ again: '1' }));
      expect((await store.get('b'))?.data).toEqual({ again: '1' });
    });

    it('has room again after a destroy, or once an expired record is deleted', async () => {
      const store = open({ maxEntries: 2 });
      await store.create('a', record({}));
      await store.create('b', record({}, Date.now() + 50));
      await store.destroy('a');
      await store.create('c', record({}));
      await expect(store.create('d', record({}))).rejects.toBeInstanceOf(SessionStoreFullError);
      await sleep(60);
      expect(await store.get('b')).toBeUndefined(); // deletes the expired record
      await store.create('d', record({}));
      expect(records()).toHaveLength(2);
    });

    it('counts at most the limit under concurrent creates', async () => {
      const store = open({ maxEntries: 5 });
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => store.create(`k${i}`, record({}))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      expect(records()).toHaveLength(5);
    });

    it('counts the records in the directory at start, and again at every sweep', async () => {
      const other = open(); // another process on the same directory
      await other.create('a', record({}));
      await other.create('b', record({}));
      const store = open({ maxEntries: 3 });
      await store.create('c', record({}));
      await expect(store.create('d', record({}))).rejects.toBeInstanceOf(SessionStoreFullError);
      await other.destroy('a');
      await store.sweep();
      await store.create('d', record({}));
      await expect(store.create('e', record({}))).rejects.toBeInstanceOf(SessionStoreFullError);
    });
  });

  it('survives a restart: a new store on the directory reads what the old one wrote', async () => {
    const before = open();
    await before.create('k', { ...record({ a: '1' }), permanent: true });
    await before.close();
    const after = open();
    expect(await after.get('k')).toMatchObject({ data: { a: '1' }, permanent: true });
    expect(await after.update('k', patch({ set: { b: '2' } }))).toBe(true);
    expect((await before.get('k'))?.data).toEqual({ a: '1', b: '2' });
  });

  // Two stores on one directory share no memory, only files: as two processes would.
  describe('two processes on one directory', () => {
    it('keep all of 20 locked read-modify-writes split across them', async () => {
      const [a, b] = [open(), open()];
      await a.create('k', record({ list: '[]' }));
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const store = i % 2 === 0 ? a : b;
          const release = await store.lock('k', lockOptions);
          try {
            const list = JSON.parse((await store.get('k'))!.data.list) as number[];
            await sleep(2);
            list.push(i);
            await store.update('k', patch({ set: { list: JSON.stringify(list) } }));
          } finally {
            await release();
          }
        }),
      );
      const list = JSON.parse((await a.get('k'))!.data.list) as number[];
      expect(list.sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });

    it('keep every one of 10 concurrent updates to different keys', async () => {
      const [a, b] = [open(), open()];
      await a.create('k', record({ base: '0' }));
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? a : b).update('k', patch({ set: { [`k${i}`]: String(i) } })),
        ),
      );
      expect(Object.keys((await b.get('k'))?.data ?? {}).sort()).toEqual(
        ['base', ...Array.from({ length: 10 }, (_, i) => `k${i}`)].sort(),
      );
    });

    it('never resurrect a session one destroys while the other updates it', async () => {
      const [a, b] = [open(), open()];
      for (let i = 0; i < 20; i++) {
        await a.create('k', record({ a: '1' }));
        await Promise.all([b.update('k', patch({ set: { late: '1' } })), a.destroy('k')]);
        expect(await a.get('k')).toBeUndefined();
      }
    });

    it('exclude each other with the session lock, until it is released', async () => {
      const [a, b] = [open(), open()];
      const release = await a.lock('k', lockOptions);
      await expect(b.lock('k', { waitMs: 150, ttlMs: 5000 })).rejects.toBeInstanceOf(
        SessionLockTimeoutError,
      );
      const waiting = b.lock('k', lockOptions);
      await sleep(50);
      await release();
      const releaseB = await waiting;
      await expect(a.lock('k', { waitMs: 100, ttlMs: 5000 })).rejects.toBeInstanceOf(
        SessionLockTimeoutError,
      );
      await releaseB();
    });
  });

  describe('files left by another or a crashed process', () => {
    const mutexOf = (key: string): string => join(dir, `${hashOf(key)}.mutex`);
    const leaseOf = (key: string): string => join(dir, `${hashOf(key)}.lock`);

    it('waits for a live mutex file, then updates', async () => {
      const store = open();
      await store.create('k', record({ a: '1' }));
      writeFileSync(mutexOf('k'), '');
      let done = false;
      const update = store.update('k', patch({ set: { b: '2' } })).finally(() => (done = true));
      await sleep(150);
      expect(done).toBe(false);
      rmSync(mutexOf('k'));
      expect(await update).toBe(true);
      expect((await store.get('k'))?.data).toEqual({ a: '1', b: '2' });
      expect(existsSync(mutexOf('k'))).toBe(false);
    });

    it('breaks a mutex file abandoned seconds ago', async () => {
      const store = open();
      await store.create('k', record({ a: '1' }));
      writeFileSync(mutexOf('k'), '');
      utimesSync(mutexOf('k'), minutesAgo(0.1), minutesAgo(0.1));
      const started = Date.now();
      expect(await store.update('k', patch({ set: { b: '2' } }))).toBe(true);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(existsSync(mutexOf('k'))).toBe(false);
    });

    it("respects another process's unexpired lease, takes over an expired one", async () => {
      const store = open();
      const future = { token: 'theirs', expiresAt: Date.now() + 60_000 };
      writeFileSync(leaseOf('k'), JSON.stringify(future));
      await expect(store.lock('k', { waitMs: 100, ttlMs: 5000 })).rejects.toBeInstanceOf(
        SessionLockTimeoutError,
      );
      writeFileSync(leaseOf('k'), JSON.stringify({ ...future, expiresAt: Date.now() - 1 }));
      const release = await store.lock('k', { waitMs: 100, ttlMs: 5000 });
      expect(JSON.parse(readFileSync(leaseOf('k'), 'utf8')).token).not.toBe('theirs');
      await release();
      expect(existsSync(leaseOf('k'))).toBe(false);
    });

    it('takes an unreadable lease as held while fresh, abandoned once old', async () => {
      const store = open();
      writeFileSync(leaseOf('k'), '');
      await expect(store.lock('k', { waitMs: 100, ttlMs: 5000 })).rejects.toBeInstanceOf(
        SessionLockTimeoutError,
      );
      utimesSync(leaseOf('k'), minutesAgo(0.1), minutesAgo(0.1));
      const release = await store.lock('k', { waitMs: 100, ttlMs: 5000 });
      await release();
    });

    it("a release does not remove another process's lease", async () => {
      const store = open();
      const release = await store.lock('k', { waitMs: 100, ttlMs: 5000 });
      const theirs = JSON.stringify({ token: 'theirs', expiresAt: Date.now() + 60_000 });
      writeFileSync(leaseOf('k'), theirs);
      await release();
      expect(readFileSync(leaseOf('k'), 'utf8')).toBe(theirs);
    });
  });
});
