import { execFile } from 'node:child_process';

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion; a non-zero exit, a signal or the time limit rejects with an
 * error that holds the command line and everything it printed (what a failing test must show).
 */
export function runCommand(
  file: string,
  args: string[],
  options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd,
        timeout: options.timeoutMs,
        env: options.env ?? childEnv(),
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const how = error.killed ? `killed after ${options.timeoutMs} ms` : `exit ${error.code}`;
        reject(
          new Error(
            `\`${[file, ...args].join(' ')}\` in ${options.cwd} failed (${how}):\n${stdout}${stderr}`,
          ),
        );
      },
    );
  });
}

/**
 * This process's environment without NODE_OPTIONS: Jest's --experimental-vm-modules is for the
 * test runner, not for npm, tsc or the apps it starts.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _jestOnly, ...env } = process.env;
  return { ...env, ...extra };
}
