// DeleteRecords (key 21) against a real broker on a real socket: through kafkajs'
// admin.deleteTopicRecords, and through samsa's protocol client for every served version and the
// cases kafkajs will not send. Afterwards Fetch, ListOffsets, Produce and kafkajs' admin all see
// the new log start offset; on disk it survives a restart of the broker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { DeleteRecordsRequest } from '../../src/protocol/generated/delete-records-request.js';
import { DeleteRecordsResponse } from '../../src/protocol/generated/delete-records-response.js';
import { ListOffsetsRequest } from '../../src/protocol/generated/list-offsets-request.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { deleteRecordsHandler } from '../../src/handlers/delete-records.js';
import type { Input } from '../../src/protocol/primitives/index.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { connectClient, createTopic, fetchOnce, listOffset, produceRaw, sleep, withTimeout, EARLIEST, LATEST } from '../data-path/helpers.js';

const { Kafka, logLevel } = kafkajs;

let broker: Broker;
let conn: ClientConnection;
let kafka: InstanceType<typeof Kafka>;
let admin: ReturnType<InstanceType<typeof Kafka>['admin']>;
const dirs: string[] = [];

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  conn = await connectClient(broker.bootstrap, 'delete-records-test');
  kafka = new Kafka({ clientId: 'delete-records-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
});

test.after(async () => {
  conn?.close();
  await admin?.disconnect();
  await broker?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const deleteRecords = (version: number, topics: Input<DeleteRecordsRequest>['topics'], c = conn) =>
  withTimeout(c.send(DeleteRecordsRequest, DeleteRecordsResponse, version, { topics, timeoutMs: 5000 }), 10_000, `DeleteRecords v${version}`);

// `count` batches of `size` records each, produced one request per batch. Returns base offsets.
async function produceBatches(topic: string, partition: number, count: number, size: number, c = conn): Promise<number[]> {
  const bases: number[] = [];
  for (let i = 0; i < count; i++) {
    const records = Array.from({ length: size }, (_, j) => ({ key: Buffer.from(`k${i}-${j}`), value: Buffer.from(`v${i}-${j}`) }));
    const [r] = await produceRaw(c, topic, [{ index: partition, records: buildBatch(records) }]);
    assert.is(r!.errorCode, ErrorCode.NONE, `produce: ${r!.errorMessage}`);
    bases.push(r!.baseOffset);
  }
  return bases;
}

async function expectFetchOutOfRange(topic: string, partition: number, offset: number, c = conn): Promise<void> {
  const p = await fetchOnce(c, topic, partition, offset);
  assert.is(p.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE, `fetch ${topic}-${partition}@${offset}`);
}

test('the broker advertises DeleteRecords v0-v2, every version its codec serves', () => {
  assert.equal(conn.versions.get(21), { minVersion: 0, maxVersion: 2 });
  assert.is(deleteRecordsHandler.minVersion, DeleteRecordsRequest.minVersion);
  assert.is(deleteRecordsHandler.maxVersion, DeleteRecordsRequest.maxVersion);
});

test('kafkajs admin.deleteTopicRecords moves the log start; kafkajs, Fetch and ListOffsets see it', async () => {
  const topic = 'dr-kafkajs';
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: 0 })) });
  await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `w${i}`, partition: 1 })) });
  await producer.disconnect();
  // kafkajs' admin finds partition leaders in its cached metadata, which createTopics does not
  // fill in (the same against Kafka): fetch the topic's metadata first.
  await admin.fetchTopicMetadata({ topics: [topic] });

  await admin.deleteTopicRecords({
    topic,
    partitions: [
      { partition: 0, offset: '4' },
      { partition: 1, offset: '-1' }, // up to the high watermark
    ],
  });
  const offsets = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition);
  assert.equal(
    offsets.map((o) => [o.partition, o.low, o.high]),
    [
      [0, '4', '10'],
      [1, '5', '5'],
    ],
  );
  assert.is((await listOffset(conn, topic, 0, EARLIEST)).offset, 4);
  assert.is((await listOffset(conn, topic, 0, LATEST)).offset, 10);
  const f = await fetchOnce(conn, topic, 0, 4);
  assert.is(f.errorCode, ErrorCode.NONE);
  assert.is(f.logStartOffset, 4);
  assert.is(f.highWatermark, 10);
  await expectFetchOutOfRange(topic, 0, 3);
  await expectFetchOutOfRange(topic, 1, 4);
});

test('kafkajs: an offset above the high watermark fails with OFFSET_OUT_OF_RANGE and changes nothing', async () => {
  const topic = 'dr-kafkajs-oor';
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
  await producer.disconnect();
  await admin.fetchTopicMetadata({ topics: [topic] });
  try {
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }] });
    assert.unreachable('should fail');
  } catch (err) {
    // kafkajs' retrier wraps a non-retriable error; the broker's answer is its cause.
    type DeleteError = { name: string; cause?: DeleteError; partitions?: Array<{ partition: number; error: { type: string } }> };
    const e = (err as DeleteError).cause ?? (err as DeleteError);
    assert.is(e.name, 'KafkaJSDeleteTopicRecordsError');
    assert.is(e.partitions?.[0]?.error.type, 'OFFSET_OUT_OF_RANGE');
  }
  assert.is((await listOffset(conn, topic, 0, EARLIEST)).offset, 0);
});

for (let version = DeleteRecordsRequest.minVersion; version <= DeleteRecordsRequest.maxVersion; version++) {
  test(`DeleteRecords v${version}: per-partition results and errors, as Kafka answers them`, async () => {
    const topic = `dr-v${version}`;
    await createTopic(conn, topic, 4);
    const bases = await produceBatches(topic, 0, 4, 3); // 0-2, 3-5, 6-8, 9-11
    assert.equal(bases, [0, 3, 6, 9]);
    await produceBatches(topic, 1, 2, 2); // 0-3
    await produceBatches(topic, 2, 1, 5); // 0-4
    // Partition 3 stays empty.
    const res = await deleteRecords(version, [
      {
        name: topic,
        partitions: [
          { partitionIndex: 0, offset: 4 }, // inside the second batch
          { partitionIndex: 1, offset: -1 }, // the high watermark
          { partitionIndex: 2, offset: 6 }, // above the high watermark (5)
          { partitionIndex: 3, offset: 0 }, // an empty partition, at its start
          { partitionIndex: 9, offset: 1 }, // no such partition
        ],
      },
      { name: `${topic}-missing`, partitions: [{ partitionIndex: 0, offset: 1 }] },
    ]);
    assert.is(res.throttleTimeMs, 0);
    assert.equal(
      res.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.lowWatermark]) })),
      [
        {
          name: topic,
          partitions: [
            [0, ErrorCode.NONE, 4],
            [1, ErrorCode.NONE, 4],
            [2, ErrorCode.OFFSET_OUT_OF_RANGE, -1],
            [3, ErrorCode.NONE, 0],
            [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
          ],
        },
        { name: `${topic}-missing`, partitions: [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]] },
      ],
    );

    // Never backwards; a negative offset other than -1 is out of range.
    const again = await deleteRecords(version, [
      {
        name: topic,
        partitions: [
          { partitionIndex: 0, offset: 2 },
          { partitionIndex: 2, offset: -5 },
        ],
      },
    ]);
    assert.equal(
      again.topics[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode, p.lowWatermark]),
      [
        [0, ErrorCode.NONE, 4],
        [2, ErrorCode.OFFSET_OUT_OF_RANGE, -1],
      ],
    );

    // Fetch: the new start is reported; a read at it gets the whole batch holding it; below it
    // is out of range. Partition 2 is untouched.
    const f = await fetchOnce(conn, topic, 0, 4);
    assert.is(f.errorCode, ErrorCode.NONE);
    assert.is(f.logStartOffset, 4);
    assert.is(readBatchHeader(f.records as Buffer, 0).baseOffset, 3);
    await expectFetchOutOfRange(topic, 0, 3);
    await expectFetchOutOfRange(topic, 1, 0);
    assert.is((await fetchOnce(conn, topic, 2, 0)).logStartOffset, 0);
    // ListOffsets, old and new versions.
    for (const v of [0, 1, conn.pick(ListOffsetsRequest)]) {
      assert.is((await listOffset(conn, topic, 0, EARLIEST, v)).offset, 4, `ListOffsets v${v} earliest`);
      assert.is((await listOffset(conn, topic, 1, EARLIEST, v)).offset, 4, `ListOffsets v${v} earliest, p1`);
    }
    // Produce answers carry the log start offset (v5+).
    const produced = await conn.send(ProduceRequest, ProduceResponse, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: buildBatch([{ key: null, value: Buffer.from('after') }]) }] }],
    });
    const pr = produced.responses[0]!.partitionResponses[0]!;
    assert.equal([pr.errorCode, pr.baseOffset, pr.logStartOffset], [ErrorCode.NONE, 12, 4]);
  });
}

test('whole segments below the new log start are deleted', async () => {
  const topic = 'dr-segments';
  // segment.ms=1: every produce that comes a little later rolls a new segment.
  await createTopic(conn, topic, 1, { 'segment.ms': '1' });
  for (let i = 0; i < 5; i++) {
    await produceBatches(topic, 0, 1, 2);
    await sleep(5);
  }
  const log = broker.logManager.get(topic, 0)!;
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [0, 2, 4, 6, 8],
  );
  const res = await deleteRecords(2, [{ name: topic, partitions: [{ partitionIndex: 0, offset: 5 }] }]);
  assert.equal(res.topics[0]!.partitions[0]!.lowWatermark, 5);
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [4, 6, 8],
  );
  const f = await fetchOnce(conn, topic, 0, 5);
  assert.is(readBatchHeader(f.records as Buffer, 0).baseOffset, 4);
});

test('Kafka refuses internal topics (INVALID_TOPIC_EXCEPTION) and compacted ones (POLICY_VIOLATION)', async () => {
  const created = await conn.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [{ name: '__consumer_offsets', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
  });
  assert.ok([ErrorCode.NONE, ErrorCode.TOPIC_ALREADY_EXISTS].includes(created.topics[0]!.errorCode as 0));
  await createTopic(conn, 'dr-compacted', 1, { 'cleanup.policy': 'compact' });
  await createTopic(conn, 'dr-compact-delete', 1, { 'cleanup.policy': 'compact,delete' });
  for (const t of ['dr-compacted', 'dr-compact-delete']) await produceBatches(t, 0, 1, 3);
  const res = await deleteRecords(1, [
    { name: '__consumer_offsets', partitions: [{ partitionIndex: 0, offset: 0 }] },
    { name: 'dr-compacted', partitions: [{ partitionIndex: 0, offset: 1 }] },
    { name: 'dr-compact-delete', partitions: [{ partitionIndex: 0, offset: 1 }] },
  ]);
  assert.equal(
    res.topics.map((t) => [t.name, t.partitions[0]!.errorCode, t.partitions[0]!.lowWatermark]),
    [
      ['__consumer_offsets', ErrorCode.INVALID_TOPIC_EXCEPTION, -1],
      ['dr-compacted', ErrorCode.POLICY_VIOLATION, -1],
      ['dr-compact-delete', ErrorCode.NONE, 1],
    ],
  );
  assert.is((await listOffset(conn, 'dr-compacted', 0, EARLIEST)).offset, 0);
});

test('errorResponse names every partition with the error and no low watermark', () => {
  const req = {
    timeoutMs: 0,
    topics: [
      {
        name: 'a',
        partitions: [
          { partitionIndex: 0, offset: 1 },
          { partitionIndex: 3, offset: -1 },
        ],
      },
    ],
  };
  assert.equal(deleteRecordsHandler.errorResponse(req, ErrorCode.UNKNOWN_SERVER_ERROR, null as never), {
    topics: [
      {
        name: 'a',
        partitions: [
          { partitionIndex: 0, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR },
          { partitionIndex: 3, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR },
        ],
      },
    ],
  });
});

test('on disk the new log start offset is checkpointed at once and survives a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-dr-disk-'));
  dirs.push(dataDir);
  const topic = 'dr-disk';
  let b = await startBroker({ port: 0, logLevel: 'silent', dataDir });
  let c = await connectClient(b.bootstrap, 'delete-records-disk');
  try {
    await createTopic(c, topic, 2);
    await produceBatches(topic, 0, 5, 2, c); // 0-9
    await produceBatches(topic, 1, 2, 2, c); // 0-3
    const res = await deleteRecords(
      2,
      [
        {
          name: topic,
          partitions: [
            { partitionIndex: 0, offset: 7 },
            { partitionIndex: 1, offset: -1 },
          ],
        },
      ],
      c,
    );
    assert.equal(
      res.topics[0]!.partitions.map((p) => [p.errorCode, p.lowWatermark]),
      [
        [ErrorCode.NONE, 7],
        [ErrorCode.NONE, 4],
      ],
    );
    // Written before the answer: a crash right now would keep it.
    const checkpoint = readFileSync(join(b.logManager.logDirs[0]!, 'log-start-offset-checkpoint'), 'utf8');
    assert.match(checkpoint, `${topic} 0 7\n`);
    assert.match(checkpoint, `${topic} 1 4\n`);
  } finally {
    c.close();
    await b.close();
  }
  b = await startBroker({ port: 0, logLevel: 'silent', dataDir });
  c = await connectClient(b.bootstrap, 'delete-records-disk');
  try {
    assert.is((await listOffset(c, topic, 0, EARLIEST)).offset, 7);
    assert.is((await listOffset(c, topic, 0, LATEST)).offset, 10);
    assert.is((await listOffset(c, topic, 1, EARLIEST)).offset, 4);
    const f = await fetchOnce(c, topic, 0, 7);
    assert.is(f.errorCode, ErrorCode.NONE);
    assert.is(f.logStartOffset, 7);
    assert.is(readBatchHeader(f.records as Buffer, 0).baseOffset, 6);
    await expectFetchOutOfRange(topic, 0, 6, c);
    await expectFetchOutOfRange(topic, 1, 3, c);
    // Appends continue at the old end.
    const [r] = await produceRaw(c, topic, [{ index: 1, records: buildBatch([{ key: null, value: Buffer.from('x') }]) }]);
    assert.is(r!.baseOffset, 4);
  } finally {
    c.close();
    await b.close();
  }
});

test.run();
