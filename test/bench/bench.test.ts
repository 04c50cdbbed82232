// `samsa bench` end to end: the CLI in a child process against a real broker in this process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { endOffsets } from '../../src/bench/session.js';
import { parseBootstrap } from '../../src/cli/topics/options.js';
import { samsa } from './helpers.js';
import type { BenchResult } from '../../src/bench/types.js';

let broker: Broker;
let bootstrap: string;
const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-test-'));

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  bootstrap = broker.bootstrap;
});
test.after(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

test('produce --records 20000 --json: the count matches what the log holds, and a consume reads it all', async () => {
  const r = await samsa(
    'bench',
    'produce',
    '--bootstrap',
    bootstrap,
    '--topic',
    'b1',
    '--create-topic',
    '--partitions',
    '3',
    '--records',
    '20000',
    '--record-size',
    '50-300',
    '--key-cardinality',
    '100',
    '--json',
  );
  assert.is(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as BenchResult;
  assert.is(res.format, 'samsa-bench/1');
  assert.is(res.records, 20000);
  assert.ok(res.recordsPerSec > 0 && res.mbPerSec > 0);
  assert.ok(res.latency.count === 20000 && res.latency.p50Us > 0 && res.latency.p99Us >= res.latency.p50Us && res.latency.maxUs >= res.latency.p999Us);
  assert.equal(res.errors, {});
  const ends = await endOffsets(parseBootstrap(bootstrap, ''), 10000, 'b1');
  assert.is(ends.size, 3);
  assert.is(
    [...ends.values()].reduce((a, x) => a + x, 0),
    20000,
    'ListOffsets latest',
  );
  const c = await samsa('bench', 'consume', '--bootstrap', bootstrap, '--topic', 'b1', '--json');
  assert.is(c.code, 0, c.stderr);
  assert.is((JSON.parse(c.stdout) as BenchResult).records, 20000, 'a Fetch count');
});

test('produce with --rate, compression, acks all; e2e', async () => {
  const r = await samsa(
    'bench',
    'produce',
    '--bootstrap',
    bootstrap,
    '--topic',
    'b2',
    '--records',
    '3000',
    '--rate',
    '5000',
    '--linger-ms',
    '2',
    '--acks',
    'all',
    '--compression',
    'gzip',
    '--json',
  );
  assert.is(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as BenchResult;
  assert.is(res.records, 3000);
  assert.is(res.latency.count, 3000);
  assert.ok(res.seconds > 0.4, `3000 records at 5000/s take ~0.6 s, took ${res.seconds}`);
  const e = await samsa('bench', 'e2e', '--bootstrap', bootstrap, '--topic', 'b3', '--records', '5000', '--json');
  assert.is(e.code, 0, e.stderr);
  const er = JSON.parse(e.stdout) as BenchResult;
  assert.is(er.records, 5000);
  assert.is(er.latencyKind, 'end-to-end');
  assert.ok(er.produceLatency && er.produceLatency.count === 5000);
});

test('the text summary names the percentiles and errors', async () => {
  const r = await samsa('bench', 'produce', '--bootstrap', bootstrap, '--topic', 'b4', '--records', '1000');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /1,000 records/);
  assert.match(r.stdout, /p50 [\d.]+ +p90 [\d.]+ +p99 [\d.]+ +p99\.9 [\d.]+ +max [\d.]+/);
  assert.match(r.stdout, /errors: none/);
  assert.is(r.stderr, '', 'no progress line without a TTY');
});

test('compare gives ratios to the first result', async () => {
  const base = (rps: number, p99: number) => ({
    format: 'samsa-bench/1',
    mode: 'produce',
    startedAt: 'x',
    config: { topic: 't', bootstrap: 'h:1' },
    records: 10,
    bytes: 1,
    requests: 1,
    seconds: 1,
    recordsPerSec: rps,
    mbPerSec: rps / 10,
    latencyKind: 'produce-ack',
    latency: { count: 1, meanUs: 1, p50Us: 1000, p90Us: 1000, p99Us: p99, p999Us: p99, maxUs: p99, percentiles: [] },
    errors: {},
    timeline: [],
  });
  writeFileSync(join(dir, 'a.json'), JSON.stringify(base(1000, 2000)));
  writeFileSync(join(dir, 'b.json'), JSON.stringify(base(2500, 1000)));
  const r = await samsa('bench', 'compare', join(dir, 'a.json'), join(dir, 'b.json'));
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /records\/s +1,000 +2,500 +2\.50x/);
  assert.match(r.stdout, /p99 ms +2\.000 +1\.000 +0\.50x/);
  const j = await samsa('bench', 'compare', join(dir, 'a.json'), join(dir, 'b.json'), '--json');
  const out = JSON.parse(j.stdout) as { metrics: { metric: string; ratios: (number | null)[] }[] };
  assert.equal(out.metrics.find((m) => m.metric === 'records/s')!.ratios, [1, 2.5]);
  const bad = await samsa('bench', 'compare', join(dir, 'a.json'), join(dir, 'missing.json'));
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^samsa: cannot read .*missing\.json: no such file\n$/);
});

test('unreachable broker: exit 1, one line', async () => {
  const port = await new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
  const r = await samsa('bench', 'produce', '--bootstrap', `127.0.0.1:${port}`, '--records', '10');
  assert.is(r.code, 1);
  assert.match(r.stderr, /^samsa: cannot connect to 127\.0\.0\.1:\d+: connection refused/);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

test('unknown topic with auto-create off names UNKNOWN_TOPIC_OR_PARTITION', async () => {
  const b = await startBroker({ port: 0, logLevel: 'silent', config: { 'auto.create.topics.enable': false } });
  try {
    const r = await samsa('bench', 'produce', '--bootstrap', b.bootstrap, '--topic', 'nope', '--records', '10');
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /^samsa: topic nope: UNKNOWN_TOPIC_OR_PARTITION\b.*pass --create-topic\)$/m);
    assert.is(r.stderr.trim().split('\n').length, 1);
    // consume never asks for auto-creation: the topic is just not there.
    const c = await samsa('bench', 'consume', '--bootstrap', b.bootstrap, '--topic', 'nope');
    assert.is(c.code, 1, c.stderr);
    assert.match(c.stderr, /^samsa: topic nope: UNKNOWN_TOPIC_OR_PARTITION\b.*\(it does not exist: produce to it first\)$/m);
  } finally {
    await b.close();
  }
});

test('a request the broker rejects: its error name', async () => {
  // Keyless records into a compacted topic -> INVALID_RECORD (KIP-467). (A batch over
  // max.message.bytes is refused before the run: record-size.test.ts.)
  const c = await samsa('topics', 'create', 'compacted', '--bootstrap', bootstrap, '--config', 'cleanup.policy=compact');
  assert.is(c.code, 0, c.stderr);
  const r = await samsa('bench', 'produce', '--bootstrap', bootstrap, '--topic', 'compacted', '--records', '100');
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stderr, /^samsa: the broker rejected Produce to compacted-0: INVALID_RECORD/);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

test('usage errors exit 2', async () => {
  const r = await samsa('bench', 'produce', '--bootstrap', bootstrap, '--acks', '2');
  assert.is(r.code, 2);
  assert.match(r.stderr, /^samsa: --acks must be 0, 1 or all/);
});

test.run();
