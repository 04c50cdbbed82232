// requires: python-kafka
// kafka-python 2.0.2 and confluent-kafka 1.7.0 (Debian, /usr/bin/python3) produce to samsa (in
// memory) and read back without a consumer group. kafka-python: keys, headers, null and empty
// values, explicit timestamps, then assign + seek (offset 0 and offsets in the middle),
// beginning/end offsets and offsets_for_times. confluent-kafka: acks=all with linger, then assign
// from OFFSET_BEGINNING and from a timestamp via offsets_for_times. Every record must come back with
// the offset its delivery report named and the timestamp it was sent with; samsa's own Fetch is
// the cross-check. The Python halves are ../clients/py/data_kafka_python.py and data_confluent.py.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { runPythonJson } from '../clients/helpers.js';
import { connectClient, createTopic, fetchAll, seededRandom, seededBytes } from './helpers.js';

interface SpecMessage {
  partition: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
  timestamp: number;
}
interface PyRecord {
  partition: number;
  offset: number;
  timestamp: number;
  timestamp_type: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

const PARTITIONS = 3;
const T0 = Date.now() - 5 * 60_000;
let broker: Broker;
let client: ClientConnection;
let dir: string;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  client = await connectClient(broker.bootstrap);
  dir = mkdtempSync(join(tmpdir(), 'samsa-py-'));
});

test.after(async () => {
  client?.close();
  await broker?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function messages(seed: number, n: number, nullHeaderValues: boolean): SpecMessage[] {
  const rand = seededRandom(seed);
  const hex = (s: string) => Buffer.from(s).toString('hex');
  return Array.from({ length: n }, (_, i) => {
    const partition = i % PARTITIONS;
    const key = i % 11 === 5 ? null : hex(`key-${i}`);
    const value =
      i % 13 === 7
        ? null
        : i % 17 === 3
          ? ''
          : i === 20
            ? seededBytes(rand, 100_000).toString('hex')
            : seededBytes(rand, 1 + Math.floor(rand() * 200)).toString('hex');
    const headers: Array<[string, string | null]> =
      i % 3 === 0
        ? []
        : [
            ['trace', hex(`t-${i}`)],
            ['bin', seededBytes(rand, 8).toString('hex')],
            ['trace', hex('again')],
          ];
    if (nullHeaderValues && i % 4 === 1) headers.push(['nullable', null]);
    return { partition, key, value, headers, timestamp: T0 + 10 * i };
  });
}

// The messages of each partition in send order, with the offset each must get.
function perPartition(ms: SpecMessage[]): SpecMessage[][] {
  const out: SpecMessage[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const m of ms) out[m.partition]!.push(m);
  return out;
}

// timestamp_type of a CreateTime record: kafka-python says 0 (Kafka's id), confluent-kafka says 1
// (TIMESTAMP_CREATE_TIME; its 0 means "not available").
const KP_CREATE_TIME = 0;
const CK_CREATE_TIME = 1;

function asRecord(m: SpecMessage, offset: number, tsType: number): PyRecord {
  return { partition: m.partition, offset, timestamp: m.timestamp, timestamp_type: tsType, key: m.key, value: m.value, headers: m.headers };
}

function sortRecords(rs: PyRecord[]): PyRecord[] {
  return [...rs].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

function expectedAll(ms: SpecMessage[], tsType: number): PyRecord[] {
  return perPartition(ms).flatMap((list) => list.map((m, i) => asRecord(m, i, tsType)));
}

// The first offset of `partition` whose timestamp is >= target.
function offsetForTime(ms: SpecMessage[], partition: number, target: number): number {
  return perPartition(ms)[partition]!.findIndex((m) => m.timestamp >= target);
}

function writeSpec(name: string, spec: unknown): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

async function sameAsSamsaFetch(topic: string, ms: SpecMessage[]): Promise<void> {
  const want = perPartition(ms);
  for (let p = 0; p < PARTITIONS; p++) {
    const f = await fetchAll(client, topic, p);
    assert.is(f.highWatermark, want[p]!.length, `partition ${p} high watermark`);
    assert.equal(
      f.records.map((r) => ({
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key?.toString('hex') ?? null,
        value: r.value?.toString('hex') ?? null,
        headers: r.headers.map((h) => [h.key, h.value?.toString('hex') ?? null]),
      })),
      want[p]!.map((m, i) => ({ offset: i, timestamp: m.timestamp, key: m.key, value: m.value, headers: m.headers })),
      `samsa Fetch of partition ${p}`,
    );
  }
}

test('kafka-python: produce with keys, headers, null values; assign + seek reads every record at its offset with its timestamp', async () => {
  const topic = 'py-kafka-python';
  await createTopic(client, topic, PARTITIONS);
  const ms = messages(1, 60, false);
  const seeks = [
    { partition: 0, offset: 0 },
    { partition: 1, offset: 7 },
    { partition: 2, offset: 19 },
  ];
  const times = [
    { partition: 0, timestamp: ms[30]!.timestamp },
    { partition: 1, timestamp: ms[31]!.timestamp - 5 },
    { partition: 2, timestamp: T0 - 1000 },
    { partition: 0, timestamp: T0 + 1_000_000 },
  ];
  const r = await runPythonJson<any>(
    'data_kafka_python.py',
    [broker.bootstrap, topic, writeSpec('kp', { partitions: PARTITIONS, messages: ms, seeks, times })],
    90_000,
  );
  assert.is(r.error, undefined, `kafka-python raised ${r.error}\n${r.trace}`);

  const counters = [0, 0, 0];
  assert.equal(
    r.produced,
    ms.map((m) => ({ partition: m.partition, offset: counters[m.partition]!++, timestamp: m.timestamp })),
    'RecordMetadata: partition, offset and timestamp of every send',
  );
  assert.equal(r.beginning, { '0': 0, '1': 0, '2': 0 });
  assert.equal(r.end, { '0': 20, '1': 20, '2': 20 });
  assert.equal(sortRecords(r.all), expectedAll(ms, KP_CREATE_TIME), 'every record from offset 0');
  const per = perPartition(ms);
  seeks.forEach((s, i) => {
    assert.equal(
      r.seeks[i],
      per[s.partition]!.slice(s.offset).map((m, j) => asRecord(m, s.offset + j, KP_CREATE_TIME)),
      `seek to ${s.partition}@${s.offset}`,
    );
  });
  assert.equal(
    r.for_times,
    times.map((t) => {
      const o = offsetForTime(ms, t.partition, t.timestamp);
      return { partition: t.partition, timestamp: t.timestamp, offset: o < 0 ? null : o, found_timestamp: o < 0 ? null : per[t.partition]![o]!.timestamp };
    }),
    'offsets_for_times',
  );
  await sameAsSamsaFetch(topic, ms);
});

test('confluent-kafka: acks=all + linger; assign from OFFSET_BEGINNING and from offsets_for_times', async () => {
  const topic = 'py-confluent';
  await createTopic(client, topic, PARTITIONS);
  const ms = messages(2, 90, true);
  const times = [
    { partition: 0, timestamp: ms[45]!.timestamp },
    { partition: 1, timestamp: ms[61]!.timestamp - 3 },
    { partition: 2, timestamp: ms[89]!.timestamp + 1 }, // after the last record of partition 2
  ];
  const r = await runPythonJson<any>('data_confluent.py', [broker.bootstrap, topic, writeSpec('ck', { partitions: PARTITIONS, messages: ms, times })], 90_000);
  assert.is(r.error, undefined, `confluent-kafka raised ${r.error}\n${r.trace}`);

  const counters = [0, 0, 0];
  assert.equal(
    r.produced,
    ms.map((m) => ({ partition: m.partition, offset: counters[m.partition]!++, timestamp: m.timestamp, error: null })),
    'delivery reports: partition, offset, timestamp, no error',
  );
  assert.equal(r.watermarks, { '0': [0, 30], '1': [0, 30], '2': [0, 30] });
  assert.equal(sortRecords(r.all), expectedAll(ms, CK_CREATE_TIME), 'every record from OFFSET_BEGINNING');
  const per = perPartition(ms);
  const wantOffsets = times.map((t) => offsetForTime(ms, t.partition, t.timestamp));
  // librdkafka reports "no offset at or after this time" as the end offset (-1 from the broker).
  assert.equal(
    r.for_times,
    times.map((t, i) => ({ partition: t.partition, timestamp: t.timestamp, offset: wantOffsets[i]! < 0 ? -1 : wantOffsets[i] })),
    'offsets_for_times',
  );
  const fromTimes = times.flatMap((t, i) =>
    wantOffsets[i]! < 0 ? [] : per[t.partition]!.slice(wantOffsets[i]!).map((m, j) => asRecord(m, wantOffsets[i]! + j, CK_CREATE_TIME)),
  );
  assert.equal(sortRecords(r.from_times), sortRecords(fromTimes), 'records from the offsets for the timestamps');
  await sameAsSamsaFetch(topic, ms);
});

test.run();
