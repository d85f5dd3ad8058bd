import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './run-command.js';

/**
 * Written into dist/ before packing: `prepack` (a clean build) must delete it, so finding it in
 * the tarball means the tarball shipped whatever dist/ held instead of building itself.
 */
export const STALE_BUILD_FILE = 'dist/stale-before-pack.js';

export interface PackedTarball {
  path: string;
  bytes: number;
  /** The paths inside the tarball, relative to the package root (`package/` stripped). */
  files: string[];
}

/** `npm pack` of the package in libDir, as a publish would make it (prepack included). */
export async function packLibrary(libDir: string, destination: string): Promise<PackedTarball> {
  mkdirSync(destination, { recursive: true });
  mkdirSync(join(libDir, 'dist'), { recursive: true });
  writeFileSync(join(libDir, STALE_BUILD_FILE), '// left over from an earlier build\n');
  try {
    await runCommand('npm', ['pack', '--pack-destination', destination, '--loglevel=error'], {
      cwd: libDir,
      timeoutMs: 180_000,
    });
  } finally {
    rmSync(join(libDir, STALE_BUILD_FILE), { force: true });
  }
  const tarballs = readdirSync(destination).filter((name) => name.endsWith('.tgz'));
  if (tarballs.length !== 1)
    throw new Error(`npm pack made ${tarballs.join(', ') || 'no tarball'}`);
  const path = join(destination, tarballs[0]);
  const listing = await runCommand('tar', ['-tzf', path], { cwd: destination, timeoutMs: 30_000 });
  const files = listing.stdout
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''))
    .sort();
  return { path, bytes: statSync(path).size, files };
}
