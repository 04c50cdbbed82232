// A compacted topic refuses records without a key (Kafka's LogValidator.validateKey), in plain
// and compressed batches, naming the record; keyed batches are stored.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { compressBatch } from '../../src/compression/batch-codec.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';

const broker = await startBroker({ port: 0, logLevel: 'silent' });
const c = await ClientConnection.connect('127.0.0.1', broker.port);
await c.negotiate();
await c.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
  topics: [{ name: 'compacted', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
  timeoutMs: 5000,
});

async function produce(batch: Buffer) {
  const r = await c.send(ProduceRequest, ProduceResponse, 9, {
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: 'compacted', partitionData: [{ index: 0, records: batch }] }],
  });
  return r.responses[0]!.partitionResponses[0]!;
}

const records = [
  { key: Buffer.from('a'), value: Buffer.from('1') },
  { key: null, value: Buffer.from('no key') },
];

test('a keyless record is refused with INVALID_RECORD and its index', async () => {
  const p = await produce(buildBatch(records));
  assert.is(p.errorCode, 87);
  assert.match(p.errorMessage ?? '', /Compacted topic cannot accept message without key/);
  assert.equal(
    p.recordErrors.map((e) => e.batchIndex),
    [1],
  );
});

test('also inside a compressed batch', async () => {
  const p = await produce(await compressBatch(buildBatch(records), 1));
  assert.is(p.errorCode, 87);
  assert.equal(
    p.recordErrors.map((e) => e.batchIndex),
    [1],
  );
});

// KIP-467: Kafka names every keyless record, so a client fails only those (librdkafka fails the
// whole batch when a record it sent is not named). Plain and compressed, with Kafka's messages.
test("every keyless record is named in record_errors, with Kafka's partition message", async () => {
  const mixed = Array.from({ length: 7 }, (_, i) => ({ key: i % 3 === 0 ? Buffer.from(`k${i}`) : null, value: Buffer.from(`v${i}`) }));
  const each = 'Compacted topic cannot accept message without key in topic partition compacted-0.';
  for (const codec of [0, 1, 3] as const) {
    const plain = buildBatch(mixed);
    const p = await produce(codec === 0 ? plain : await compressBatch(plain, codec));
    assert.is(p.errorCode, 87, `codec ${codec}`);
    assert.equal(
      p.recordErrors.map((e) => e.batchIndex),
      [1, 2, 4, 5],
      `codec ${codec}`,
    );
    assert.ok(p.recordErrors.every((e) => e.batchIndexErrorMessage === each));
    assert.is(
      p.errorMessage,
      `One or more records have been rejected due to 4 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='${each}'), RecordError(batchIndex=2, message='${each}'), RecordError(batchIndex=4, message='${each}')]`,
    );
  }
});

test('keyless and out-of-window records together: INVALID_TIMESTAMP naming both (LogValidator.processRecordErrors)', async () => {
  const now = Date.now();
  const p = await produce(
    buildBatch([
      { key: null, value: Buffer.from('no key'), timestamp: now },
      { key: Buffer.from('b'), value: Buffer.from('late'), timestamp: now + 24 * 3600_000 },
      { key: Buffer.from('c'), value: Buffer.from('fine'), timestamp: now },
    ]),
  );
  assert.is(p.errorCode, 32);
  assert.is(p.errorMessage, 'One or more records have been rejected due to invalid timestamp');
  assert.equal(
    p.recordErrors.map((e) => e.batchIndex),
    [0, 1],
  );
  assert.match(p.recordErrors[0]!.batchIndexErrorMessage ?? '', /without key/);
  assert.match(p.recordErrors[1]!.batchIndexErrorMessage ?? '', /^Timestamp \d+ of message with offset 1 is out of range/);
});

test('keyed records are stored', async () => {
  const p = await produce(await compressBatch(buildBatch([records[0]!]), 4));
  assert.is(p.errorCode, 0);
  assert.is(p.baseOffset, 0, 'nothing of the refused batches was written');
});

test.after(async () => {
  c.close();
  await broker.close();
});

test.run();
