import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const script = fileURLToPath(new URL('../../test-support/gate-promotion.mjs', import.meta.url));

// The session of a request is found from its response through a WeakMap (response-gate.ts).
// V8's young-generation GC keeps WeakMap values alive, so a context that referred back to its
// response would carry every finished request into the old generation: measured on the build
// (npm test builds it first: npm run build:lib), in a process of its own with --expose-gc.
describe('response gates and the garbage collector', () => {
  it('finished responses die young: a gated response promotes no more than a plain one', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', script]);
    const bytes = JSON.parse(stdout) as Record<
      'count' | 'plain' | 'gated' | 'back-referenced',
      number
    >;
    const perResponse = (kind: 'gated' | 'back-referenced') =>
      (bytes[kind] - bytes.plain) / bytes.count;
    // The control shows the measurement sees a retained response (about 1.9 KB each here)...
    expect(perResponse('back-referenced')).toBeGreaterThan(1000);
    // ...and the real gate retains nothing of it.
    expect(perResponse('gated')).toBeLessThan(100);
  });
});
