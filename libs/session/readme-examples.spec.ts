// The README shows some test files verbatim: a `<!-- testing-example: PATH -->` line, then a
// fenced block that must be the file at PATH (from the repository root), byte for byte. The file
// is the one the e2e run executes, so the README cannot show an example that no longer works.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readmes = ['libs/session/README.md', 'README.md'];
const MARKER = /^<!-- testing-example: (\S+) -->$/;

interface Example {
  readme: string;
  line: number;
  path: string;
  /** The fenced block's content, or why none follows the marker. */
  block: { text: string } | { problem: string };
}

/** The fenced block that starts after `from` (blank lines allowed before it). */
function blockAfter(lines: string[], from: number): Example['block'] {
  let i = from;
  while (i < lines.length && lines[i].trim() === '') i++;
  const open = /^(`{3,}|~{3,})/.exec(lines[i] ?? '');
  if (open === null) return { problem: 'no fenced code block follows the marker' };
  const fence = open[1];
  const body: string[] = [];
  for (let j = i + 1; j < lines.length; j++) {
    const close = lines[j].trimEnd();
    if (close.startsWith(fence) && /^(`+|~+)$/.test(close) && close[0] === fence[0])
      return { text: body.map((l) => `${l}\n`).join('') };
    body.push(lines[j]);
  }
  return { problem: 'the fenced code block is never closed' };
}

function examples(): Example[] {
  const found: Example[] = [];
  for (const readme of readmes) {
    if (!existsSync(root + readme)) continue;
    const lines = readFileSync(root + readme, 'utf8').split('\n');
    lines.forEach((text, index) => {
      const marker = MARKER.exec(text.trim());
      if (marker !== null)
        found.push({
          readme,
          line: index + 1,
          path: marker[1],
          block: blockAfter(lines, index + 1),
        });
    });
  }
  return found;
}

describe('README examples', () => {
  const all = examples();

  it('the package README shows the test kit example', () => {
    expect(all.map((e) => `${e.readme}: ${e.path}`)).toContain(
      'libs/session/README.md: test/testing-kit-example.e2e-spec.ts',
    );
  });

  it.each(all.map((e) => [`${e.readme}:${e.line}`, e.path, e] as const))(
    '%s shows %s verbatim',
    (where, path, { block }) => {
      if ('problem' in block) throw new Error(`${where}: ${block.problem}`);
      if (!existsSync(root + path)) throw new Error(`${where}: no file ${path}`);
      // On a failure, copy the file into the block (or the block into the file).
      expect(block.text).toBe(readFileSync(root + path, 'utf8'));
    },
  );
});
