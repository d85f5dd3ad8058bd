// Run by libs/session/src/lifecycle/gate-promotion.spec.ts as `node --expose-gc` against the library's build (libs/session/dist):
// prints how many bytes 400 finished responses leave in the old generation after two
// young-generation GCs, for plain responses, responses gated by a SessionContext, and (the
// control, proving the measurement can see the effect) gates that refer back to their response.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { getHeapSpaceStatistics } from 'node:v8';
import { commitBeforeFirstWrite } from '../dist/lifecycle/response-gate.js';
import { SessionContext, contextOf } from '../dist/lifecycle/session-context.js';

const COUNT = 400;
const committer = { commit: () => undefined, fail: () => undefined };
const oldSpaceUsed = () =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'old_space').space_used_size;
const tick = () => new Promise((resolve) => setImmediate(resolve));

async function promoted(kind) {
  globalThis.gc({ type: 'major' });
  await tick();
  const before = oldSpaceUsed();
  for (let i = 0; i < COUNT; i++) {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    if (kind === 'plain') continue;
    const context = new SessionContext(committer);
    if (kind === 'back-referenced') context.response = res;
    commitBeforeFirstWrite(res, context);
    if (contextOf(res) !== context) throw new Error('gate not registered');
  }
  await tick();
  globalThis.gc({ type: 'minor' });
  globalThis.gc({ type: 'minor' });
  return oldSpaceUsed() - before;
}

await promoted('gated'); // warm-up: the gate table's own growth
// Five interleaved samples per kind, and the median: a major GC's sweeping can still be freeing
// old space during a sample and make it read as a large negative number.
const KINDS = ['plain', 'gated', 'back-referenced'];
const samples = Object.fromEntries(KINDS.map((kind) => [kind, []]));
for (let i = 0; i < 5; i++) for (const kind of KINDS) samples[kind].push(await promoted(kind));
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const result = Object.fromEntries(KINDS.map((kind) => [kind, median(samples[kind])]));
console.log(JSON.stringify({ count: COUNT, ...result }));
