import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';
import { FLASK_APP, flaskPython } from './flask-python.js';

export interface FlaskServerOptions {
  secretKey: string;
  /** Flask 3.1's SECRET_KEY_FALLBACKS (app.py provides them on Flask 2.2). */
  fallbacks?: string[];
  /** PERMANENT_SESSION_LIFETIME, in seconds. */
  permanentLifetimeSeconds?: number;
}

/** The test Flask app (test/support/flask/app.py) on a free port, until close(). */
export class FlaskServer {
  private stderr = '';

  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
  }

  static async start(options: FlaskServerOptions): Promise<FlaskServer> {
    const port = await freePort();
    const child = spawn(flaskPython(), [FLASK_APP, String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        FLASK_SECRET_KEY: options.secretKey,
        FLASK_SECRET_KEY_FALLBACKS: JSON.stringify(options.fallbacks ?? []),
        FLASK_PERMANENT_LIFETIME: String(options.permanentLifetimeSeconds ?? 31 * 86400),
      },
    });
    const server = new FlaskServer(`http://127.0.0.1:${port}`, child);
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) break;
      try {
        await fetch(`${server.url}/get`);
        return server;
      } catch {
        await sleep(50);
      }
    }
    await server.close();
    throw new Error(`The Flask test app did not start on port ${port}:\n${server.stderr}`);
  }

  /**
   * A request to the Flask app with `cookie` (a `session=...` value or pair) and the session
   * cookie value it set, if any.
   */
  async request(
    method: 'GET' | 'POST',
    path: string,
    options: { cookie?: string; json?: unknown; body?: string } = {},
  ): Promise<{
    status: number;
    body: any;
    setCookie: string | undefined;
    cookie: string | undefined;
  }> {
    const headers: Record<string, string> = {};
    if (options.cookie !== undefined)
      headers.cookie = options.cookie.startsWith('session=')
        ? options.cookie
        : `session=${options.cookie}`;
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const setCookie = response.headers.getSetCookie().find((line) => line.startsWith('session='));
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? undefined : JSON.parse(text),
      setCookie,
      cookie: setCookie?.slice('session='.length, setCookie.indexOf(';')),
    };
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
