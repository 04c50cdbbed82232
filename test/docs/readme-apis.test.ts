// README.md's "What works today" table lists every API samsa serves as `Name key: versions`.
// It is written by hand, so this keeps it true: every served API is listed with the versions it
// is served at (Produce with its handled range; ApiVersions advertises 0 for KAFKA-18659), and
// nothing unserved is listed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { ALL_HANDLERS } from '../../src/handlers/registry.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function listed(): Map<number, string> {
  const start = readme.indexOf('## What works today');
  const table = readme.slice(start, readme.indexOf('\n\n', readme.indexOf('| area |', start)));
  const out = new Map<number, string>();
  for (const m of table.matchAll(/([A-Z][A-Za-z]+) (\d+): (\d+(?:-\d+)?)/g)) {
    const key = Number(m[2]);
    assert.not.ok(out.has(key), `API key ${key} is listed twice`);
    out.set(key, `${m[1]} ${m[3]}`);
  }
  return out;
}

test('README lists exactly the served APIs and versions', () => {
  const inReadme = listed();
  const served = new Map(
    ALL_HANDLERS.map((h) => [
      h.request.apiKey,
      `${h.request.name.replace(/Request$/, '')} ${h.minVersion === h.maxVersion ? h.minVersion : `${h.minVersion}-${h.maxVersion}`}`,
    ]),
  );
  for (const [key, what] of served) assert.is(inReadme.get(key), what, `API key ${key} in README.md`);
  for (const key of inReadme.keys()) assert.ok(served.has(key), `README.md lists API key ${key}, which is not served`);
});

test.run();
