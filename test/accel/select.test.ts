// Backend selection (src/accel/index.ts), each case in a fresh node process: the fastest available
// by default, SAMSA_ACCEL forcing one, and a clear error for a forced backend that is missing or
// a value that is not a backend.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { nativeTest } from './native-required.js';

const root = join(fileURLToPath(import.meta.url), '../../..');
const hasWasm = existsSync(join(root, 'wasm/build/samsa.wasm'));
const probe =
  "const m = await import('./src/accel/index.ts'); console.log(JSON.stringify({ backend: m.accelBackend(), description: m.accelDescription(), skipped: m.accelSkipped() }));";

function run(env: Record<string, string | undefined>): {
  status: number | null;
  out: { backend: string; description: string; skipped: string[] } | null;
  stderr: string;
} {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e.SAMSA_ACCEL;
  delete e.SAMSA_NATIVE_PATH;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) e[k] = v;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root, env: e, encoding: 'utf8', timeout: 60_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { status: r.status, out: line.startsWith('{') ? JSON.parse(line) : null, stderr: r.stderr };
}

nativeTest('default: native, described in one line', () => {
  const r = run({});
  assert.is(r.status, 0, r.stderr);
  assert.is(r.out!.backend, 'native');
  assert.match(r.out!.description, /^native \(crc32c: .+; samsa-native\..+\.node\)$/);
  assert.equal(r.out!.skipped, []);
});

test('SAMSA_ACCEL=js and =wasm force those backends', () => {
  assert.is(run({ SAMSA_ACCEL: 'js' }).out!.backend, 'js');
  if (hasWasm) assert.is(run({ SAMSA_ACCEL: 'wasm' }).out!.backend, 'wasm');
});

nativeTest('SAMSA_ACCEL=native forces the native backend', () => {
  assert.is(run({ SAMSA_ACCEL: 'native' }).out!.backend, 'native');
});

test('without a native binary: wasm (or js), and the reason is kept', () => {
  const r = run({ SAMSA_NATIVE_PATH: join(root, 'native/does-not-exist.node') });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.out!.backend, hasWasm ? 'wasm' : 'js');
  assert.match(r.out!.skipped[0]!, /^native: no native binary for .*does-not-exist\.node \(no such file\)/);
});

test('a forced backend that is missing, or an unknown name, fails at load with a clear message', () => {
  const missing = run({ SAMSA_ACCEL: 'native', SAMSA_NATIVE_PATH: join(root, 'native/does-not-exist.node') });
  assert.is.not(missing.status, 0);
  assert.match(missing.stderr, /AccelUnavailableError: SAMSA_ACCEL=native, but the native backend is not available: .*npm run build:native/);
  const bogus = run({ SAMSA_ACCEL: 'gpu' });
  assert.is.not(bogus.status, 0);
  assert.match(bogus.stderr, /SAMSA_ACCEL=gpu is not a backend: use native, wasm or js/);
});

test.run();
