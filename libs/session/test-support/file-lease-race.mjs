// Run by libs/session/src/stores/file-lock.spec.ts, several at once, against the library's build
// (libs/session/dist): one process of an app on a FileStore, taking one session's lease over and
// over. Inside the lease it creates a marker file exclusively; finding it there means another
// process holds the lease too. Prints how many times that happened.
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileLocks } from '../dist/stores/file-lock.js';

const [dir, rounds] = process.argv.slice(2);
const locks = new FileLocks();
const lease = join(dir, 'session.lock');
const mutex = join(dir, 'session.mutex');
const inside = join(dir, 'inside');
let overlaps = 0;
for (let i = 0; i < Number(rounds); i++) {
  const release = await locks.lease(lease, mutex, { waitMs: 30_000, ttlMs: 30_000 });
  let mine = true;
  try {
    writeFileSync(inside, String(process.pid), { flag: 'wx' });
  } catch {
    overlaps++;
    mine = false;
  }
  await sleep(1);
  if (mine) unlinkSync(inside);
  await release();
}
console.log(overlaps);
