import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FileLocks } from './file-lock.js';

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

// Each FileLocks is one process's: they share nothing but the files.
describe('FileLocks mutex files', () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'file-lock-spec-'));
    path = join(dir, 'session.mutex');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a holder slower than the stale limit does not remove its successor's mutex", async () => {
    const [slow, next, third] = [new FileLocks(), new FileLocks(), new FileLocks()];
    const [slowIn, slowDone, nextIn, nextDone] = [signal(), signal(), signal(), signal()];

    const slowRun = slow.exclusive(path, async () => {
      slowIn.resolve();
      await slowDone.promise;
    });
    await slowIn.promise;
    const longAgo = new Date(Date.now() - 10_000); // held for 10 s: past the stale limit
    utimesSync(path, longAgo, longAgo);

    const nextRun = next.exclusive(path, async () => {
      nextIn.resolve();
      await nextDone.promise;
    });
    await nextIn.promise; // broke the stale mutex and took it
    slowDone.resolve();
    await slowRun; // the slow holder finishes and releases

    expect(existsSync(path)).toBe(true);
    let thirdIn = false;
    const thirdRun = third.exclusive(path, () => Promise.resolve((thirdIn = true)));
    await sleep(200);
    expect(thirdIn).toBe(false); // the mutex still excludes others

    nextDone.resolve();
    await nextRun;
    await thirdRun;
    expect(thirdIn).toBe(true);
    expect(existsSync(path)).toBe(false);
  });
});

// Real processes (the script runs the library's build: npm test builds it first), since the race
// lies between processes: one finds the lease missing, another creates it before the first acts.
describe('FileLocks leases across processes', () => {
  const script = fileURLToPath(new URL('../../test-support/file-lease-race.mjs', import.meta.url));
  let dir: string;

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'file-lease-race-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('four processes taking one lease 200 times each never hold it at once', async () => {
    const run = () => promisify(execFile)(process.execPath, [script, dir, '200']);
    const outputs = await Promise.all([run(), run(), run(), run()]);
    expect(outputs.map(({ stdout }) => Number(stdout.trim()))).toEqual([0, 0, 0, 0]);
  }, 120_000);
});
