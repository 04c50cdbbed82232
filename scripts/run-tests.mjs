#!/usr/bin/env node
// Runs every test file under test/ in its own node process (uvu suites, TypeScript via tsx),
// two at a time, and ends with the one line CI reads: `N passed, N failed, N skipped` (tests;
// a file skipped for a missing requirement counts as one skipped test). Every skip is printed
// with its reason. A file that exits non-zero or never prints uvu's summary counts as one failure.
// Usage: node scripts/run-tests.mjs [substring filter ...]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// A test file may declare what it needs outside the repo in a `// requires: a, b` line near its
// top. Where that is missing (macOS / Windows CI, no Debian clients, no ../shared) the file is
// skipped and counted as skipped, instead of failing on timeouts.
const REQUIREMENTS = {
  kcat: () => spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0,
  'python-kafka': () => spawnSync('/usr/bin/python3', ['-c', 'import kafka, confluent_kafka'], { stdio: 'ignore' }).status === 0,
  golden: () => existsSync(join(root, '../shared/kafka-golden')),
  schemas: () => existsSync(join(root, '../shared/kafka-protocol/4.3.0')),
  // Mounting a small tmpfs to fill (full-disk tests): root on Linux, where the sandbox allows it.
  tmpfs: () => {
    if (process.platform !== 'linux') return false;
    const dir = mkdtempSync(join(tmpdir(), 'samsa-tmpfs-probe-'));
    const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
    if (ok) spawnSync('umount', [dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
    return ok;
  },
  chromium: () => spawnSync('/usr/bin/chromium', ['--version'], { stdio: 'ignore' }).status === 0,
  // A real etcd for the cluster tests (test/cluster/etcd-server.ts starts it). CI installs it, so
  // under CI=true it counts as present and a missing binary fails the test instead of skipping it.
  etcd: () => process.env.CI === 'true' || spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0,
  // The native addon (npm run build:native). Optional for a user; CI builds it, so under CI=true it
  // counts as present and a missing binary fails the test instead of skipping it.
  native: () =>
    process.env.CI === 'true' ||
    spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', "const m = await import('./src/accel/native.ts'); process.exit('error' in m.loadNativeAddon() ? 1 : 0)"],
      { cwd: root, stdio: 'ignore' },
    ).status === 0,
  // @confluentinc/kafka-javascript built by scripts/install-ckjs.sh, loading librdkafka >= 2.10 (KIP-848).
  ckjs: () =>
    spawnSync(
      process.execPath,
      [
        '-e',
        "const [a, b] = require('@confluentinc/kafka-javascript').librdkafkaVersion.split('.').map(Number); process.exit(a > 2 || (a === 2 && b >= 10) ? 0 : 1)",
      ],
      { cwd: join(root, 'test/clients/ckjs'), stdio: 'ignore' },
    ).status === 0,
};
// What to do about a missing requirement, printed with the skip.
const HOW = {
  kcat: 'apt-get install kcat',
  'python-kafka': 'apt-get install python3-kafka python3-confluent-kafka',
  golden: '../shared/kafka-golden beside the checkout',
  schemas: '../shared/kafka-protocol beside the checkout',
  chromium: 'apt-get install chromium',
  etcd: 'apt-get install etcd-server',
  ckjs: 'scripts/install-ckjs.sh',
  native: 'npm run build:native',
};
const available = new Map();
function missingRequirements(file) {
  const head = readFileSync(file, 'utf8').split('\n', 30).join('\n');
  const m = /^\/\/ requires: (.+)$/m.exec(head);
  if (!m) return [];
  return m[1]
    .split(',')
    .map((s) => s.trim())
    .filter((r) => {
      if (!available.has(r)) available.set(r, REQUIREMENTS[r] ? REQUIREMENTS[r]() : false);
      return !available.get(r);
    });
}
const filters = process.argv.slice(2);
const FILE_TIMEOUT_MS = Number(process.env.SAMSA_TEST_TIMEOUT_MS ?? 240_000);

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    // test/clients/ckjs/node_modules holds a client's own sources, not samsa's tests.
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules') out.push(...findTests(p));
    } else if (name.endsWith('.test.ts') || name.endsWith('.test.mjs')) out.push(p);
  }
  return out.sort();
}

const files = findTests(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)));

function runFile(file) {
  const missing = missingRequirements(file);
  // A requirement name this runner does not know is a typo that would skip a test for ever.
  const unknown = missing.filter((r) => !REQUIREMENTS[r]);
  if (unknown.length > 0) {
    const reason = `unknown requirement ${unknown.join(', ')} in its "// requires:" line (known: ${Object.keys(REQUIREMENTS).join(', ')})`;
    return Promise.resolve({ file, passed: 0, failed: 1, skipped: 0, output: reason, reasons: [reason], ms: 0, code: 1 });
  }
  if (missing.length > 0) {
    const reason = `needs ${missing.map((r) => (HOW[r] ? `${r} (${HOW[r]})` : r)).join(', ')}`;
    return Promise.resolve({ file, passed: 0, failed: 0, skipped: 1, output: '', reasons: [reason], ms: 0, code: 0 });
  }
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[run-tests] timed out after ${FILE_TIMEOUT_MS} ms, killed\n`;
      child.kill('SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const num = (label) => {
        const m = new RegExp(`${label}:\\s+(\\d+)`).exec(output);
        return m ? Number(m[1]) : null;
      };
      const total = num('Total');
      const passed = num('Passed');
      const skipped = num('Skipped') ?? 0;
      let failed;
      if (total === null || passed === null) failed = 1;
      // uvu's Total counts the tests that ran: skipped ones are not in it.
      else failed = total - passed + (code !== 0 && total === passed ? 1 : 0);
      // A test that skips itself says why on a line of its own: `skipped: <test>: <reason>`.
      const reasons = [...output.matchAll(/^skipped: (.+)$/gm)].map((m) => m[1]);
      resolve({ file, passed: passed ?? 0, failed, skipped, output, reasons, ms: Date.now() - started, code });
    });
  });
}

const results = [];
let next = 0;
const workers = Math.max(1, Math.min(Number(process.env.SAMSA_TEST_JOBS ?? availableParallelism()), 4));
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (next < files.length) {
      const file = files[next++];
      const r = await runFile(file);
      results.push(r);
      const status = r.failed > 0 ? 'FAIL' : 'ok  ';
      console.log(`${status} ${relative(root, file)}  (${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped, ${(r.ms / 1000).toFixed(1)} s)`);
      if (r.skipped > 0) for (const reason of r.reasons.length > 0 ? r.reasons : ['(no reason given)']) console.log(`    skipped: ${reason}`);
      if (r.failed > 0 || process.env.SAMSA_TEST_VERBOSE) console.log(r.output.replace(/^/gm, '    '));
    }
  }),
);

const sum = (k) => results.reduce((a, r) => a + r[k], 0);
const passed = sum('passed');
const failed = sum('failed');
const skipped = sum('skipped');
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
