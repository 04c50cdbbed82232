// The bench suite (bench/suite.ts) end to end with BENCH_QUICK=1: real brokers (dist/, disk and
// memory), the real `samsa bench` CLI, the real ceiling programs, a few 1-second cells. Checks
// the markdown and JSON it writes are complete and consistent; no timing is asserted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './helpers.js';
import type { SuiteReport } from '../../bench/suite/render.js';

const out = mkdtempSync(join(tmpdir(), 'samsa-suite-test-'));
let code: number | null = null;
let stdout = '';
let stderr = '';

test.before(async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/suite.ts'], {
    cwd: root,
    env: { ...process.env, BENCH_QUICK: '1', BENCH_OUT: out, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const kill = setTimeout(() => child.kill('SIGKILL'), 180_000);
  code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(kill);
});
test.after(() => rmSync(out, { recursive: true, force: true }));

const positive = (n: unknown, what: string) => assert.ok(typeof n === 'number' && Number.isFinite(n) && n > 0, `${what} = ${String(n)}`);

test('BENCH_QUICK=1 runs every cell and writes quick.md and quick.json', () => {
  assert.is(code, 0, `exit ${code}\n${stdout}\n${stderr}`);
  assert.ok(existsSync(join(out, 'quick.md')), 'quick.md');
  assert.ok(existsSync(join(out, 'quick.json')), 'quick.json');
  assert.not.ok(/FAILED/.test(stdout), stdout);
});

test('the JSON: machine, command, and every produce cell beside its ceiling for the same bytes', () => {
  const r = JSON.parse(readFileSync(join(out, 'quick.json'), 'utf8')) as SuiteReport;
  assert.is(r.format, 'samsa-bench-suite/1');
  assert.match(r.command, /^BENCH_QUICK=1 npm run bench$/);
  positive(r.machine.cores, 'cores');
  positive(r.machine.ramGiB, 'RAM');
  assert.match(r.machine.node, /^v\d+/);
  assert.match(r.machine.accel, /^(native|wasm|js)/);
  assert.is(r.machine.loadBefore.length, 3);
  assert.is(r.machine.loadAfter.length, 3);
  assert.is(r.produce!.length, 2);
  for (const row of r.produce!) {
    const name = JSON.stringify(row.cell);
    assert.is(row.error, undefined, name);
    assert.match(row.command!, /^samsa bench produce --bootstrap 127\.0\.0\.1:9092 .*--json$/);
    positive(row.samsa!.recordsPerSec, `${name} records/s`);
    positive(row.samsa!.mbPerSec, `${name} MB/s`);
    positive(row.ceiling!.recordsPerSec, `${name} ceiling records/s`);
    positive(row.ceiling!.mbPerSec, `${name} ceiling MB/s`);
    positive(row.ratio, `${name} ratio`);
    assert.equal(row.samsa!.errors, {}, name);
    // The ceiling got the same frames: the same batch bytes per record.
    const per = row.samsa!.bytes / row.samsa!.records;
    assert.ok(
      Math.abs(per - row.ceiling!.bytes / row.ceiling!.records) < 1e-6 * per,
      `${name}: ${per} vs ${row.ceiling!.bytes / row.ceiling!.records} bytes per record`,
    );
    if (row.cell.acks === 0) assert.is(row.ceiling!.latency, null);
    else {
      positive(row.samsa!.latency.p50Us, `${name} p50`);
      assert.ok(row.samsa!.latency.p99Us >= row.samsa!.latency.p50Us);
      positive(row.ceiling!.latency!.p50Us, `${name} ceiling p50`);
    }
  }
});

test('the JSON: consume tail, cold and memory read the whole log, the ceiling the same segment bytes', () => {
  const r = JSON.parse(readFileSync(join(out, 'quick.json'), 'utf8')) as SuiteReport;
  assert.equal(
    r.consume!.map((x) => x.phase),
    ['tail', 'cold', 'memory'],
  );
  for (const row of r.consume!) {
    assert.is(row.error, undefined, row.phase);
    positive(row.samsa!.mbPerSec, `${row.phase} MB/s`);
    positive(row.ceiling!.mbPerSec, `${row.phase} ceiling MB/s`);
    positive(row.ratio, `${row.phase} ratio`);
    // The segment files hold exactly the batches the consumer received.
    assert.is(row.samsa!.bytes, row.ceiling!.bytes, row.phase);
    assert.ok(row.samsa!.bytes >= 5e6 * 0.9, `${row.phase}: ${row.samsa!.bytes} bytes`);
  }
  const [tail, cold, memory] = r.consume!;
  assert.is(cold!.samsa!.records, tail!.samsa!.records);
  assert.is(memory!.samsa!.records, tail!.samsa!.records);
  // Cold really started from an empty page cache where the tools exist (dd iflag=nocache, fincore).
  if (cold!.dropped && Number.isFinite(cold!.cachedBytes)) assert.ok(cold!.cachedBytes! < tail!.samsa!.bytes / 2, `cached ${cold!.cachedBytes}`);
});

test('the JSON: e2e at a rate and at saturation, with latency percentiles beside the ceiling', () => {
  const r = JSON.parse(readFileSync(join(out, 'quick.json'), 'utf8')) as SuiteReport;
  assert.is(r.e2e!.length, 2);
  for (const row of r.e2e!) {
    const name = JSON.stringify(row.cell);
    assert.is(row.error, undefined, name);
    assert.is(row.samsa!.latencyKind, 'end-to-end');
    positive(row.samsa!.records, `${name} records`);
    assert.is(row.samsa!.latency.count, row.samsa!.records, name);
    assert.equal(row.samsa!.errors, {}, name);
    positive(row.ceiling!.records, `${name} ceiling records`);
    positive(row.ceiling!.latency!.p50Us, `${name} ceiling p50`);
    assert.ok(row.ceiling!.latency!.p999Us >= row.ceiling!.latency!.p99Us, name);
  }
  const rated = r.e2e!.find((x) => x.cell.rate !== null)!;
  // A fixed schedule: the ceiling sent rate x seconds records (1 s at 2,000/s, 20 records a request).
  assert.is(rated.ceiling!.records, r.settings.e2eRate * r.settings.e2eSeconds);
});

test('the markdown: machine, command, and three well-formed tables with a ceiling column', () => {
  const md = readFileSync(join(out, 'quick.md'), 'utf8');
  assert.match(md, /- Command: `BENCH_QUICK=1 npm run bench`/);
  assert.match(md, /- Machine: \d+ cores \(.+\), \d+ GiB RAM/);
  assert.match(md, /- Software: node v\d+.*accel (native|wasm|js)/);
  assert.match(md, /- Load average \(1\/5\/15 min\) before: [\d.]+ \/ [\d.]+ \/ [\d.]+, after: [\d.]+/);
  // Tables: blocks of consecutive `|` lines; every row as wide as its header.
  const tables: string[][][] = [];
  let cur: string[][] | null = null;
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) {
      const cells = line
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim());
      if (!cur) tables.push((cur = []));
      cur.push(cells);
    } else cur = null;
  }
  assert.is(tables.length, 3);
  const expectRows = [2, 3, 2];
  tables.forEach((t, i) => {
    const [header, rule, ...rows] = t;
    assert.ok(
      header!.some((h) => /ceiling/.test(h)),
      `table ${i} has a ceiling column: ${header!.join(' | ')}`,
    );
    assert.ok(
      rule!.every((c) => /^-+:?$/.test(c)),
      `table ${i} rule`,
    );
    assert.is(rows.length, expectRows[i], `table ${i} rows`);
    for (const row of rows) {
      assert.is(row.length, header!.length, `table ${i}: ${row.join(' | ')}`);
      assert.not.ok(
        row.some((c) => /failed|NaN|undefined/.test(c)),
        row.join(' | '),
      );
    }
  });
  // The samsa / ceiling column holds a percentage in the produce and consume tables.
  for (const t of tables.slice(0, 2)) {
    const col = t[0]!.indexOf('samsa / ceiling');
    assert.ok(col >= 0);
    for (const row of t.slice(2)) assert.match(row[col]!, /^\*\*\d+%\*\*$/);
  }
});

test.run();
