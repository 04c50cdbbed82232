// PartitionLog.appendAsLeader through its own API (issue 12): every outcome is one result value
// (never a thrown KafkaError), an uncompressed batch is appended synchronously (no promise: the
// hot path has no await), recompression for compression.type returns a promise of the same
// result, duplicates of an idempotent producer get their original offsets, and transactional
// batches are judged by the verifier given in the context (storage does not know the
// coordinator). Both engines.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { ErrorCode } from '../../src/errors.js';
import { LogManager } from '../../src/storage/log-manager.js';
import type { PartitionLog, LeaderAppendContext, LeaderAppendResult } from '../../src/storage/partition-log.js';
import type { TopicState } from '../../src/cluster/topic.js';
import { compressBatch } from '../../src/compression/batch-codec.js';
import { buildBatch, type BuildOptions } from '../../src/protocol/records/build.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { ATTRIBUTES_OFFSET, COMPRESSION_MASK } from '../../src/protocol/records/layout.js';
import { xorByte } from '../byte-edits.js';

const silent = createLogger('silent');
const roots: string[] = [];
const managers: LogManager[] = [];
let seq = 0;

function open(engine: 'disk' | 'memory', configs: Record<string, string> = {}): PartitionLog {
  const root = mkdtempSync(join(tmpdir(), 'samsa-leader-'));
  roots.push(root);
  const manager = new LogManager(engine, [root], BrokerConfig.load({}), silent);
  managers.push(manager);
  const topic: TopicState = {
    name: `l${++seq}`,
    id: `leader-id-${seq}`.padEnd(22, 'x'),
    partitions: [{ partition: 0, leader: 1, leaderEpoch: 3, replicas: [1], isr: [1] }],
    configs,
    internal: false,
  };
  manager.partitionsCreated(topic, topic.partitions);
  return manager.get(topic.name, 0)!;
}

const verified: Array<[number, number, string, number]> = [];
let verdict: number = ErrorCode.NONE;
const verifier = {
  verifyProduce(producerId: number, epoch: number, topic: string, partition: number): number {
    verified.push([producerId, epoch, topic, partition]);
    return verdict;
  },
};

function ctx(o: Partial<LeaderAppendContext> = {}): LeaderAppendContext {
  return { leaderEpoch: 3, apiVersion: 9, requiredAcks: 1, inSyncReplicas: 1, now: Date.now(), txnVerifier: verifier, ...o };
}

function batch(count: number, o: BuildOptions = {}): Buffer {
  return buildBatch(
    Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(200, 97 + i) })),
    o,
  );
}

// The synchronous result of an append that must not wait.
function sync(r: LeaderAppendResult | Promise<LeaderAppendResult>): LeaderAppendResult {
  assert.not.instance(r, Promise, 'answered without a promise');
  return r as LeaderAppendResult;
}

test.after(async () => {
  for (const m of managers) await m.close().catch(() => undefined);
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

for (const engine of ['disk', 'memory'] as const) {
  test(`${engine}: an uncompressed batch is appended synchronously, stamped with offsets and the leader epoch`, async () => {
    const log = open(engine);
    const r1 = sync(log.appendAsLeader(batch(3), ctx()));
    const records = batch(2);
    const r2 = sync(log.appendAsLeader(records, ctx()));
    assert.equal([r1.errorCode, r1.baseOffset, r1.lastOffset, r2.baseOffset, r2.lastOffset, r2.duplicate], [0, 0, 2, 3, 4, false]);
    const h = readBatchHeader(records, 0);
    assert.equal([h.baseOffset, h.partitionLeaderEpoch], [3, 3], 'stamped in place');
    await log.waitDurable(r2.lastOffset);
    assert.is(log.highWatermark, 5);
  });

  test(`${engine}: every refusal is a result, not a throw`, () => {
    const log = open(engine, { 'min.insync.replicas': '2' });
    const corrupt = batch(1);
    xorByte(corrupt, corrupt.length - 1, 1);
    assert.is(sync(log.appendAsLeader(corrupt, ctx())).errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.is(sync(log.appendAsLeader(null, ctx())).errorCode, ErrorCode.INVALID_RECORD);
    const notEnough = sync(log.appendAsLeader(batch(1), ctx({ requiredAcks: -1, inSyncReplicas: 1 })));
    assert.is(notEnough.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
    assert.match(notEnough.errorMessage ?? '', /min.isr requirement of 2/);
    const first = sync(log.appendAsLeader(batch(1, { producerId: 9, producerEpoch: 0, baseSequence: 0 }), ctx()));
    const gap = sync(log.appendAsLeader(batch(1, { producerId: 9, producerEpoch: 0, baseSequence: 5 }), ctx()));
    assert.is(first.errorCode, ErrorCode.NONE);
    assert.is(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.is(log.logEndOffset, 1, 'only the valid batch was appended');
  });

  test(`${engine}: a retried idempotent batch gets its original offsets`, () => {
    const log = open(engine);
    sync(log.appendAsLeader(batch(2), ctx()));
    const a = sync(log.appendAsLeader(batch(3, { producerId: 4, producerEpoch: 1, baseSequence: 0 }), ctx()));
    const again = sync(log.appendAsLeader(batch(3, { producerId: 4, producerEpoch: 1, baseSequence: 0 }), ctx()));
    assert.equal([again.duplicate, again.baseOffset, again.lastOffset], [true, a.baseOffset, a.lastOffset]);
    assert.is(log.logEndOffset, 5);
  });

  test(`${engine}: transactional batches are judged by the verifier in the context`, () => {
    const log = open(engine);
    verified.length = 0;
    verdict = ErrorCode.INVALID_TXN_STATE;
    const refused = sync(log.appendAsLeader(batch(1, { producerId: 11, producerEpoch: 2, baseSequence: 0, transactional: true }), ctx()));
    assert.is(refused.errorCode, ErrorCode.INVALID_TXN_STATE);
    assert.equal(verified, [[11, 2, log.topic, 0]]);
    verdict = ErrorCode.NONE;
    assert.is(sync(log.appendAsLeader(batch(1, { producerId: 11, producerEpoch: 2, baseSequence: 0, transactional: true }), ctx())).errorCode, ErrorCode.NONE);
    // A plain batch from a producer with a transaction open here (ProducerAppendInfo).
    assert.is(sync(log.appendAsLeader(batch(1, { producerId: 11, producerEpoch: 2, baseSequence: 1 }), ctx())).errorCode, ErrorCode.INVALID_TXN_STATE);
  });

  test(`${engine}: compression.type recompresses: a promise of the same result type`, async () => {
    const log = open(engine, { 'compression.type': 'gzip' });
    const pending = log.appendAsLeader(batch(4), ctx());
    assert.instance(pending, Promise);
    const r = await pending;
    assert.equal([r.errorCode, r.baseOffset, r.lastOffset], [0, 0, 3]);
    await log.waitDurable(r.lastOffset);
    const read = await log.read(0, 1 << 20, true);
    assert.is(read.buffers[0]![ATTRIBUTES_OFFSET + 1]! & COMPRESSION_MASK, 1, 'stored with gzip');
  });

  test(`${engine}: a zstd topic takes an uncompressed batch from Produce v6: the v7 gate is on what the producer sent`, async () => {
    const log = open(engine, { 'compression.type': 'zstd' });
    const r = await log.appendAsLeader(batch(2), ctx({ apiVersion: 6 }));
    assert.is(r.errorCode, ErrorCode.NONE, 'the gate is about what the producer sent, not the topic codec');
  });

  test(`${engine}: a zstd batch needs Produce v7 (KIP-110)`, async () => {
    const log = open(engine);
    const old = await log.appendAsLeader(await compressBatch(batch(2), 4), ctx({ apiVersion: 6 }));
    assert.is(old.errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    assert.is(log.logEndOffset, 0);
    const v7 = await log.appendAsLeader(await compressBatch(batch(2), 4), ctx({ apiVersion: 7 }));
    assert.equal([v7.errorCode, v7.lastOffset], [0, 1]);
  });
}

test.run();
