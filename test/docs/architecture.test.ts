// docs/ARCHITECTURE.md names files and folders of this repository; this keeps the names true as
// code moves. Blocks quoted with `>` describe a target shape that may not exist yet and are not
// checked. README.md must link to the page.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const page = readFileSync(`${root}docs/ARCHITECTURE.md`, 'utf8');

// Backquoted repository paths on lines outside the quoted target-shape blocks; placeholders
// (`<name>`), globs and the schemas outside the repository (`../shared/...`) are left out.
function namedPaths(): string[] {
  const out = new Set<string>();
  for (const line of page.split('\n')) {
    if (line.startsWith('>')) continue;
    for (const m of line.matchAll(
      /`((?:src|test|bench|scripts|native|wasm|docs|\.ci)\/[^`\s]*|README\.md|package\.json|eslint\.config\.js|tsconfig\.json)`/g,
    )) {
      const p = m[1]!.replace(/\/$/, '');
      if (!/[<*]|\.\.\./.test(p)) out.add(p);
    }
  }
  return [...out].sort();
}

test('every path the page names exists', () => {
  const paths = namedPaths();
  assert.ok(paths.length > 50, `found ${paths.length} paths: the pattern no longer matches the page`);
  const missing = paths.filter((p) => !existsSync(`${root}${p}`));
  assert.equal(missing, [], `docs/ARCHITECTURE.md names paths that do not exist (moved? update the page): ${missing.join(', ')}`);
});

test('README.md links to the page', () => {
  assert.ok(readFileSync(`${root}README.md`, 'utf8').includes('docs/ARCHITECTURE.md'));
});

test.run();
