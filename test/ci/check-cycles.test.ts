// `npm run check:cycles` (scripts/check-cycles.mjs) keeps the top-level folders of src/ free of
// import cycles. This checks the check: it passes on the repository as it is, and on a copy of
// src/ with one upward import added (storage naming the Broker type, which imports storage) it
// fails, naming the new cycle and the file behind it. Without the second half, a check broken so
// that it passes everything would go unnoticed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function check(cwd: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(cwd, 'scripts/check-cycles.mjs')], { cwd, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('the repository has no folder import cycle, and scripts/known-cycles.txt allows none', () => {
  const r = check(root);
  assert.is(r.status, 0, r.out);
  assert.match(r.out, / 0 on cycles \(0 known, 0 new\), 0 stale list line\(s\)/);
});

test('an upward import (storage -> broker) fails the check, naming the cycle and the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-cycles-'));
  try {
    cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
    mkdirSync(join(dir, 'scripts'));
    for (const f of ['scripts/check-cycles.mjs', 'scripts/known-cycles.txt', 'tsconfig.json']) cpSync(join(root, f), join(dir, f));
    symlinkSync(realpathSync(join(root, 'node_modules')), join(dir, 'node_modules'), 'junction');
    assert.is(check(dir).status, 0, 'the unchanged copy passes');
    appendFileSync(join(dir, 'src/storage/log-config.ts'), "\nimport type { Broker as _UpwardProbe } from '../broker/broker.js';\n");
    const r = check(dir);
    assert.is(r.status, 1, r.out);
    assert.match(r.out, /FAIL: \d+ folder import\(s\) on a NEW cycle/);
    assert.match(r.out, /storage -> broker {4}\(cycle: storage -> broker -> storage\)/);
    assert.match(r.out, /src\/storage\/log-config\.ts imports src\/broker\/broker\.ts \(type\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
