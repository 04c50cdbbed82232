// The leader's record validation (issue 11, items 1-3), through a real samsa broker (in memory)
// and raw batches from samsa's own client, since no real client sends these inputs:
// - a header maxTimestamp that disagrees with the records (Long.MAX, years ahead) is replaced by
//   the records' largest timestamp, as Kafka's LogValidator does, in plain and compressed batches;
//   on a LogAppendTime topic it becomes the append time;
// - a compressed batch's records are decompressed and validated: a record timestamp out of range
//   is INVALID_TIMESTAMP naming that record (KIP-467), bytes that do not decompress are
//   CORRUPT_MESSAGE, decompressed bytes that are not records are INVALID_RECORD; large batches
//   are validated on the pool, with the same answers;
// - nothing of a refused batch is stored.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync } from 'node:zlib';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { buildBatch, type BuildRecord } from '../../src/protocol/records/build.js';
import { computeBatchCrc } from '../../src/protocol/records/stamp.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { CRC_OFFSET, MAX_TIMESTAMP_OFFSET, RECORDS_OFFSET, BATCH_LENGTH_OFFSET, ATTRIBUTES_OFFSET, LOG_OVERHEAD } from '../../src/protocol/records/layout.js';
import { compressBatch } from '../../src/compression/batch-codec.js';
import { INLINE_MAX_BYTES } from '../../src/workers/pool.js';
import { connectClient, createTopic, fetchAll, listOffset, produceRaw, LATEST, MAX_TIMESTAMP } from '../data-path/helpers.js';

const LONG_MAX = 2n ** 63n - 1n;
const YEAR = 365 * 24 * 3600_000;
let broker: Broker;
let client: ClientConnection;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  client = await connectClient(broker.bootstrap);
  await createTopic(client, 'ct', 1);
  await createTopic(client, 'lat', 1, { 'message.timestamp.type': 'LogAppendTime' });
  await createTopic(client, 'bad', 8);
});

test.after(async () => {
  client?.close();
  await broker?.close();
});

function recs(n: number, t0: number, prefix = 'r'): BuildRecord[] {
  return Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`${prefix}${i}`), value: Buffer.from(`value-${prefix}-${i}`), timestamp: t0 + i }));
}

/** Sets the header's maxTimestamp and fixes the CRC: only the header lies. */
function withHeaderMax(b: Buffer, maxTimestamp: bigint): Buffer {
  b.writeBigInt64BE(maxTimestamp, MAX_TIMESTAMP_OFFSET);
  b.writeUInt32BE(computeBatchCrc(b, 0), CRC_OFFSET);
  return b;
}

/** A batch whose records section is `records` as given, flagged with `codec`, CRC correct. */
function flagged(codec: number, records: Buffer, like: Buffer): Buffer {
  const b = Buffer.concat([like.subarray(0, RECORDS_OFFSET), records]);
  b.writeInt32BE(b.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  b[ATTRIBUTES_OFFSET + 1] = (b[ATTRIBUTES_OFFSET + 1]! & ~7) | codec;
  b.writeUInt32BE(computeBatchCrc(b, 0), CRC_OFFSET);
  return b;
}

async function produceOne(topic: string, partition: number, batch: Buffer) {
  const [r] = await produceRaw(client, topic, [{ index: partition, records: batch }], { acks: -1 });
  return r!;
}

async function lastBatchHeader(topic: string, partition: number) {
  const all = await fetchAll(client, topic, partition);
  return all.batches[all.batches.length - 1]!.header;
}

test("header maxTimestamp Long.MAX or years ahead: stored as the records' largest timestamp (plain and compressed)", async () => {
  const t0 = Date.now() - 1000;
  let expectedOffset = 0;
  for (const [label, header] of [
    ['Long.MAX', LONG_MAX],
    ['ten years ahead', BigInt(t0 + 10 * YEAR)],
    ['-1', -1n],
  ] as const) {
    for (const codec of [0, 1, 3, 4] as const) {
      const plain = buildBatch(recs(3, t0));
      const batch = withHeaderMax(codec === 0 ? plain : await compressBatch(plain, codec), header);
      const r = await produceOne('ct', 0, batch);
      assert.equal([r.errorCode, r.errorMessage, r.baseOffset], [0, null, expectedOffset], `${label}, codec ${codec}`);
      expectedOffset += 3;
      const h = await lastBatchHeader('ct', 0);
      assert.is(h.maxTimestamp, t0 + 2, `${label}, codec ${codec}: the records' largest timestamp`);
      assert.is(h.compression, codec);
    }
  }
  // The log's max timestamp is a real one: ListOffsets -3 (KIP-734) names it.
  const m = await listOffset(client, 'ct', 0, MAX_TIMESTAMP);
  assert.is(m.timestamp, t0 + 2);
});

test('LogAppendTime topic: maxTimestamp is the append time whatever the header says', async () => {
  const before = Date.now();
  const r = await produceOne('lat', 0, withHeaderMax(await compressBatch(buildBatch(recs(2, before - 5000)), 3), LONG_MAX));
  assert.is(r.errorCode, 0);
  const h = await lastBatchHeader('lat', 0);
  assert.is(h.timestampType, 'LogAppendTime');
  assert.ok(h.maxTimestamp >= before && h.maxTimestamp <= Date.now(), `append time, got ${h.maxTimestamp}`);
});

test('compressed batch with records out of the timestamp window: INVALID_TIMESTAMP naming each record', async () => {
  const now = Date.now();
  const records = [
    ...recs(2, now),
    { key: Buffer.from('late'), value: null, timestamp: now + 2 * 3600_000 },
    ...recs(1, now, 'x'),
    { key: Buffer.from('later'), value: null, timestamp: now + YEAR },
  ];
  for (const codec of [1, 2, 3, 4] as const) {
    // The header says nothing is wrong: base and max timestamp inside the window.
    const batch = withHeaderMax(await compressBatch(buildBatch(records), codec), BigInt(now));
    const r = await produceOne('bad', 0, batch);
    assert.is(r.errorCode, ErrorCode.INVALID_TIMESTAMP, `codec ${codec}`);
    assert.is(r.errorMessage, 'One or more records have been rejected due to invalid timestamp');
    assert.equal(
      r.recordErrors.map((e) => e.batchIndex),
      [2, 4],
      `codec ${codec}`,
    );
    assert.match(
      r.recordErrors[0]!.batchIndexErrorMessage ?? '',
      /^Timestamp \d+ of message with offset 2 is out of range\. The timestamp should be within \[[^,]+, \d+\]$/,
    );
  }
  assert.is((await listOffset(client, 'bad', 0, LATEST)).offset, 0, 'nothing was stored');
});

test('flagged compressed but holding plain records: CORRUPT_MESSAGE, nothing stored, the good partition of the request appended', async () => {
  const plain = buildBatch(recs(4, Date.now()));
  for (const codec of [1, 2, 3, 4]) {
    const liar = flagged(codec, plain.subarray(RECORDS_OFFSET), plain);
    const res = await produceRaw(
      client,
      'bad',
      [
        { index: 1, records: liar },
        { index: 2, records: buildBatch(recs(1, Date.now())) },
      ],
      { acks: -1 },
    );
    // snappy's raw format has no header: plain record bytes may not even decode; either way the
    // batch is refused as Kafka refuses it (CORRUPT_MESSAGE when the codec fails).
    assert.is(res[0]!.errorCode, ErrorCode.CORRUPT_MESSAGE, `codec ${codec}: ${res[0]!.errorMessage}`);
    assert.is(res[1]!.errorCode, 0);
  }
  assert.is((await listOffset(client, 'bad', 1, LATEST)).offset, 0, 'nothing of the bad batches was stored');
  assert.is((await listOffset(client, 'bad', 2, LATEST)).offset, 4);
});

test('decompresses fine but the bytes are not the declared records: INVALID_RECORD', async () => {
  const plain = buildBatch(recs(3, Date.now()));
  const garbage = flagged(1, gzipSync(Buffer.from('these bytes are not record batch records at all')), plain);
  let r = await produceOne('bad', 3, garbage);
  assert.is(r.errorCode, ErrorCode.INVALID_RECORD, r.errorMessage ?? '');
  // Fewer records than declared (premature EOF), and bytes left after them.
  const two = buildBatch(recs(2, Date.now())).subarray(RECORDS_OFFSET);
  r = await produceOne('bad', 3, flagged(1, gzipSync(two), plain));
  assert.is(r.errorCode, ErrorCode.INVALID_RECORD);
  assert.match(r.errorMessage ?? '', /premature EOF/);
  const four = buildBatch(recs(4, Date.now())).subarray(RECORDS_OFFSET);
  r = await produceOne('bad', 3, flagged(1, gzipSync(four), plain));
  assert.is(r.errorCode, ErrorCode.INVALID_RECORD);
  assert.is((await listOffset(client, 'bad', 3, LATEST)).offset, 0);
});

test('large batches are validated on the pool with the same answers', async () => {
  const now = Date.now();
  const many = Array.from({ length: 400 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(300, i), timestamp: now }));
  const plain = buildBatch(many);
  assert.ok(plain.length > INLINE_MAX_BYTES.decompress[1]! * 4, 'above the inline threshold');
  // Plain bytes flagged gzip, and a gzip batch with one record years ahead.
  let r = await produceOne('bad', 4, flagged(1, plain.subarray(RECORDS_OFFSET), plain));
  assert.is(r.errorCode, ErrorCode.CORRUPT_MESSAGE);
  many[399]!.timestamp = now + YEAR;
  r = await produceOne('bad', 4, withHeaderMax(await compressBatch(buildBatch(many), 1), BigInt(now)));
  assert.is(r.errorCode, ErrorCode.INVALID_TIMESTAMP);
  assert.equal(
    r.recordErrors.map((e) => e.batchIndex),
    [399],
  );
  many[399]!.timestamp = now + 7;
  r = await produceOne('bad', 4, withHeaderMax(await compressBatch(buildBatch(many), 1), LONG_MAX));
  assert.is(r.errorCode, 0);
  assert.is((await lastBatchHeader('bad', 4)).maxTimestamp, now + 7);
});

test('a compressed batch with inner offsets out of order is rebuilt 0..n-1, as Kafka rebuilds it', async () => {
  const plain = buildBatch(recs(3, Date.now()));
  // Swap the offsetDelta of records 0 and 1 by rebuilding records with wrong deltas: record i
  // at offsetDelta i + 1 is enough for Kafka to rebuild (LogValidator: inPlaceAssignment false).
  const body = Buffer.from(plain.subarray(RECORDS_OFFSET));
  // Record 0 starts with its length varint (1 byte here), attributes, timestampDelta (1 byte: 0),
  // then offsetDelta: zig-zag 0 -> 0x00; make it 5 (0x0a), same length.
  assert.is(body[3], 0);
  body[3] = 0x0a;
  const r = await produceOne('bad', 5, flagged(1, gzipSync(body), plain));
  assert.is(r.errorCode, 0, r.errorMessage ?? '');
  const all = await fetchAll(client, 'bad', 5);
  assert.equal(
    all.records.map((x) => x.offset),
    [0, 1, 2],
  );
  assert.equal(
    all.records.map((x) => x.key?.toString()),
    ['r0', 'r1', 'r2'],
  );
  assert.is(readBatchHeader(all.batches[0]!.bytes, 0).lastOffsetDelta, 2);
});

test.run();
