// Disk mode across a graceful restart, samsa in its own process (bin/samsa.js, built dist/):
// kafkajs produces 5,000 records to 3 partitions (plain and gzip batches, several segments per
// partition), SIGTERM must exit 0, a new process on the same data dir and port serves exactly the
// same log: the same batches byte for byte at the same offsets, the same ListOffsets answers, and
// new appends continue at the old log end offset. The files keep Kafka's layout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { buildBatch } from '../../src/protocol/records/build.js';
import type { ClientConnection } from '../../src/client/connection.js';
import {
  SamsaProcess,
  connectClient,
  createTopic,
  fetchAll,
  freePort,
  listOffset,
  produceRaw,
  seededRandom,
  seededBytes,
  withTimeout,
  EARLIEST,
  LATEST,
  MAX_TIMESTAMP,
  type FetchedPartition,
} from './helpers.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;

const TOPIC = 'restart-data';
const PARTITIONS = 3;
const TOTAL = 5000;
const T0 = Date.now() - 20 * 60_000;

let dir: string;
let port: number;
let samsa: SamsaProcess | null = null;
const sent: Array<Array<{ key: string; value: Buffer; timestamp: number }>> = Array.from({ length: PARTITIONS }, () => []);
let before: FetchedPartition[] = [];

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'samsa-restart-'));
  port = await freePort();
});

test.after(async () => {
  if (samsa) await samsa.stop('SIGKILL').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function snapshot(c: ClientConnection): Promise<FetchedPartition[]> {
  const out: FetchedPartition[] = [];
  for (let p = 0; p < PARTITIONS; p++) out.push(await fetchAll(c, TOPIC, p, { partitionMaxBytes: 256 * 1024 }));
  return out;
}

async function offsetsAnswers(c: ClientConnection): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    for (const ts of [EARLIEST, LATEST, MAX_TIMESTAMP, T0 - 1, sent[p]![500]!.timestamp, sent[p]![1500]!.timestamp - 1, T0 + 10_000_000_000]) {
      out.push([p, ts, await listOffset(c, TOPIC, p, ts)]);
    }
  }
  return out;
}

test('5,000 records through kafkajs into a disk-mode samsa process; all readable before the restart', async () => {
  samsa = new SamsaProcess(port, dir);
  await samsa.ready();
  const c = await connectClient(samsa.bootstrap);
  try {
    await createTopic(c, TOPIC, PARTITIONS, { 'segment.bytes': String(1024 * 1024) });
    const kafka = new Kafka({ clientId: 'restart', brokers: [samsa.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const rand = seededRandom(5000);
    try {
      for (let i = 0, send = 0; i < TOTAL; send++) {
        const n = Math.min(TOTAL - i, 25 + (send % 7) * 20);
        const messages = [];
        for (let j = 0; j < n; j++, i++) {
          const partition = i % PARTITIONS;
          const m = { key: `k-${i}`, value: seededBytes(rand, 200 + Math.floor(rand() * 1000)), timestamp: T0 + i * 7 };
          sent[partition]!.push(m);
          messages.push({ partition, key: m.key, value: m.value, timestamp: String(m.timestamp), headers: { seq: String(i) } });
        }
        await withTimeout(
          producer.send({ topic: TOPIC, acks: -1, messages, compression: send % 4 === 3 ? CompressionTypes.GZIP : CompressionTypes.None }),
          30_000,
          `send ${send}`,
        );
      }
    } finally {
      await producer.disconnect();
    }
    before = await snapshot(c);
    for (let p = 0; p < PARTITIONS; p++) {
      const f = before[p]!;
      assert.is(f.highWatermark, sent[p]!.length);
      assert.equal(
        f.records.map((r) => [r.offset, r.key!.toString(), r.timestamp]),
        sent[p]!.map((m, i) => [i, m.key, m.timestamp]),
      );
      f.records.forEach((r, i) => assert.ok(r.value!.equals(sent[p]![i]!.value), `partition ${p} offset ${i}: value`));
    }
  } finally {
    c.close();
  }
});

let offsetsBefore: unknown[] = [];

test('SIGTERM: samsa exits 0; the data dir has Kafka layout with several segments per partition', async () => {
  const c = await connectClient(samsa!.bootstrap);
  offsetsBefore = await offsetsAnswers(c);
  c.close();
  const exit = await samsa!.stop('SIGTERM');
  assert.equal(exit, { code: 0, signal: null }, `exit after SIGTERM; output:\n${samsa!.output}`);
  samsa = null;
  for (let p = 0; p < PARTITIONS; p++) {
    const pdir = join(dir, `${TOPIC}-${p}`);
    assert.ok(existsSync(pdir), `${pdir} exists`);
    const logs = readdirSync(pdir)
      .filter((f) => f.endsWith('.log'))
      .sort();
    assert.ok(logs.length >= 2, `partition ${p}: several segments (${logs.join(', ')})`);
    assert.is(logs[0], '00000000000000000000.log');
    for (const l of logs) {
      assert.match(l, /^\d{20}\.log$/);
      const base = l.slice(0, 20);
      assert.ok(existsSync(join(pdir, `${base}.index`)), `${base}.index`);
      assert.ok(existsSync(join(pdir, `${base}.timeindex`)), `${base}.timeindex`);
    }
  }
});

test('restarted on the same dir and port: identical batches byte for byte, same offsets, same ListOffsets answers', async () => {
  samsa = new SamsaProcess(port, dir);
  await samsa.ready();
  const c = await connectClient(samsa.bootstrap);
  try {
    const after = await snapshot(c);
    for (let p = 0; p < PARTITIONS; p++) {
      const a = after[p]!;
      const b = before[p]!;
      assert.is(a.highWatermark, b.highWatermark, `partition ${p} high watermark`);
      assert.is(a.logStartOffset, b.logStartOffset);
      assert.is(a.batches.length, b.batches.length, `partition ${p} batch count`);
      a.batches.forEach((x, i) => {
        assert.is(x.header.baseOffset, b.batches[i]!.header.baseOffset);
        assert.ok(x.bytes.equals(b.batches[i]!.bytes), `partition ${p}: batch at offset ${x.header.baseOffset} differs after the restart`);
      });
    }
    const offsetsAfter = await offsetsAnswers(c);
    const differing = offsetsAfter.map((x, i) => [x, offsetsBefore[i]]).filter(([x, y]) => JSON.stringify(x) !== JSON.stringify(y));
    assert.equal(differing, [], `ListOffsets answers [partition, timestamp, after restart] vs before: ${JSON.stringify(differing)}`);
  } finally {
    c.close();
  }
});

test('appends after the restart continue at the old log end offset', async () => {
  const c = await connectClient(samsa!.bootstrap);
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const [r] = await produceRaw(c, TOPIC, [{ index: p, records: buildBatch([{ key: Buffer.from('after'), value: Buffer.from(`restart ${p}`) }]) }], {
        acks: 1,
      });
      assert.equal([r!.errorCode, r!.baseOffset], [0, sent[p]!.length], `partition ${p}`);
      const f = await fetchAll(c, TOPIC, p, { from: sent[p]!.length });
      assert.equal(
        f.records.map((x) => [x.offset, x.value!.toString()]),
        [[sent[p]!.length, `restart ${p}`]],
      );
    }
  } finally {
    c.close();
  }
  const exit = await samsa!.stop('SIGTERM');
  assert.equal(exit, { code: 0, signal: null }, `second SIGTERM; output:\n${samsa!.output}`);
  samsa = null;
});

test.run();
