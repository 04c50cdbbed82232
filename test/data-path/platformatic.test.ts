// @platformatic/kafka 1.35 against samsa (in memory): its Producer sends keys, headers, null values
// and explicit timestamps with acks -1, 1 and 0, and gzip, snappy and lz4 batches; its Consumer
// reads back without a group (Consumer.fetch: a plain Fetch v17 by topic id to the leader, no
// JoinGroup) and lists offsets (earliest, latest, by timestamp). samsa's own Fetch is the
// cross-check: every record byte for byte, in order per partition, at the offsets the producer got.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Producer, Consumer, type MessageToProduce } from '@platformatic/kafka';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { CompressionType } from '../../src/protocol/records/layout.js';
import { connectClient, createTopic, fetchAll, withTimeout, seededRandom, seededBytes } from './helpers.js';

const TOPIC = 'plat-data';
const PARTITIONS = 3;
const T0 = Date.now() - 3 * 60_000;

interface Expected {
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<[string, string]>;
  timestamp: number;
  codec: number;
}

let broker: Broker;
let client: ClientConnection;
let producer: Producer;
let consumer: Consumer;
const expected: Expected[][] = Array.from({ length: PARTITIONS }, () => []);
const results: Array<{ label: string; acks: number; before: number[]; offsets: Array<{ partition: number; offset: number }> }> = [];
const rand = seededRandom(77);
let tick = 0;

function m(partition: number, key: Buffer | null, value: Buffer | null, headers: Record<string, string> = {}): MessageToProduce {
  const msg: MessageToProduce = {
    topic: TOPIC,
    partition,
    timestamp: BigInt(T0 + 10 * tick++),
    headers: new Map(Object.entries(headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
  };
  if (key !== null) msg.key = key;
  if (value !== null) msg.value = value;
  return msg;
}

const CODECS = { none: CompressionType.None, gzip: CompressionType.Gzip, snappy: CompressionType.Snappy, lz4: CompressionType.Lz4 } as const;

async function send(label: string, acks: number, messages: MessageToProduce[], compression: keyof typeof CODECS = 'none'): Promise<void> {
  const before = expected.map((e) => e.length);
  const res = await withTimeout(producer.send({ messages, acks, compression }), 30_000, `platformatic send ${label}`);
  for (const x of messages) {
    expected[x.partition!]!.push({
      key: x.key ?? null,
      value: x.value ?? null,
      headers: [...(x.headers as Map<Buffer, Buffer>).entries()].map(([k, v]) => [k.toString(), v.toString()]),
      timestamp: Number(x.timestamp),
      codec: CODECS[compression],
    });
  }
  results.push({ label, acks, before, offsets: (res.offsets ?? []).map((o) => ({ partition: o.partition, offset: Number(o.offset) })) });
}

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  client = await connectClient(broker.bootstrap);
  await createTopic(client, TOPIC, PARTITIONS);
  const common = { clientId: 'plat-data', bootstrapBrokers: [broker.bootstrap], retries: 2, retryDelay: 100, timeout: 20_000 };
  producer = new Producer({ ...common, autocreateTopics: false });
  consumer = new Consumer({ ...common, groupId: 'plat-unused-group', maxWaitTime: 100 });

  await send(
    'acks=-1',
    -1,
    Array.from({ length: 30 }, (_, i) => m(i % PARTITIONS, Buffer.from(`key-${i}`), seededBytes(rand, 10 + i * 7), { trace: `t${i}`, app: 'plat' })),
  );
  await send('acks=1 nulls', 1, [m(0, null, Buffer.from('no key')), m(1, Buffer.from('tombstone'), null), m(2, Buffer.alloc(0), Buffer.alloc(0))]);
  await send(
    'acks=0',
    0,
    Array.from({ length: 9 }, (_, i) => m(i % PARTITIONS, Buffer.from(`noack-${i}`), seededBytes(rand, 40))),
  );
  for (const codec of ['gzip', 'snappy', 'lz4'] as const) {
    await send(
      `${codec}`,
      -1,
      Array.from({ length: 24 }, (_, i) => m(i % PARTITIONS, Buffer.from(`${codec}-${i}`), Buffer.from(`${codec} ${'payload '.repeat(10 + i)}`), { codec })),
      codec,
    );
  }
  await send(
    'tail',
    -1,
    Array.from({ length: 6 }, (_, i) => m(i % PARTITIONS, Buffer.from(`tail-${i}`), Buffer.from(`tail ${i}`))),
  );
});

test.after(async () => {
  client?.close();
  await producer?.close().catch(() => undefined);
  await consumer?.close().catch(() => undefined);
  await broker?.close();
});

test('every acknowledged send reports the offsets that follow the previous records of each partition', () => {
  for (const r of results) {
    if (r.acks === 0) continue;
    assert.ok(r.offsets.length > 0, `${r.label}: offsets reported`);
    for (const o of r.offsets) assert.is(o.offset, r.before[o.partition], `${r.label}: partition ${o.partition}`);
  }
});

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

test("samsa's Fetch: every record byte for byte, in order, consecutive offsets; batches keep the codec they were sent with", async () => {
  for (let p = 0; p < PARTITIONS; p++) {
    const f = await fetchAll(client, TOPIC, p);
    const want = expected[p]!;
    assert.is(f.highWatermark, want.length, `partition ${p} high watermark`);
    for (const b of f.batches) {
      for (let o = b.header.baseOffset; o <= b.header.baseOffset + b.header.lastOffsetDelta; o++) {
        assert.is(b.header.compression, want[o]!.codec, `partition ${p} offset ${o}: batch codec`);
      }
    }
    // Records of snappy and lz4 batches are not decoded here; platformatic's consumer checks them.
    const plain = f.records;
    const wantPlain = want.map((w, i) => ({ w, i })).filter(({ w }) => w.codec === CompressionType.None || w.codec === CompressionType.Gzip);
    assert.equal(
      plain.map((r) => r.offset),
      wantPlain.map(({ i }) => i),
      `partition ${p}: offsets of plain and gzip records`,
    );
    plain.forEach((r, j) => {
      const w = wantPlain[j]!.w;
      assert.ok(sameBytes(r.key, w.key), `partition ${p} offset ${r.offset}: key`);
      assert.ok(sameBytes(r.value, w.value), `partition ${p} offset ${r.offset}: value`);
      assert.is(r.timestamp, w.timestamp);
      assert.equal(
        r.headers.map((h) => [h.key, h.value?.toString()]),
        w.headers,
      );
    });
  }
});

test("platformatic's Consumer.fetch (no group) returns every record, snappy and lz4 included", async () => {
  const md = await withTimeout(consumer.metadata({ topics: [TOPIC] }), 20_000, 'metadata');
  const t = md.topics.get(TOPIC)!;
  assert.ok(t, 'topic in metadata');
  for (let p = 0; p < PARTITIONS; p++) {
    const got: Array<{ offset: number; key: Buffer | null; value: Buffer | null; headers: Array<[string, string]>; timestamp: number }> = [];
    let offset = 0n;
    for (let round = 0; round < 50 && Number(offset) < expected[p]!.length; round++) {
      const res = await withTimeout(
        consumer.fetch({
          node: t.partitions[p]!.leader,
          maxWaitTime: 50,
          topics: [
            {
              topicId: t.id,
              partitions: [{ partition: p, fetchOffset: offset, currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: 1024 * 1024 }],
            },
          ],
        }),
        20_000,
        `platformatic fetch ${p}@${offset}`,
      );
      const part = res.responses[0]!.partitions[0]!;
      assert.is(part.errorCode, 0);
      for (const batch of part.records ?? []) {
        for (const r of batch.records) {
          const o = batch.firstOffset + BigInt(r.offsetDelta);
          if (o < offset) continue;
          got.push({
            offset: Number(o),
            key: r.key ?? null,
            value: r.value ?? null,
            headers: r.headers.map(([k, v]) => [k!.toString(), v!.toString()]),
            timestamp: Number(batch.firstTimestamp + r.timestampDelta),
          });
        }
        offset = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
      }
    }
    const want = expected[p]!;
    assert.is(got.length, want.length, `partition ${p} record count`);
    got.forEach((g, i) => {
      const w = want[i]!;
      assert.is(g.offset, i);
      assert.is(g.timestamp, w.timestamp, `partition ${p} offset ${i}: timestamp`);
      // platformatic reads a null key or value as an empty buffer or null, depending on the field.
      assert.ok(sameBytes(g.key?.length ? g.key : null, w.key?.length ? w.key : null), `partition ${p} offset ${i}: key`);
      assert.ok(sameBytes(g.value?.length ? g.value : null, w.value?.length ? w.value : null), `partition ${p} offset ${i}: value`);
      assert.equal(g.headers, w.headers, `partition ${p} offset ${i}: headers`);
    });
  }
});

test("platformatic's listOffsets: earliest, latest, and by timestamp", async () => {
  const latest = await withTimeout(consumer.listOffsets({ topics: [TOPIC], timestamp: -1n }), 20_000, 'listOffsets latest');
  assert.equal(
    latest.get(TOPIC)!.map(Number),
    expected.map((e) => e.length),
  );
  const earliest = await withTimeout(consumer.listOffsets({ topics: [TOPIC], timestamp: -2n }), 20_000, 'listOffsets earliest');
  assert.equal(earliest.get(TOPIC)!.map(Number), [0, 0, 0]);
  // The timestamp of partition 1's 5th record (plain batch): every partition answers its first
  // record at or after it.
  const target = expected[1]![4]!.timestamp;
  const byTs = await withTimeout(consumer.listOffsetsWithTimestamps({ topics: [TOPIC], timestamp: BigInt(target) }), 20_000, 'listOffsets by timestamp');
  for (let p = 0; p < PARTITIONS; p++) {
    const i = expected[p]!.findIndex((e) => e.timestamp >= target);
    const got = byTs.get(TOPIC)!.get(p)!;
    assert.equal([Number(got.offset), Number(got.timestamp)], [i, expected[p]![i]!.timestamp], `partition ${p}`);
  }
});

test.run();
