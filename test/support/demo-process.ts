import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const MAIN = 'dist/src/main.js';

/** The built demo as its own Node process, as `npm start` runs it. */
export class DemoProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static start(env: NodeJS.ProcessEnv): Promise<DemoProcess> {
    if (!existsSync(MAIN))
      throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm run test:e2e does)`);
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`demo did not start:\n${output}`)), 15_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /Demo listening on (http:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(new DemoProcess(child, match[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) =>
        reject(new Error(`demo exited (${code}) before listening:\n${output}`)),
      );
    });
  }

  /** Sends SIGTERM; resolves with how the process ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return new Promise((resolve) => {
      const { exitCode, signalCode } = this.child;
      if (exitCode !== null || signalCode !== null)
        return resolve({ code: exitCode, signal: signalCode });
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
      this.child.kill('SIGTERM');
    });
  }
}
