import type { Platform } from './platform.js';

/**
 * The files of the package README's quick start for an app on `platform`: each ```ts block right
 * after a line `<!-- quick-start: PATH -->`, by PATH, where a block after
 * `<!-- quick-start fastify: PATH -->` takes the place of PATH's on Fastify. The consumer test
 * compiles and runs exactly these, so the README's example cannot drift from what works.
 */
export function quickStartFiles(readme: string, platform: Platform): Map<string, string> {
  const markers = readme.match(/<!-- quick-start[^>]*-->/g) ?? [];
  if (markers.length === 0) throw new Error('the README has no `<!-- quick-start: PATH -->` block');
  const common = new Map<string, string>();
  const fastify = new Map<string, string>();
  let blocks = 0;
  for (const block of readme.matchAll(
    /<!-- quick-start( fastify)?: (\S+) -->\n\s*```ts\n([\s\S]*?)\n```/g,
  )) {
    const [, onFastify, path, code] = block;
    const files = onFastify ? fastify : common;
    if (path.startsWith('/') || path.split('/').includes('..') || files.has(path))
      throw new Error(`quick-start path ${path} must be a new path inside the app`);
    files.set(path, `${code}\n`);
    blocks++;
  }
  if (blocks !== markers.length)
    throw new Error(
      `${markers.length} quick-start markers but ${blocks} with a \`\`\`ts block right after: ${markers.join(', ')}`,
    );
  for (const path of fastify.keys())
    if (!common.has(path)) throw new Error(`quick-start fastify: ${path} replaces no common file`);
  return platform === 'fastify' ? new Map([...common, ...fastify]) : common;
}
