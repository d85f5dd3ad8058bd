import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionLockTimeoutError } from '../session.errors.js';
import { KeyedLock } from './keyed-lock.js';
import type { LockOptions, ReleaseLock } from './session-store.js';

// Locks that hold across processes sharing a directory, built on exclusive file creation
// (open with 'wx' fails when the file exists), which every local file system makes atomic.
//
// - A mutex file guards one short read-modify-write. A holder needs milliseconds, so one older
//   than MUTEX_STALE_MS was left by a crashed process and may be broken. It holds its holder's
//   token: a holder that was merely slow, and whose mutex was broken and taken by another
//   process, must not remove the new holder's when it finishes.
// - A lease file is the per-session lock of SessionStore.lock: it holds a token and an expiry.
//   Anyone may create a missing lease; removing one (release, takeover of an expired one) only
//   happens under the session's mutex, so a lease cannot change between a check and its removal.

/** Age past which a mutex file is taken as abandoned by a crashed holder. */
const MUTEX_STALE_MS = 2000;
/** Longest wait for a mutex before the operation fails (a store failure, 503 upstream). */
const MUTEX_WAIT_MS = 5000;

interface Lease {
  token: string | undefined;
  expiresAt: number;
}

/**
 * One store's locks. In-process waiters queue in memory, so a process never polls against its
 * own files; only the head of each queue competes for the file with other processes.
 */
export class FileLocks {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly local = new KeyedLock();

  /** Runs `fn` holding the mutex file at `path`: after this process's earlier callers, then alone. */
  exclusive<T>(path: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(path) ?? Promise.resolve();
    const result = previous.then(() => withMutexFile(path, fn));
    const settled = result.then(noop, noop);
    this.queues.set(path, settled);
    void settled.then(() => {
      if (this.queues.get(path) === settled) this.queues.delete(path);
    });
    return result;
  }

  /** Takes the lease file at `path`, waiting up to waitMs; `mutexPath` guards its removal. */
  async lease(
    path: string,
    mutexPath: string,
    { waitMs, ttlMs }: LockOptions,
  ): Promise<ReleaseLock> {
    const deadline = Date.now() + waitMs;
    const releaseLocal = await this.local.acquire(path, { waitMs, ttlMs });
    try {
      const token = randomBytes(16).toString('base64url');
      for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
        if (await this.tryLease(path, mutexPath, token, ttlMs)) {
          return this.releaser(path, mutexPath, token, releaseLocal);
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new SessionLockTimeoutError();
        await sleep(Math.min(left, jitter(pause)));
      }
    } catch (error) {
      await releaseLocal();
      throw error;
    }
  }

  /** Removes the lease file at `path` if its holder's time is up (the sweeper's part). */
  async sweepLease(path: string, mutexPath: string, now = Date.now()): Promise<void> {
    const lease = await readLease(path);
    if (lease === undefined || lease.expiresAt > now) return;
    await this.exclusive(mutexPath, async () => {
      const again = await readLease(path);
      if (again !== undefined && again.expiresAt <= now) await unlinkIfPresent(path);
    });
  }

  /** Forgets in-process waiters' timers (shutdown). */
  clear(): void {
    this.local.clear();
  }

  private async tryLease(
    path: string,
    mutexPath: string,
    token: string,
    ttlMs: number,
  ): Promise<boolean> {
    if (await createLease(path, token, ttlMs)) return true;
    const holder = await readLease(path);
    if (holder !== undefined && holder.expiresAt > Date.now()) return false;
    // Missing or expired: look again under the mutex, where nobody else can remove it, so two
    // waiters cannot both take over (one removing the other's fresh lease). Only an expired
    // lease is removed: a missing one may be created by anyone at any moment, mutex or not, and
    // removing "whatever is there now" would delete that new holder's lease.
    return this.exclusive(mutexPath, async () => {
      const again = await readLease(path);
      if (again !== undefined) {
        if (again.expiresAt > Date.now()) return false;
        await unlinkIfPresent(path);
      }
      return createLease(path, token, ttlMs);
    });
  }

  private releaser(
    path: string,
    mutexPath: string,
    token: string,
    releaseLocal: ReleaseLock,
  ): ReleaseLock {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      try {
        // Token-checked: a holder back after its lease expired must not free the next holder's.
        await this.exclusive(mutexPath, async () => {
          if ((await readLease(path))?.token === token) await unlinkIfPresent(path);
        });
      } finally {
        await releaseLocal();
      }
    };
  }
}

async function withMutexFile<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const token = randomBytes(16).toString('base64url');
  await acquireMutexFile(path, token);
  try {
    return await fn();
  } finally {
    await removeMutexUnless(path, async (aside) => (await readFile(aside, 'utf8')) !== token);
  }
}

async function acquireMutexFile(path: string, token: string): Promise<void> {
  const deadline = Date.now() + MUTEX_WAIT_MS;
  for (let pause = 1; ; pause = Math.min(pause * 2, 25)) {
    try {
      await writeFile(path, token, { flag: 'wx', mode: 0o600 });
      return;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    if (await breakStaleMutex(path, MUTEX_STALE_MS)) continue;
    if (Date.now() >= deadline) {
      throw new Error(`FileStore: ${path} stayed locked for ${MUTEX_WAIT_MS} ms`);
    }
    await sleep(jitter(pause));
  }
}

/**
 * Removes the mutex file at `path` if it is older than `staleMs`; false while it is live (true
 * when it is gone: try again now). One that turns out fresh once moved aside (another process
 * broke the stale one and took the mutex meanwhile) is put back.
 */
export async function breakStaleMutex(path: string, staleMs: number): Promise<boolean> {
  const mtime = await mtimeOf(path);
  if (mtime === 0) return true;
  if (Date.now() - mtime < staleMs) return false;
  await removeMutexUnless(path, async (aside) => Date.now() - (await mtimeOf(aside)) < staleMs);
  return true;
}

/**
 * Removes the mutex file at `path` unless `keep` says otherwise. The file is first renamed aside,
 * which only one process can do, and `keep` looks at what was moved: the check and the removal
 * cannot interleave with another process taking the mutex. One to keep is put back; while it is
 * aside the mutex looks free, and should a third process take it in that moment the put-back
 * fails and two hold it. That needs a mutex gone stale first (a holder that crashed or stalled
 * past MUTEX_STALE_MS), and two writers of one session at worst lose one change or undo one
 * logout of that session: accepted, as no atomic "remove if unchanged" exists on files.
 */
async function removeMutexUnless(
  path: string,
  keep: (aside: string) => Promise<boolean>,
): Promise<void> {
  const aside = join(dirname(path), tempName());
  try {
    await rename(path, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  if (await keep(aside)) {
    await link(aside, path).catch((error: unknown) => {
      if (errorCode(error) !== 'EEXIST') throw error;
    });
  }
  await unlinkIfPresent(aside);
}

/** Creates the lease file; false if one exists. Written in one go with the exclusive open. */
async function createLease(path: string, token: string, ttlMs: number): Promise<boolean> {
  const lease = JSON.stringify({ token, expiresAt: Date.now() + ttlMs });
  try {
    await writeFile(path, lease, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/**
 * The lease at `path`, undefined if none. An unreadable one (its creator is still writing it, or
 * crashed before it could) counts as held until it is MUTEX_STALE_MS old.
 */
async function readLease(path: string): Promise<Lease | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { token, expiresAt } = JSON.parse(text) as Partial<Lease>;
    if (typeof token === 'string' && typeof expiresAt === 'number') return { token, expiresAt };
  } catch {
    // Falls through to the age check.
  }
  const mtime = await mtimeOf(path);
  return mtime === 0 ? undefined : { token: undefined, expiresAt: mtime + MUTEX_STALE_MS };
}

/** Modification time in ms, or 0 if the file is gone. */
export async function mtimeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 0;
    throw error;
  }
}

/** Name of a temporary file; the store's sweeper removes abandoned ones. */
export function tempName(): string {
  return `.tmp-${randomBytes(12).toString('hex')}`;
}

/** Removes the file at `path`; false if there was none. */
export async function unlinkIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
    return false;
  }
}

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Between half and all of `ms`, so processes that collided do not retry in lockstep. */
function jitter(ms: number): number {
  return ms * (0.5 + Math.random() / 2);
}

function noop(): void {}
