import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The test Flask app and its script modes (see its docstring). */
export const FLASK_APP = join(dirname(fileURLToPath(import.meta.url)), 'flask', 'app.py');

let found: string | undefined;

/**
 * A Python that has Flask: FLASK_PYTHON, else Debian's /usr/bin/python3 (python3-flask), else
 * python3 on PATH (often a pyenv one without Debian's packages). Never a skip: without Flask the
 * interop suite fails, saying how to install it.
 */
export function flaskPython(): string {
  if (found !== undefined) return found;
  const candidates = [process.env.FLASK_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (c): c is string => c !== undefined && c !== '',
  );
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ['-c', 'import flask'], { stdio: 'ignore', timeout: 20_000 });
      return (found = candidate);
    } catch {
      // Not there, or no Flask: try the next.
    }
  }
  throw new Error(
    `No Python with Flask found (tried ${candidates.join(', ')}): apt-get install python3-flask, ` +
      'or point FLASK_PYTHON at a Python that has Flask',
  );
}

/**
 * Runs app.py in a script mode once for a whole batch: one JSON object per line in, one per line
 * out (one Python process, however many lines).
 */
export function flaskScript<T>(mode: '--sign' | '--load', lines: object[]): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(flaskPython(), [FLASK_APP, mode], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`app.py ${mode} exited ${code}:\n${stderr}`));
      const results = stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as T);
      if (results.length !== lines.length)
        return reject(
          new Error(`app.py ${mode}: ${results.length} answers to ${lines.length}:\n${stderr}`),
        );
      resolve(results);
    });
    child.stdin.end(lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  });
}
