import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const MAIN = 'dist/src/main.js';

/** The built demo as its own Node process, as `npm start` runs it. */
export class DemoProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly logged: { text: string },
  ) {}

  /** Everything the process printed so far (stdout and stderr). */
  get output(): string {
    return this.logged.text;
  }

  static start(env: NodeJS.ProcessEnv): Promise<DemoProcess> {
    if (!existsSync(MAIN))
      throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm run test:e2e does)`);
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      const logged = { text: '' };
      let started = false;
      const timer = setTimeout(
        () => reject(new Error(`demo did not start:\n${logged.text}`)),
        15_000,
      );
      const onData = (chunk: Buffer): void => {
        logged.text += chunk.toString();
        const match = /Demo listening on (http:\/\/\S+)/.exec(logged.text);
        if (match && !started) {
          started = true;
          clearTimeout(timer);
          resolve(new DemoProcess(child, match[1], logged));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) =>
        reject(new Error(`demo exited (${code}) before listening:\n${logged.text}`)),
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
