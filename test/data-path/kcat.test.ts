// requires: kcat
// kcat 1.7.1 (librdkafka 2.0.2) produces to and consumes from samsa (in memory): `-P -K:` with keys
// from a file to a 3-partition topic, `-C -o beginning -e` reads everything back exactly (checked
// against samsa's own Fetch too), `-o -2` (the last two of each partition), `-o s@<ts>` (by
// timestamp), NULL values (-Z), and batches compressed with gzip, snappy, lz4 and zstd, which
// samsa stores as they were sent and kcat decompresses on the way back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { CompressionType } from '../../src/protocol/records/layout.js';
import { run } from '../clients/helpers.js';
import { connectClient, createTopic, fetchAll, sleep } from './helpers.js';

const TOPIC = 'kcat-data';
const PARTITIONS = 3;
// Fields separated by a byte that no key or value contains; one record per line.
const SEP = '\u0001';
const FORMAT = `%p${SEP}%o${SEP}%T${SEP}%k${SEP}%s\\n`;

interface Line {
  partition: number;
  offset: number;
  timestamp: number;
  key: string;
  value: string;
}

let broker: Broker;
let client: ClientConnection;
let dir: string;
let produced1: Array<[string, string]> = [];
let produced2: Array<[string, string]> = [];
let between = 0; // a time after the first file was acknowledged and before the second was sent

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  client = await connectClient(broker.bootstrap);
  await createTopic(client, TOPIC, PARTITIONS);
  dir = mkdtempSync(join(tmpdir(), 'samsa-kcat-'));
});

test.after(async () => {
  client?.close();
  await broker?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function kcat(args: string[], timeoutMs = 60_000): Promise<string> {
  const r = await run('kcat', ['-b', broker.bootstrap, '-X', 'topic.metadata.refresh.interval.ms=1000', ...args], timeoutMs);
  assert.is(r.code, 0, `kcat ${args.join(' ')} exited with ${r.code}\nstderr: ${r.stderr}`);
  return r.stdout;
}

async function produceFile(topic: string, pairs: Array<[string, string]>, extra: string[] = []): Promise<void> {
  const file = join(dir, `${topic}-${Date.now()}-${Math.random()}.txt`);
  writeFileSync(file, pairs.map(([k, v]) => `${k}:${v}\n`).join(''));
  await kcat(['-P', '-t', topic, '-K:', '-l', file, '-X', 'linger.ms=20', ...extra]);
}

function parse(out: string): Line[] {
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [p, o, t, k, v] = l.split(SEP);
      assert.ok(v !== undefined, `unparsable kcat line ${JSON.stringify(l)}`);
      return { partition: Number(p), offset: Number(o), timestamp: Number(t), key: k!, value: v! };
    });
}

function byPartition(lines: Line[]): Line[][] {
  const out: Line[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const l of lines) out[l.partition]!.push(l);
  for (const p of out) p.sort((a, b) => a.offset - b.offset);
  return out;
}

async function consume(topic: string, offset: string, extra: string[] = []): Promise<Line[]> {
  return parse(await kcat(['-C', '-t', topic, '-o', offset, '-e', '-q', '-f', FORMAT, ...extra]));
}

test('kcat -P -K: from a file; -C -o beginning -e reads every record back, in file order per partition, offsets from 0', async () => {
  produced1 = Array.from({ length: 300 }, (_, i) => [`key-${i % 37}`, `value ${i} ${'v'.repeat(i % 50)} with: a colon`]);
  await produceFile(TOPIC, produced1);
  await sleep(50);
  between = Date.now();
  await sleep(50);
  produced2 = Array.from({ length: 60 }, (_, i) => [`late-${i % 7}`, `second file ${i}`]);
  await produceFile(TOPIC, produced2);

  const lines = await consume(TOPIC, 'beginning');
  const all = [...produced1, ...produced2];
  assert.is(lines.length, all.length, 'record count');
  const parts = byPartition(lines);
  const keyPartition = new Map<string, number>();
  for (let p = 0; p < PARTITIONS; p++) {
    parts[p]!.forEach((l, i) => assert.is(l.offset, i, `partition ${p}: offsets are consecutive from 0`));
    for (const l of parts[p]!) {
      const seen = keyPartition.get(l.key);
      if (seen !== undefined) assert.is(seen, p, `key ${l.key} in one partition`);
      keyPartition.set(l.key, p);
    }
  }
  // Per partition, the file order; across partitions, every line once.
  for (let p = 0; p < PARTITIONS; p++) {
    const want = all.filter(([k]) => keyPartition.get(k) === p);
    assert.equal(
      parts[p]!.map((l) => [l.key, l.value]),
      want,
      `partition ${p} in file order`,
    );
  }
  assert.ok(parts.filter((x) => x.length > 0).length >= 2, 'keys spread over several partitions');
});

test("samsa's own Fetch returns what kcat read: same offsets, keys, values, timestamps", async () => {
  const lines = byPartition(await consume(TOPIC, 'beginning'));
  for (let p = 0; p < PARTITIONS; p++) {
    const f = await fetchAll(client, TOPIC, p);
    assert.is(f.highWatermark, lines[p]!.length);
    assert.equal(
      f.records.map((r) => [r.offset, r.timestamp, r.key?.toString(), r.value?.toString()]),
      lines[p]!.map((l) => [l.offset, l.timestamp, l.key, l.value]),
      `partition ${p}`,
    );
  }
});

test('-o -2 returns the last two records of each partition', async () => {
  const full = byPartition(await consume(TOPIC, 'beginning'));
  const tail = byPartition(await consume(TOPIC, '-2'));
  for (let p = 0; p < PARTITIONS; p++) {
    assert.equal(
      tail[p]!.map((l) => [l.offset, l.key, l.value]),
      full[p]!.slice(-2).map((l) => [l.offset, l.key, l.value]),
      `partition ${p}`,
    );
  }
});

test('-o s@<timestamp> starts each partition at the first record at or after the timestamp (the second file)', async () => {
  const full = byPartition(await consume(TOPIC, 'beginning'));
  const fromTs = byPartition(await consume(TOPIC, `s@${between}`));
  let total = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const want = full[p]!.filter((l) => l.timestamp >= between);
    total += want.length;
    assert.equal(
      fromTs[p]!.map((l) => [l.offset, l.key, l.value]),
      want.map((l) => [l.offset, l.key, l.value]),
      `partition ${p}`,
    );
    if (want.length > 0)
      assert.ok(
        want.every((l) => l.key.startsWith('late-')),
        'only the second file is at or after the timestamp',
      );
  }
  assert.is(total, produced2.length);
});

test('-Z: an empty value is produced as NULL and read back as NULL; samsa stores a null value', async () => {
  const topic = 'kcat-null';
  await createTopic(client, topic, 1);
  await produceFile(
    topic,
    [
      ['a', 'x'],
      ['tomb', ''],
      ['b', 'y'],
    ],
    ['-Z'],
  );
  const lines = await consume(topic, 'beginning', ['-Z']);
  assert.equal(
    lines.map((l) => [l.offset, l.key, l.value]),
    [
      [0, 'a', 'x'],
      [1, 'tomb', 'NULL'],
      [2, 'b', 'y'],
    ],
  );
  const f = await fetchAll(client, topic, 0);
  assert.is(f.records[1]!.value, null, 'the record value is null on the wire');
  assert.equal(f.records[1]!.key, Buffer.from('tomb'));
});

for (const [codec, type] of [
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
] as const) {
  test(`-z ${codec}: stored as ${codec} batches as sent, consumed back exactly`, async () => {
    const topic = `kcat-${codec}`;
    await createTopic(client, topic, 1);
    const pairs: Array<[string, string]> = Array.from({ length: 500 }, (_, i) => [
      `${codec}-${i % 10}`,
      `${codec} compressible payload ${'0123456789'.repeat(5)} #${i}`,
    ]);
    await produceFile(topic, pairs, ['-z', codec, '-X', 'linger.ms=100']);
    const lines = await consume(topic, 'beginning');
    assert.equal(
      lines.map((l) => [l.offset, l.key, l.value]),
      pairs.map(([k, v], i) => [i, k, v]),
    );
    const f = await fetchAll(client, topic, 0);
    assert.is(f.highWatermark, pairs.length);
    assert.ok(f.batches.length > 0);
    // librdkafka compresses only if the broker's ApiVersions lets it (for gzip, snappy and lz4 it
    // wants Produce v0 in the advertised range, as Kafka 4.x keeps for that reason, KAFKA-18659);
    // otherwise it logs "Broker does not support compression type" and sends the batch plain.
    for (const b of f.batches)
      assert.is(b.header.compression, type, `batch at ${b.header.baseOffset}: kcat -z ${codec} should have sent (and samsa stored) codec ${type}`);
    // Batches cover 0..n-1 without gaps or overlaps.
    let next = 0;
    for (const b of f.batches) {
      assert.is(b.header.baseOffset, next);
      next = b.header.baseOffset + b.header.lastOffsetDelta + 1;
    }
    assert.is(next, pairs.length);
    if (type === CompressionType.Gzip)
      assert.equal(
        f.records.map((r) => r.value!.toString()),
        pairs.map(([, v]) => v),
      );
  });
}

test.run();
