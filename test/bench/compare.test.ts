// `samsa bench compare` on real results (a memory and a disk broker in this process, the CLI in
// a child): --json gives latencies in the unit its labels name (ms), and compare warns, on stderr
// and in the JSON, about every setting the runs differ in; a consume's header names only what
// applies to a consumer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { samsa } from './helpers.js';
import type { BenchResult } from '../../src/bench/types.js';

let memory: Broker;
let disk: Broker;
const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-compare-'));
const results: Record<string, BenchResult> = {};

/** A real run with --json, saved as NAME.json. */
async function run(name: string, ...args: string[]): Promise<string> {
  const r = await samsa('bench', ...args, '--json');
  assert.is(r.code, 0, r.stderr);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, r.stdout);
  results[name] = JSON.parse(r.stdout) as BenchResult;
  return file;
}

test.before(async () => {
  memory = await startBroker({ port: 0, logLevel: 'silent' });
  disk = await startBroker({ port: 0, logLevel: 'silent', storage: 'disk', dataDir: join(dir, 'data') });
});
test.after(async () => {
  await memory.close();
  await disk.close();
  rmSync(dir, { recursive: true, force: true });
});

let a1: string, a2: string, b: string, c: string;

test('real results record the broker storage', async () => {
  a1 = await run('a1', 'produce', '--bootstrap', memory.bootstrap, '--topic', 'c1', '--records', '3000');
  a2 = await run('a2', 'produce', '--bootstrap', memory.bootstrap, '--topic', 'c1', '--records', '3000');
  b = await run('b', 'produce', '--bootstrap', disk.bootstrap, '--topic', 'c1', '--records', '3000', '--acks', 'all');
  c = await run('c', 'consume', '--bootstrap', memory.bootstrap, '--topic', 'c1');
  assert.equal(results['a1']!.broker, { storage: 'memory' });
  assert.equal(results['b']!.broker, { storage: 'disk' });
  assert.is(results['c']!.records, 6000);
});

test('compare --json: latencies in ms, as labelled', async () => {
  const j = await samsa('bench', 'compare', a1, b, '--json');
  assert.is(j.code, 0, j.stderr);
  const out = JSON.parse(j.stdout) as { metrics: { metric: string; unit: string; values: number[] }[] };
  const us = { 'p50 ms': 'p50Us', 'p90 ms': 'p90Us', 'p99 ms': 'p99Us', 'p99.9 ms': 'p999Us', 'max ms': 'maxUs' } as const;
  for (const [label, field] of Object.entries(us)) {
    const m = out.metrics.find((x) => x.metric === label);
    assert.ok(m, label);
    assert.is(m.unit, 'ms');
    assert.equal(m.values, [results['a1']!.latency[field] / 1000, results['b']!.latency[field] / 1000], label);
  }
  assert.is(out.metrics.find((x) => x.metric === 'records/s')!.unit, 'records/s');
});

test('compare warns about the settings the runs differ in, and only those', async () => {
  const same = await samsa('bench', 'compare', a1, a2);
  assert.is(same.code, 0, same.stderr);
  assert.is(same.stderr, '', 'runs made the same way: no warning');

  const diff = await samsa('bench', 'compare', a1, b);
  assert.is(diff.code, 0, diff.stderr);
  assert.match(diff.stdout, /records\/s/);
  const lines = diff.stderr.trim().split('\n');
  assert.equal(lines, [
    'samsa: warning: the runs differ in acks: 1 (a1.json), all (b.json)',
    'samsa: warning: the runs differ in storage: memory (a1.json), disk (b.json)',
  ]);
  const j = JSON.parse((await samsa('bench', 'compare', a1, b, '--json')).stdout) as { warnings: string[] };
  assert.equal(j.warnings, ['the runs differ in acks: 1 (a1.json), all (b.json)', 'the runs differ in storage: memory (a1.json), disk (b.json)']);

  const modes = await samsa('bench', 'compare', a1, c);
  assert.is(modes.code, 0, modes.stderr);
  assert.equal(
    modes.stderr.trim().split('\n'),
    ['samsa: warning: the runs differ in mode: produce (a1.json), consume (c.json)'],
    'a consume has no acks to differ in',
  );
});

test("consume's header names consumer settings only", async () => {
  const r = await samsa('bench', 'consume', '--bootstrap', memory.bootstrap, '--topic', 'c1', '--partitions', '0');
  assert.is(r.code, 0, r.stderr);
  const header = r.stdout.split('\n')[0]!;
  assert.match(header, /^samsa bench consume: c1 on 127\.0\.0\.1:\d+, from earliest, partitions 0, storage memory$/);
  const p = await samsa('bench', 'produce', '--bootstrap', memory.bootstrap, '--topic', 'c1', '--records', '10');
  assert.match(
    p.stdout.split('\n')[0]!,
    /^samsa bench produce: c1 on 127\.0\.0\.1:\d+, 100 B records, acks 1, batch 16384 B, none, 1 conn x 5 in flight, storage memory$/,
  );
});

test.run();
