import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PLATFORMS, type Platform } from './support/platform.js';

const script = fileURLToPath(new URL('./support/lock-release-failure.mjs', import.meta.url));

/** Runs the script on the platform, with Node's default for unhandled rejections (they end it). */
function run(platform: Platform): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, platform], { timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

// A lock release that fails (the store went away) must neither take the process down (a client
// that leaves releases the lock from a 'close' listener) nor turn a saved response into a 500.
// In a process of its own against the build (npm run test:e2e builds first): under jest an
// unhandled rejection would not end the process.
describe.each(PLATFORMS)(
  '@SessionLock when the store fails to release the lock, on %s',
  (platform) => {
    it('the process lives, the failure is logged, and the response that saved the session stands', async () => {
      const { code, stdout, stderr } = await run(platform);
      expect({ code, stderr: stderr.includes('Unhandled') ? stderr : '' }).toEqual({
        code: 0,
        stderr: '',
      });
      const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
        aborted: unknown;
        kept: { status: number; body: string };
        alive: string;
      };
      expect(result.aborted).toBe('aborted');
      expect(result.kept.status).toBe(201);
      // The aborted request's handler still ran and saved (n: 1), then this one (n: 2).
      expect(JSON.parse(result.kept.body)).toEqual({ n: 2 });
      expect(result.alive).toBe('alive');
      expect(stdout + stderr).toMatch(
        /Session lock could not be released \(it expires by itself within 10 s\): connection lost while releasing the lock/,
      );
    }, 30_000);
  },
);
