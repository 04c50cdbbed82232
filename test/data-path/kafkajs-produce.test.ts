// kafkajs 2.2.4's producer writes to samsa (in memory) and samsa's own client reads everything back:
// keys, headers (string, binary, repeated keys), null and empty keys and values, 1 MiB values, acks
// -1 / 1 / 0, gzip batches; every record comes back byte for byte, in order per partition, at the
// offset the ProduceResponse named. ListOffsets: earliest, latest, by timestamp, max timestamp.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import kafkajs, { type Producer, type Message, type RecordMetadata } from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { CompressionType } from '../../src/protocol/records/layout.js';
import { ListOffsetsRequest } from '../../src/protocol/generated/list-offsets-request.js';
import {
  connectClient,
  fetchAll,
  listOffset,
  withTimeout,
  seededRandom,
  seededBytes,
  EARLIEST,
  LATEST,
  MAX_TIMESTAMP,
  type Rec,
  type FetchedPartition,
} from './helpers.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;

const TOPIC = 'kjs-data';
const PARTITIONS = 4;
const MiB = 1024 * 1024;

interface Expected {
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer }>;
  timestamp: number;
  gzip: boolean;
}

let broker: Broker;
let producer: Producer;
let client: ClientConnection;
const expected: Expected[][] = Array.from({ length: PARTITIONS }, () => []);
const sendResults: Array<{ label: string; acks: number; before: number[]; meta: RecordMetadata[] }> = [];
let fetched: FetchedPartition[] = [];
const rand = seededRandom(20261121);
const T0 = Date.now() - 10 * 60_000; // ten minutes ago: inside any timestamp window
let tsCounter = 0;

function toBuf(v: Buffer | string | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
}

function headersOf(m: Message): Array<{ key: string; value: Buffer }> {
  const out: Array<{ key: string; value: Buffer }> = [];
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) out.push({ key: k, value: toBuf(x)! });
  }
  return out;
}

async function send(label: string, acks: number, messages: Message[], gzip = false): Promise<void> {
  const before = expected.map((e) => e.length);
  const meta = await withTimeout(
    producer.send({ topic: TOPIC, acks, messages, compression: gzip ? CompressionTypes.GZIP : CompressionTypes.None, timeout: 10_000 }),
    30_000,
    `kafkajs send ${label}`,
  );
  for (const m of messages) {
    expected[m.partition!]!.push({ key: toBuf(m.key), value: toBuf(m.value), headers: headersOf(m), timestamp: Number(m.timestamp), gzip });
  }
  sendResults.push({ label, acks, before, meta });
}

function msg(partition: number, key: Buffer | string | null, value: Buffer | string | null, headers?: Message['headers']): Message {
  return { partition, key, value, headers, timestamp: String(T0 + 10 * tsCounter++) };
}

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  const kafka = new Kafka({ clientId: 'kjs-produce', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ok = await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: String(8 * MiB) }] }],
      waitForLeaders: true,
    });
    assert.is(ok, true, 'kafkajs created the topic');
  } finally {
    await admin.disconnect();
  }
  producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 });
  await producer.connect();

  // 1. acks=all: keys, string and binary headers, a repeated header key, every partition.
  await send(
    'acks=-1 keyed',
    -1,
    Array.from({ length: 40 }, (_, i) =>
      msg(i % PARTITIONS, `key-${i}`, `value-${i}-${'x'.repeat(i)}`, { h1: `v${i}`, bin: seededBytes(rand, 16), multi: ['first', 'second'] }),
    ),
  );
  // 2. acks=1: null keys, null values, empty keys and values (empty is not null), binary keys.
  await send('acks=1 nulls', 1, [
    msg(0, null, 'value with a null key'),
    msg(0, 'tombstone', null),
    msg(1, null, null),
    msg(1, '', ''),
    msg(2, seededBytes(rand, 32), seededBytes(rand, 300), { empty: '' }),
    msg(3, Buffer.from([0, 1, 2, 255]), Buffer.alloc(0)),
    msg(3, 'k', null, { tomb: 'stone' }),
  ]);
  // 3. acks=0: nothing comes back; the next request on the same connection follows it.
  await send(
    'acks=0',
    0,
    Array.from({ length: 20 }, (_, i) => msg(i % PARTITIONS, `noack-${i}`, seededBytes(rand, 50 + i))),
  );
  // 4. 1 MiB values (three in one batch for partition 0, one for partition 3).
  await send('acks=-1 1MiB', -1, [
    msg(0, 'big-0', seededBytes(rand, MiB)),
    msg(0, 'big-1', seededBytes(rand, MiB)),
    msg(0, 'big-2', seededBytes(rand, MiB)),
    msg(3, 'big-3', seededBytes(rand, MiB)),
  ]);
  // 5. gzip, acks=all and acks=1, with headers and null values.
  await send(
    'gzip acks=-1',
    -1,
    Array.from({ length: 60 }, (_, i) => msg(i % PARTITIONS, `gz-${i}`, `compressible ${'abc'.repeat(20 + i)} ${i}`, { trace: `t-${i}` })),
    true,
  );
  await send(
    'gzip acks=1',
    1,
    [msg(1, 'gz-null', null, { h: 'x' }), msg(1, null, 'gz no key'), msg(2, 'gz-big', seededBytes(rand, 200_000)), msg(2, 'gz-after', 'after')],
    true,
  );
  // 6. uncompressed again, last: the largest timestamps are in plain batches.
  await send(
    'acks=-1 tail',
    -1,
    Array.from({ length: 8 }, (_, i) => msg(i % PARTITIONS, `tail-${i}`, `tail value ${i}`)),
  );

  client = await connectClient(broker.bootstrap);
  fetched = [];
  for (let p = 0; p < PARTITIONS; p++) fetched.push(await fetchAll(client, TOPIC, p));
});

test.after(async () => {
  client?.close();
  await producer?.disconnect().catch(() => undefined);
  await broker?.close();
});

test('every acknowledged send got NONE and the baseOffset that follows the previous records of its partition', () => {
  for (const r of sendResults) {
    if (r.acks === 0) continue;
    const partitions = new Set<number>();
    for (const m of r.meta) {
      assert.is(m.topicName, TOPIC);
      assert.is(m.errorCode, 0, `${r.label}: partition ${m.partition} error`);
      assert.is(Number(m.baseOffset), r.before[m.partition]!, `${r.label}: baseOffset of partition ${m.partition}`);
      partitions.add(m.partition);
    }
    assert.ok(partitions.size > 0, `${r.label}: kafkajs reported partitions`);
  }
});

test('high watermark of each partition is the number of records sent to it (acks=0 included)', () => {
  for (let p = 0; p < PARTITIONS; p++) {
    assert.is(fetched[p]!.highWatermark, expected[p]!.length, `partition ${p}`);
    assert.is(fetched[p]!.logStartOffset, 0, `partition ${p} log start`);
  }
});

function show(r: { key: Buffer | null; value: Buffer | null }): string {
  const s = (b: Buffer | null) => (b === null ? 'null' : b.length > 40 ? `<${b.length} bytes>` : JSON.stringify(b.toString('latin1')));
  return `key=${s(r.key)} value=${s(r.value)}`;
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

test('every record comes back byte for byte, in order per partition, at consecutive offsets from 0', () => {
  for (let p = 0; p < PARTITIONS; p++) {
    const got: Rec[] = fetched[p]!.records;
    const want = expected[p]!;
    assert.is(fetched[p]!.undecoded.length, 0, 'only plain and gzip batches');
    assert.is(got.length, want.length, `partition ${p}: record count`);
    for (let i = 0; i < want.length; i++) {
      const g = got[i]!;
      const w = want[i]!;
      const where = `partition ${p} offset ${i} (${show(w)})`;
      assert.is(g.offset, i, `${where}: offset`);
      assert.ok(sameBytes(g.key, w.key), `${where}: key differs, got ${show(g)}`);
      assert.ok(sameBytes(g.value, w.value), `${where}: value differs, got ${show(g)}`);
      assert.is(g.timestamp, w.timestamp, `${where}: timestamp`);
      assert.equal(
        g.headers.map((h) => [h.key, h.value?.toString('hex') ?? null]),
        w.headers.map((h) => [h.key, h.value.toString('hex')]),
        `${where}: headers`,
      );
    }
  }
});

test('gzip sends are stored as gzip batches (as sent), plain sends as plain batches', () => {
  for (let p = 0; p < PARTITIONS; p++) {
    for (const b of fetched[p]!.batches) {
      const first = b.header.baseOffset;
      const gz = expected[p]![first]!.gzip;
      assert.is(b.header.compression, gz ? CompressionType.Gzip : CompressionType.None, `partition ${p} batch at ${first}`);
      assert.is(b.header.magic, 2);
      for (let o = first; o <= first + b.header.lastOffsetDelta; o++)
        assert.is(expected[p]![o]!.gzip, gz, `batch at ${first} mixes compressed and plain sends`);
    }
  }
});

test('1 MiB values are whole (partition 0 offsets of big-0..2, partition 3 big-3)', () => {
  const big = fetched.flatMap((f) => f.records).filter((r) => r.key !== null && r.key.toString().startsWith('big-'));
  assert.is(big.length, 4);
  for (const r of big) assert.is(r.value!.length, MiB);
});

test('ListOffsets earliest and latest, at v1, v4, v7 and the highest version', async () => {
  const top = client.pick(ListOffsetsRequest);
  for (const v of [1, 4, 7, top]) {
    for (let p = 0; p < PARTITIONS; p++) {
      const e = await listOffset(client, TOPIC, p, EARLIEST, v);
      assert.equal([e.errorCode, e.offset, e.timestamp], [0, 0, -1], `v${v} partition ${p} earliest`);
      const l = await listOffset(client, TOPIC, p, LATEST, v);
      assert.equal([l.errorCode, l.offset, l.timestamp], [0, expected[p]!.length, -1], `v${v} partition ${p} latest`);
    }
  }
  // v0: old-style offsets.
  const v0 = await listOffset(client, TOPIC, 2, LATEST, 0);
  assert.equal([v0.errorCode, v0.offset], [0, expected[2]!.length]);
});

// The first offset whose timestamp is >= target, and that record's timestamp (Kafka's semantics).
function byTimestamp(p: number, target: number): { offset: number; timestamp: number } {
  const i = expected[p]!.findIndex((r) => r.timestamp >= target);
  return i < 0 ? { offset: -1, timestamp: -1 } : { offset: i, timestamp: expected[p]![i]!.timestamp };
}

test('ListOffsets by timestamp in plain batches: exact timestamps, between timestamps, before all, after all', async () => {
  for (let p = 0; p < PARTITIONS; p++) {
    const plain = expected[p]!.map((r, i) => ({ r, i })).filter(({ r }) => !r.gzip);
    const probes = [plain[0]!, plain[3]!, plain[Math.floor(plain.length / 2)]!, plain[plain.length - 1]!];
    for (const { r } of probes) {
      for (const target of [r.timestamp, r.timestamp - 3]) {
        const got = await listOffset(client, TOPIC, p, target);
        const want = byTimestamp(p, target);
        assert.equal([got.errorCode, got.offset, got.timestamp], [0, want.offset, want.timestamp], `partition ${p} timestamp ${target - T0} after T0`);
      }
    }
    const before = await listOffset(client, TOPIC, p, T0 - 60_000);
    assert.equal([before.offset, before.timestamp], [0, expected[p]![0]!.timestamp], `partition ${p}: a timestamp before every record -> offset 0`);
    const after = await listOffset(client, TOPIC, p, T0 + 10 * tsCounter + 1000);
    assert.equal([after.errorCode, after.offset, after.timestamp], [0, -1, -1], `partition ${p}: a timestamp after every record -> offset -1`);
  }
});

test('ListOffsets by timestamp inside a gzip batch names the record, not the batch (Kafka opens compressed batches)', async () => {
  for (let p = 0; p < PARTITIONS; p++) {
    const batch = fetched[p]!.batches.find((b) => b.header.compression === CompressionType.Gzip && b.header.lastOffsetDelta >= 2);
    if (!batch) continue;
    const o = batch.header.baseOffset + 2;
    const target = expected[p]![o]!.timestamp;
    const got = await listOffset(client, TOPIC, p, target);
    assert.equal(
      [got.errorCode, got.offset, got.timestamp],
      [0, o, target],
      `partition ${p}: timestamp of offset ${o} (third record of the gzip batch at ${batch.header.baseOffset})`,
    );
  }
});

test('ListOffsets MAX_TIMESTAMP (v7+) names the record with the largest timestamp', async () => {
  for (let p = 0; p < PARTITIONS; p++) {
    const last = expected[p]!.length - 1;
    const got = await listOffset(client, TOPIC, p, MAX_TIMESTAMP);
    assert.equal([got.errorCode, got.offset, got.timestamp], [0, last, expected[p]![last]!.timestamp], `partition ${p}`);
  }
});

test.run();
