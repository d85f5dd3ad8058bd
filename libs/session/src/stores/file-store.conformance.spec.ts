import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore, recordPath } from './file-store.js';
import { describeSessionStore } from './session-store.conformance.js';

// Each store gets a fresh directory, removed after the test.
describeSessionStore('FileStore', {
  create: () => new FileStore({ dir: mkdtempSync(join(tmpdir(), 'file-store-')) }),
  cleanup: async (store) => {
    await store.close();
    rmSync(store.dir, { recursive: true, force: true });
  },
  // A record cut short, as a crash mid-write by another program would leave it.
  corrupt: (store, key) => writeFile(recordPath(store.dir, key), '{"v":1,"data":{"a":"1'),
});
