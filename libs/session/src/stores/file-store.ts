import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SessionStoreFullError } from '../session.errors.js';
import {
  breakStaleMutex,
  errorCode,
  FileLocks,
  mtimeOf,
  tempName,
  unlinkIfPresent,
} from './file-lock.js';
import {
  type LockOptions,
  type ReleaseLock,
  type SessionPatch,
  SessionStore,
  type StoredSession,
} from './session-store.js';
import { positiveInteger } from './store-options.js';

export interface FileStoreOptions {
  /**
   * Directory of the session files, created (mode 0700) if missing. Give the store its own. An
   * existing one must be the app user's and writable by no one else (else a TypeError at start).
   */
  dir: string;
  /**
   * Most sessions kept. When full, create() refuses a new session with SessionStoreFullError
   * (503) and deletes nothing. The count is this process's: the record files found at start and
   * at every sweep, plus its own creates and minus its own deletions in between. So expired
   * records count until a read or a sweep deletes them, and with several processes on one
   * directory the bound is approximate: each may overshoot it by what the others created since
   * its last sweep. Default 10,000.
   */
  maxEntries?: number;
  /** How often expired sessions and abandoned files are swept, in ms. Default 60,000. */
  sweepInterval?: number;
}

/** Temp and mutex files older than this were left by a crashed process. */
const ABANDONED_MS = 60_000;

/** A session's files: `<id>.json` the record, `<id>.lock` its lease, `<id>.mutex` its mutex. */
type Extension = 'json' | 'lock' | 'mutex';
const FILE_NAME = /^([0-9a-f]{64})\.(json|lock|mutex)$/;

/** What a record file holds, as far as a reader is concerned. */
type Found = StoredSession | 'missing' | 'unreadable';

/** Where the record for `key` lives: named by a hash, so no key text reaches the file system. */
export function recordPath(dir: string, key: string): string {
  return join(resolve(dir), `${fileId(key)}.json`);
}

/**
 * Sessions as files in one directory, one JSON file each: they survive restarts, and processes
 * on one machine (cluster workers) can share the directory. Every write goes to a temp file
 * renamed over the record, so a reader never sees half a record; the changes to one session are
 * serialised by a mutex file (file-lock.ts), so concurrent updates from any process all survive.
 */
export class FileStore extends SessionStore {
  readonly name = 'file';
  readonly dir: string;
  private readonly locks = new FileLocks();
  private readonly logger = new Logger('FileStore');
  private readonly maxEntries: number;
  private readonly sweeper: NodeJS.Timeout;
  private sweeping: Promise<void> | undefined;
  /** Record files in the directory, as far as this process knows (see maxEntries). */
  private recordCount: number;

  constructor(options: FileStoreOptions) {
    super();
    const dir = options?.dir as unknown;
    if (typeof dir !== 'string' || dir.trim() === '') {
      throw new TypeError(
        'FileStore option dir must be a non-empty string, the directory to keep sessions in: ' +
          `new FileStore({ dir: './var/sessions' }), got ${String(dir)}`,
      );
    }
    this.maxEntries = positiveInteger('FileStore', 'maxEntries', options.maxEntries, 10_000);
    const interval = positiveInteger('FileStore', 'sweepInterval', options.sweepInterval, 60_000);
    this.dir = resolve(dir);
    ensurePrivateDir(this.dir);
    this.recordCount = countRecords(readdirSync(this.dir));
    this.sweeper = setInterval(() => void this.sweepInBackground(), interval);
    this.sweeper.unref();
  }

  async get(key: string): Promise<StoredSession | undefined> {
    const id = fileId(key);
    const found = await readRecord(this.path(id, 'json'));
    if (found === 'missing') return undefined;
    if (found !== 'unreadable' && found.expiresAt > Date.now()) return found;
    // Expired or unreadable: deleted under the mutex, after a second look, so that a record
    // written meanwhile survives.
    return this.exclusive(id, () => this.live(id));
  }

  /** Rejects with SessionStoreFullError when full (replacing an existing record is not new). */
  create(key: string, session: StoredSession, replaces?: string): Promise<void> {
    const id = fileId(key);
    return this.exclusive(id, async () => {
      if (await exists(this.path(id, 'json'))) return this.write(id, session);
      const replacing =
        replaces !== undefined && (await exists(this.path(fileId(replaces), 'json')));
      if (this.recordCount >= this.maxEntries && !replacing) {
        throw new SessionStoreFullError('FileStore', this.maxEntries);
      }
      // Counted before the write: concurrent creates of other keys see it at once.
      this.recordCount++;
      try {
        await this.write(id, session);
      } catch (error) {
        this.recordCount--;
        throw error;
      }
    });
  }

  update(key: string, patch: SessionPatch): Promise<boolean> {
    const id = fileId(key);
    return this.exclusive(id, async () => {
      const record = await this.live(id);
      if (record === undefined) return false;
      // A Map, so that a key such as `__proto__` is data like any other.
      const data = new Map(patch.replace ? [] : Object.entries(record.data));
      for (const name of patch.unset) data.delete(name);
      for (const [name, json] of Object.entries(patch.set)) data.set(name, json);
      const { permanent, expiresAt } = patch;
      const { issuedAt } = record;
      await this.write(id, { data: Object.fromEntries(data), permanent, expiresAt, issuedAt });
      return true;
    });
  }

  touch(key: string, expiresAt: number): Promise<boolean> {
    const id = fileId(key);
    return this.exclusive(id, async () => {
      const record = await this.live(id);
      if (record === undefined) return false;
      await this.write(id, { ...record, expiresAt });
      return true;
    });
  }

  destroy(key: string): Promise<void> {
    const id = fileId(key);
    return this.exclusive(id, () => this.deleteRecord(id));
  }

  lock(key: string, options: LockOptions): Promise<ReleaseLock> {
    const id = fileId(key);
    return this.locks.lease(this.path(id, 'lock'), this.path(id, 'mutex'), options);
  }

  /** Writes and removes a file: the directory must exist and be writable (stat would not tell). */
  override async ping(): Promise<void> {
    const probe = join(this.dir, tempName());
    await writeFile(probe, '', { flag: 'wx', mode: 0o600 });
    await unlink(probe);
  }

  override async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.sweeping;
    this.locks.clear();
  }

  /**
   * Deletes expired sessions and leases, and files abandoned by crashed processes. Runs on the
   * timer; public for tests and manual use. One file's failure does not stop the others.
   */
  async sweep(now = Date.now()): Promise<void> {
    const failures: unknown[] = [];
    for (const name of await readdir(this.dir)) {
      await this.sweepFile(name, now).catch((error: unknown) => failures.push(error));
    }
    // Other processes create and delete records too: start again from what is there.
    this.recordCount = countRecords(await readdir(this.dir));
    if (failures.length > 0) {
      const first = String(failures[0]);
      throw new AggregateError(failures, `${failures.length} file(s) could not be swept: ${first}`);
    }
  }

  private async sweepFile(name: string, now: number): Promise<void> {
    const path = join(this.dir, name);
    if (name.startsWith('.tmp-')) {
      if (now - (await mtimeOf(path)) >= ABANDONED_MS) await unlinkIfPresent(path);
      return;
    }
    const [, id, extension] = FILE_NAME.exec(name) ?? [];
    if (extension === 'json') {
      const found = await readRecord(path);
      if (found === 'missing' || (found !== 'unreadable' && found.expiresAt > now)) return;
      await this.exclusive(id, () => this.live(id, now));
    } else if (extension === 'lock') {
      await this.locks.sweepLease(path, this.path(id, 'mutex'), now);
    } else if (extension === 'mutex') {
      await breakStaleMutex(path, ABANDONED_MS);
    }
  }

  /** One sweep at a time; failures are logged, never thrown into the timer. */
  private sweepInBackground(): Promise<void> {
    this.sweeping ??= this.sweep()
      .catch((error: unknown) => this.logger.warn(`Sweeping ${this.dir} failed: ${String(error)}`))
      .finally(() => {
        this.sweeping = undefined;
      });
    return this.sweeping;
  }

  /** The record, or undefined; an expired or unreadable one is deleted. Call under the mutex. */
  private async live(id: string, now = Date.now()): Promise<StoredSession | undefined> {
    const file = this.path(id, 'json');
    const found = await readRecord(file);
    if (found === 'missing') return undefined;
    if (found !== 'unreadable' && found.expiresAt > now) return found;
    if (found === 'unreadable') this.logger.warn(`Deleting unreadable session file ${file}`);
    await this.deleteRecord(id);
    return undefined;
  }

  /** Call under the mutex. */
  private async deleteRecord(id: string): Promise<void> {
    // Not below 0: a record another process created is not in this count.
    if (await unlinkIfPresent(this.path(id, 'json'))) {
      this.recordCount = Math.max(0, this.recordCount - 1);
    }
  }

  /**
   * Writes through a temp file renamed over the record: readers see the old record or the new
   * one, never part of one. No fsync: a session lost to a power cut is a logout, and a torn
   * file reads as no session.
   */
  private async write(id: string, session: StoredSession): Promise<void> {
    const { data, permanent, expiresAt, issuedAt } = session;
    const temp = join(this.dir, tempName());
    try {
      await writeFile(temp, JSON.stringify({ v: 1, data, permanent, expiresAt, issuedAt }), {
        flag: 'wx',
        mode: 0o600,
      });
      await rename(temp, this.path(id, 'json'));
    } catch (error) {
      await unlinkIfPresent(temp).catch(() => undefined);
      throw error;
    }
  }

  private exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.exclusive(this.path(id, 'mutex'), fn);
  }

  private path(id: string, extension: Extension): string {
    return join(this.dir, `${id}.${extension}`);
  }
}

/**
 * Creates `dir` with mode 0700, or checks that an existing one is this user's alone: whoever else
 * can write to it can plant a record (a forged session) or lock files that block sessions, sticky
 * bit or not. An unsafe directory is refused rather than chmod-ed: the user chose it, it may serve
 * other purposes, and files may have been planted in it already.
 */
function ensurePrivateDir(dir: string): void {
  if (mkdirSync(dir, { recursive: true, mode: 0o700 }) !== undefined) {
    chmodSync(dir, 0o700); // mkdir's mode went through the umask
    return;
  }
  const uid = process.getuid?.();
  if (uid === undefined) return; // Windows: no POSIX modes or owners to check
  const { mode, uid: owner } = statSync(dir);
  if ((mode & 0o022) === 0 && owner === uid) return;
  const octal = (mode & 0o7777).toString(8).padStart(4, '0');
  throw new TypeError(
    `FileStore directory ${dir} (mode ${octal}, owner uid ${owner}) must be writable by this ` +
      `process's user (uid ${uid}) alone: anyone else who can write there can forge sessions. ` +
      `Run chmod 700 ${dir} as that user, or give the store a directory of its own.`,
  );
}

function countRecords(fileNames: string[]): number {
  return fileNames.filter((name) => FILE_NAME.exec(name)?.[2] === 'json').length;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

function fileId(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Reads a record file; rejects only on a real I/O error (not on a missing or garbage file). */
async function readRecord(file: string): Promise<Found> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'missing';
    throw error;
  }
  return parseRecord(text) ?? 'unreadable';
}

function parseRecord(text: string): StoredSession | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || value.v !== 1 || !isObject(value.data)) return undefined;
  const { data, permanent, expiresAt, issuedAt } = value;
  if (typeof permanent !== 'boolean' || typeof expiresAt !== 'number') return undefined;
  if (typeof issuedAt !== 'number' || !Number.isFinite(issuedAt)) return undefined;
  if (!Object.values(data).every((json) => typeof json === 'string')) return undefined;
  return { data: data as Record<string, string>, permanent, expiresAt, issuedAt };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
