// requires: kcat
// `samsa bench --record-size` above 1 MiB: every record carries exactly the value size asked for
// (read back with kcat, a real client), and a size whose record batch cannot fit the topic's
// max.message.bytes is refused before anything is sent, with one line naming the option to change.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { endOffsets } from '../../src/bench/session.js';
import { parseBootstrap } from '../../src/cli/topics/options.js';
import { samsa } from './helpers.js';
import type { BenchResult } from '../../src/bench/types.js';

const run = promisify(execFile);
let broker: Broker;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
});
test.after(async () => {
  await broker.close();
});

/** The value size of every record of `topic`, in order, as kcat reads them. */
async function valueSizes(topic: string): Promise<number[]> {
  const { stdout } = await run('kcat', ['-C', '-b', broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%S\n'], {
    timeout: 60_000,
    maxBuffer: 1 << 20,
  });
  return stdout.split('\n').filter(Boolean).map(Number);
}

async function total(topic: string): Promise<number> {
  const ends = await endOffsets(parseBootstrap(broker.bootstrap, ''), 10_000, topic);
  return [...ends.values()].reduce((a, x) => a + x, 0);
}

test('--record-size 2000000 sends 2,000,000-byte values when the topic takes them', async () => {
  const c = await samsa('topics', 'create', 'big', '--bootstrap', broker.bootstrap, '--config', 'max.message.bytes=3000000');
  assert.is(c.code, 0, c.stderr);
  const r = await samsa('bench', 'produce', '--bootstrap', broker.bootstrap, '--topic', 'big', '--records', '5', '--record-size', '2000000', '--json');
  assert.is(r.code, 0, r.stderr);
  assert.is((JSON.parse(r.stdout) as BenchResult).records, 5);
  assert.equal(await valueSizes('big'), [2_000_000, 2_000_000, 2_000_000, 2_000_000, 2_000_000]);
});

test('--record-size 1100000-2900000: every value inside the range', async () => {
  const c = await samsa('topics', 'create', 'big-range', '--bootstrap', broker.bootstrap, '--config', 'max.message.bytes=3000000');
  assert.is(c.code, 0, c.stderr);
  const r = await samsa(
    'bench',
    'produce',
    '--bootstrap',
    broker.bootstrap,
    '--topic',
    'big-range',
    '--records',
    '6',
    '--record-size',
    '1100000-2900000',
    '--json',
  );
  assert.is(r.code, 0, r.stderr);
  const sizes = await valueSizes('big-range');
  assert.is(sizes.length, 6);
  for (const s of sizes) assert.ok(s >= 1_100_000 && s <= 2_900_000, `value of ${s} bytes outside 1100000-2900000`);
});

test('a record that cannot fit max.message.bytes: refused in one line, nothing sent', async () => {
  // The default max.message.bytes (1048588) cannot hold one 2,000,000-byte record.
  const r = await samsa(
    'bench',
    'produce',
    '--bootstrap',
    broker.bootstrap,
    '--topic',
    'too-big',
    '--create-topic',
    '--records',
    '3',
    '--record-size',
    '2000000',
  );
  assert.is(r.code, 1, r.stdout);
  assert.is(r.stdout, '');
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^samsa: .*2,000,000-byte record.* max\.message\.bytes .*1,048,588.*--record-size/);
  assert.is(await total('too-big'), 0, 'nothing produced');
  // e2e refuses the same way.
  const e = await samsa('bench', 'e2e', '--bootstrap', broker.bootstrap, '--topic', 'too-big', '--records', '3', '--record-size', '1048576-2000000');
  assert.is(e.code, 1, e.stdout);
  assert.match(e.stderr, /^samsa: .*max\.message\.bytes.*\n$/);
  assert.is(await total('too-big'), 0, 'nothing produced');
});

test('--batch-size over max.message.bytes: refused, naming --batch-size', async () => {
  const c = await samsa('topics', 'create', 'small-batches', '--bootstrap', broker.bootstrap, '--config', 'max.message.bytes=10000');
  assert.is(c.code, 0, c.stderr);
  const r = await samsa('bench', 'produce', '--bootstrap', broker.bootstrap, '--topic', 'small-batches', '--records', '1000', '--batch-size', '65536');
  assert.is(r.code, 1, r.stdout);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^samsa: .*max\.message\.bytes .*10,000.*--batch-size/);
  assert.is(await total('small-batches'), 0, 'nothing produced');
  // Within the limit the same topic takes the run.
  const ok = await samsa('bench', 'produce', '--bootstrap', broker.bootstrap, '--topic', 'small-batches', '--records', '1000', '--batch-size', '10000');
  assert.is(ok.code, 0, ok.stderr);
  assert.is(await total('small-batches'), 1000);
});

test('--record-size above 100 MiB: a usage error that says the bound', async () => {
  const r = await samsa('bench', 'produce', '--bootstrap', broker.bootstrap, '--record-size', '200000000');
  assert.is(r.code, 2);
  assert.match(r.stderr, /^samsa: --record-size is at most 104857600 bytes \(100 MiB\), got '200000000'/);
});

test.run();
