import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A Node script run as its own process, up once something accepts connections on its port. */
export class NodeServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly logged: { text: string },
  ) {}

  /** Everything the process printed so far (stdout and stderr). */
  get output(): string {
    return this.logged.text;
  }

  /**
   * Runs `node script` in cwd (this same Node binary, so a test run under another Node version
   * runs the app there too) with PORT=port, and waits until 127.0.0.1:port accepts a
   * connection; rejects with the process's output if it exits first or takes over timeoutMs.
   */
  static async start(options: {
    cwd: string;
    script: string;
    port: number;
    env: NodeJS.ProcessEnv;
    timeoutMs: number;
  }): Promise<NodeServer> {
    const child = spawn(process.execPath, [options.script], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, ...options.env, PORT: String(options.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logged = { text: '' };
    const log = (chunk: Buffer): void => void (logged.text += chunk.toString());
    child.stdout.on('data', log);
    child.stderr.on('data', log);
    const server = new NodeServer(child, `http://127.0.0.1:${options.port}`, logged);
    const deadline = Date.now() + options.timeoutMs;
    while (!(await accepts(options.port))) {
      const why = server.exited()
        ? `exited (${child.exitCode ?? child.signalCode})`
        : Date.now() > deadline
          ? `was not listening after ${options.timeoutMs} ms`
          : undefined;
      if (why) {
        await server.stop();
        throw new Error(`node ${options.script} in ${options.cwd} ${why}:\n${logged.text}`);
      }
      await sleep(100);
    }
    return server;
  }

  /** SIGTERM (SIGKILL if still there 5 s later); resolves once the process is gone. */
  async stop(): Promise<void> {
    if (this.exited()) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(killer);
  }

  private exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
