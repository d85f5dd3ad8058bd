import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NodeServer } from './node-server.js';
import type { Platform } from './platform.js';
import { runCommand } from './run-command.js';

/** `esm`: `"type": "module"`; `cjs`: no type, so tsc's `nodenext` emits `require()` calls. */
export type ModuleKind = 'esm' | 'cjs';

/**
 * What an app built with `nest new` installs, minus the Nest CLI and the test tooling, with the
 * platform's package alone (`nest new` installs Express's; a Fastify app swaps it).
 */
const DEPENDENCIES = ['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs'];
export const PLATFORM_PACKAGES: Record<Platform, string> = {
  express: '@nestjs/platform-express',
  fastify: '@nestjs/platform-fastify',
};
const DEV_DEPENDENCIES = ['typescript', '@types/node'];

const tsconfig = (kind: ModuleKind) => ({
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'ES2023',
    lib: ['ES2023'],
    types: ['node'],
    rootDir: 'src',
    outDir: 'dist',
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    // The ES module app checks every .d.ts (the package's must compile where apps check them);
    // the CommonJS one skips them as `nest new` does, which halves the compile time.
    skipLibCheck: kind === 'cjs',
  },
  include: ['src'],
});

/** A fresh Nest app in its own folder that installs the packed library like any user would. */
export class ConsumerApp {
  private constructor(
    readonly dir: string,
    readonly kind: ModuleKind,
    readonly platform: Platform,
  ) {}

  /**
   * Writes package.json (the Nest packages at the versions the repository's lockfile pins, the
   * library from its tarball), tsconfig.json and the given source files.
   */
  static create(options: {
    dir: string;
    kind: ModuleKind;
    platform: Platform;
    tarball: string;
    lockfile: string;
    sources: Map<string, string>;
  }): ConsumerApp {
    const version = lockedVersions(options.lockfile);
    const pick = (names: string[]) => Object.fromEntries(names.map((n) => [n, version(n)]));
    const manifest = {
      name: `consumer-${options.kind}-${options.platform}`,
      version: '0.0.0',
      private: true,
      ...(options.kind === 'esm' ? { type: 'module' } : {}),
      dependencies: {
        ...pick([...DEPENDENCIES, PLATFORM_PACKAGES[options.platform]]),
        'nestjs-flask-session': `file:${options.tarball}`,
      },
      devDependencies: pick(DEV_DEPENDENCIES),
    };
    const files = new Map([
      ['package.json', JSON.stringify(manifest, null, 2)],
      ['tsconfig.json', JSON.stringify(tsconfig(options.kind), null, 2)],
      ...options.sources,
    ]);
    for (const [path, text] of files) {
      mkdirSync(dirname(join(options.dir, path)), { recursive: true });
      writeFileSync(join(options.dir, path), text);
    }
    return new ConsumerApp(options.dir, options.kind, options.platform);
  }

  /** From npm's cache when it holds everything (no registry round trip), else the registry. */
  async install(): Promise<void> {
    await runCommand(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
      { cwd: this.dir, timeoutMs: 300_000 },
    );
  }

  /** The app's own tsc on its own tsconfig; rejects with tsc's diagnostics. */
  async compile(): Promise<void> {
    const tsc = join(this.dir, 'node_modules/typescript/bin/tsc');
    await runCommand(process.execPath, [tsc, '-p', 'tsconfig.json'], {
      cwd: this.dir,
      timeoutMs: 180_000,
    });
  }

  /** Runs code with `node -e` in the app (as CommonJS or as an ES module); its stdout. */
  async evaluate(code: string): Promise<string> {
    const input = this.kind === 'esm' ? ['--input-type=module'] : [];
    const { stdout } = await runCommand(process.execPath, [...input, '-e', code], {
      cwd: this.dir,
      timeoutMs: 30_000,
    });
    return stdout;
  }

  has(path: string): boolean {
    return existsSync(join(this.dir, path));
  }

  /** The compiled src/main.ts as a process on port. */
  start(port: number, env: NodeJS.ProcessEnv): Promise<NodeServer> {
    return NodeServer.start({
      cwd: this.dir,
      script: 'dist/main.js',
      port,
      env,
      timeoutMs: 30_000,
    });
  }
}

function lockedVersions(lockfile: string): (name: string) => string {
  const lock = JSON.parse(readFileSync(lockfile, 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  return (name) => {
    const version = lock.packages[`node_modules/${name}`]?.version;
    if (!version) throw new Error(`${lockfile} pins no version of ${name}`);
    return version;
  };
}
