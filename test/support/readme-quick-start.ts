/**
 * The files of the package README's quick start: each ```ts block right after a line
 * `<!-- quick-start: PATH -->`, by PATH. The consumer test compiles and runs exactly these, so
 * the README's example cannot drift from what works.
 */
export function quickStartFiles(readme: string): Map<string, string> {
  const markers = readme.match(/<!-- quick-start:[^>]*-->/g) ?? [];
  if (markers.length === 0) throw new Error('the README has no `<!-- quick-start: PATH -->` block');
  const files = new Map<string, string>();
  for (const block of readme.matchAll(/<!-- quick-start: (\S+) -->\n\s*```ts\n([\s\S]*?)\n```/g)) {
    const [, path, code] = block;
    if (path.startsWith('/') || path.split('/').includes('..') || files.has(path))
      throw new Error(`quick-start path ${path} must be a new path inside the app`);
    files.set(path, `${code}\n`);
  }
  if (files.size !== markers.length)
    throw new Error(
      `${markers.length} quick-start markers but ${files.size} with a \`\`\`ts block right after: ${markers.join(', ')}`,
    );
  return files;
}
