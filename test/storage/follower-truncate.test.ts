// PartitionLog.appendAsFollower, truncateTo and truncateFullyAndStartAt (issue 12): a follower's
// batches keep the leader's offsets and epochs, bad batches change nothing, and divergence is
// repaired by truncation: across a segment boundary, into a compacted segment (offset gaps, as a
// follower of a compacted leader holds them), never below the high watermark, and fully. Both
// engines; on disk the result survives a restart.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { ErrorCode, KafkaError } from '../../src/errors.js';
import { LogManager } from '../../src/storage/log-manager.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import type { TopicState } from '../../src/cluster/topic.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { stampBatch } from '../../src/protocol/records/stamp.js';
import { markerKey, markerValue } from '../../src/txn/markers.js';
import { xorByte } from '../byte-edits.js';

type Engine = 'disk' | 'memory';
const ENGINES: Engine[] = ['disk', 'memory'];
const silent = createLogger('silent');
const roots: string[] = [];
const managers: LogManager[] = [];
let seq = 0;

function open(
  engine: Engine,
  configs: Record<string, string> = {},
  reuse?: { root: string; topic: TopicState },
): { root: string; manager: LogManager; log: PartitionLog; topic: TopicState } {
  const root = reuse?.root ?? mkdtempSync(join(tmpdir(), 'samsa-follower-'));
  if (!reuse) roots.push(root);
  const manager = new LogManager(engine, [root], BrokerConfig.load({}), silent);
  managers.push(manager);
  const topic: TopicState = reuse?.topic ?? {
    name: `f${++seq}`,
    id: `follower-id-${seq}`.padEnd(22, 'x'),
    partitions: [{ partition: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1] }],
    configs,
    internal: false,
  };
  if (!reuse) manager.partitionsCreated(topic, topic.partitions);
  return { root, manager, log: manager.get(topic.name, 0)!, topic };
}

// A leader's batch: `count` records stamped with `baseOffset` and `epoch`, as a fetch returns it.
function leaderBatch(baseOffset: number, count: number, epoch: number, o: { producerId?: number; baseSequence?: number } = {}): Buffer {
  const b = buildBatch(
    Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`k${baseOffset + i}`), value: Buffer.alloc(20, 97 + (i % 26)) })),
    o.producerId !== undefined ? { producerId: o.producerId, producerEpoch: 0, baseSequence: o.baseSequence ?? 0 } : {},
  );
  stampBatch(b, 0, baseOffset, epoch);
  return b;
}

// Every batch from `offset` up to the log end (not only the high watermark), once written.
async function bases(log: PartitionLog, offset = log.logStartOffset): Promise<number[]> {
  await log.drainWrites();
  const r = await log.read(offset, 1 << 30, true, log.logEndOffset);
  const out: number[] = [];
  const bytes = Buffer.concat(r.buffers);
  for (let p = 0; p < bytes.length; p += readBatchHeader(bytes, p).size) out.push(readBatchHeader(bytes, p).baseOffset);
  return out;
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) assert.unreachable(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function rejects(fn: () => unknown, code: number, what: string): Promise<void> {
  try {
    await fn();
  } catch (err) {
    assert.instance(err, KafkaError, what);
    assert.is((err as KafkaError).code, code, `${what}: ${(err as Error).message}`);
    return;
  }
  assert.unreachable(`${what}: expected error ${code}`);
}

test.after(async () => {
  for (const m of managers) await m.close().catch(() => undefined);
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

for (const engine of ENGINES) {
  test(`${engine}: appendAsFollower keeps the leader's offsets and epochs; the high watermark is the leader's`, async () => {
    const { log } = open(engine);
    const info = log.appendAsFollower(Buffer.concat([leaderBatch(0, 3, 1), leaderBatch(3, 2, 2)]));
    assert.equal([info.baseOffset, info.lastOffset], [0, 4]);
    assert.is(log.logEndOffset, 5);
    assert.equal(await bases(log, 0), [0, 3]);
    assert.equal(log.endOffsetForEpoch(1), { leaderEpoch: 1, endOffset: 3 });
    assert.is(log.highWatermark, 0, 'not past the leader high watermark, unknown yet');
    log.updateFollowerHighWatermark(3);
    await until('high watermark 3', () => log.highWatermark === 3);
    log.appendAsFollower(leaderBatch(5, 1, 2));
    await bases(log, 0);
    assert.is(log.highWatermark, 3, 'a follower append does not move the high watermark');
  });

  test(`${engine}: appendAsFollower refuses a bad CRC, magic or offset and changes nothing`, async () => {
    const { log } = open(engine);
    log.appendAsFollower(leaderBatch(0, 2, 0));
    const corrupt = leaderBatch(2, 2, 0);
    xorByte(corrupt, corrupt.length - 1, 0xff);
    await rejects(() => log.appendAsFollower(corrupt), ErrorCode.CORRUPT_MESSAGE, 'CRC');
    const magic1 = leaderBatch(2, 2, 0);
    magic1[16] = 1;
    await rejects(() => log.appendAsFollower(magic1), ErrorCode.INVALID_RECORD, 'magic 1');
    await rejects(() => log.appendAsFollower(leaderBatch(1, 2, 0)), ErrorCode.OFFSET_OUT_OF_RANGE, 'below the log end');
    await rejects(() => log.appendAsFollower(Buffer.concat([leaderBatch(2, 2, 0), leaderBatch(3, 1, 0)])), ErrorCode.INVALID_RECORD, 'offsets going back');
    assert.is(log.appendAsFollower(Buffer.alloc(0)).baseOffset, -1, 'an empty fetch appends nothing');
    assert.is(log.logEndOffset, 2);
    assert.equal(await bases(log, 0), [0]);
    log.appendAsFollower(leaderBatch(2, 2, 0));
    assert.equal(await bases(log, 0), [0, 2]);
  });

  test(`${engine}: truncateTo across a segment boundary drops the later segments`, async () => {
    const env = open(engine, { 'segment.bytes': '300' });
    const { log } = env;
    for (let o = 0; o < 12; o += 2) log.appendAsFollower(leaderBatch(o, 2, o < 6 ? 1 : 2));
    await bases(log, 0);
    const before = log.segments.map((s) => s.baseOffset);
    assert.ok(before.length >= 3, `several segments: ${before}`);
    const boundary = before[1]!; // truncate to the start of the second segment
    log.updateFollowerHighWatermark(2);
    await until('high watermark 2', () => log.highWatermark === 2);
    await log.truncateTo(boundary);
    assert.is(log.logEndOffset, boundary);
    assert.equal(
      log.segments.map((s) => s.baseOffset),
      [before[0]!, boundary],
      'the segment at the cut stays, emptied',
    );
    assert.equal(
      await bases(log, 0),
      Array.from({ length: boundary / 2 }, (_, i) => i * 2),
    );
    assert.ok(log.endOffsetForEpoch(2).leaderEpoch !== 2, 'epoch 2 started after the cut: gone');
    if (engine === 'disk') {
      const logs = readdirSync(log.dir!)
        .filter((f) => f.endsWith('.log'))
        .map((f) => Number(f.slice(0, 20)));
      assert.equal(logs, [before[0]!, boundary], 'files of the dropped segments are gone');
    }
    log.appendAsFollower(leaderBatch(boundary, 3, 3));
    assert.equal((await bases(log, 0)).slice(-1), [boundary]);
    if (engine === 'disk') {
      await env.manager.close();
      const again = open('disk', {}, env);
      await again.manager.loadAll([env.topic]);
      const reloaded = again.manager.get(env.topic.name, 0)!;
      assert.is(reloaded.logEndOffset, boundary + 3, 'the truncation survives a restart');
      assert.equal((await bases(reloaded, 0)).slice(-2), [boundary - 2, boundary]);
    }
  });

  test(`${engine}: truncateTo into a compacted segment (offset gaps) ends the log at the offset`, async () => {
    const { log } = open(engine);
    log.appendAsFollower(Buffer.concat([leaderBatch(0, 2, 0), leaderBatch(10, 2, 0), leaderBatch(20, 2, 0)]));
    await bases(log, 0);
    log.updateFollowerHighWatermark(2);
    await until('high watermark 2', () => log.highWatermark === 2);
    await log.truncateTo(15);
    assert.is(log.logEndOffset, 15, 'the gap 12..14 is not data: the log ends at 15');
    assert.equal(await bases(log, 0), [0, 10]);
    await rejects(() => log.appendAsFollower(leaderBatch(14, 1, 0)), ErrorCode.OFFSET_OUT_OF_RANGE, 'below the new end');
    log.appendAsFollower(leaderBatch(15, 1, 1));
    assert.equal(await bases(log, 0), [0, 10, 15]);
    // A batch that straddles the offset goes whole.
    await log.truncateTo(11);
    assert.is(log.logEndOffset, 10);
    assert.equal(await bases(log, 0), [0]);
  });

  test(`${engine}: truncateTo below the high watermark is refused and changes nothing`, async () => {
    const { log } = open(engine);
    log.appendAsFollower(Buffer.concat([leaderBatch(0, 2, 0), leaderBatch(2, 2, 0), leaderBatch(4, 2, 0)]));
    log.updateFollowerHighWatermark(4);
    await until('high watermark 4', () => log.highWatermark === 4);
    await rejects(() => log.truncateTo(3), ErrorCode.OFFSET_OUT_OF_RANGE, 'below the high watermark');
    await rejects(() => log.truncateTo(0), ErrorCode.OFFSET_OUT_OF_RANGE, 'to zero');
    assert.is(log.logEndOffset, 6);
    assert.equal(await bases(log, 0), [0, 2, 4]);
    await log.truncateTo(4);
    assert.equal(await bases(log, 0), [0, 2]);
  });

  test(`${engine}: truncation forgets the producer state of the records it removes`, async () => {
    const { log } = open(engine);
    log.appendAsFollower(Buffer.concat([leaderBatch(0, 2, 0, { producerId: 7, baseSequence: 0 }), leaderBatch(2, 2, 0, { producerId: 7, baseSequence: 2 })]));
    await bases(log, 0);
    assert.equal(log.producers.check(7, 0, 2, 3), { kind: 'duplicate', firstOffset: 2, lastOffset: 3 });
    await log.truncateTo(2);
    assert.equal(log.producers.check(7, 0, 2, 3), { kind: 'append' }, 'the batch at 2 is gone: a new one may take its sequence');
  });

  test(`${engine}: a replicated abort marker fills the aborted-transaction index; truncating it reopens the transaction`, async () => {
    const { log } = open(engine);
    const data = buildBatch(
      [
        { key: Buffer.from('a'), value: Buffer.from('1') },
        { key: Buffer.from('b'), value: Buffer.from('2') },
      ],
      { producerId: 5, producerEpoch: 0, baseSequence: 0, transactional: true },
    );
    stampBatch(data, 0, 0, 1);
    const abort = buildBatch([{ key: markerKey(false), value: markerValue(0) }], {
      producerId: 5,
      producerEpoch: 0,
      baseSequence: -1,
      transactional: true,
      control: true,
    });
    stampBatch(abort, 0, 2, 1);
    log.appendAsFollower(data);
    assert.is(log.producers.ongoingTxnFirstOffset(5), 0, 'the transaction is open after its data');
    log.appendAsFollower(abort);
    assert.is(log.producers.ongoingTxnFirstOffset(5), -1, 'the marker ended it');
    assert.equal(
      log.abortedTxns.entries.map((e) => [e.producerId, e.firstOffset, e.lastOffset]),
      [[5, 0, 2]],
    );
    await bases(log, 0);
    if (engine === 'disk') assert.ok(readdirSync(log.dir!).includes('00000000000000000000.txnindex'));
    await log.truncateTo(2);
    assert.equal(log.abortedTxns.entries, [], 'the marker is gone, so is the aborted entry');
    assert.is(log.producers.ongoingTxnFirstOffset(5), 0, 'replayed: the transaction is open again');
    if (engine === 'disk') assert.not.ok(readdirSync(log.dir!).includes('00000000000000000000.txnindex'), '.txnindex rewritten');
  });

  test(`${engine}: truncateFullyAndStartAt empties the log and starts it at the offset`, async () => {
    const { log } = open(engine);
    log.appendAsFollower(Buffer.concat([leaderBatch(0, 2, 0), leaderBatch(2, 2, 1)]));
    log.updateFollowerHighWatermark(4);
    await until('high watermark 4', () => log.highWatermark === 4);
    await log.truncateFullyAndStartAt(100);
    assert.equal([log.logStartOffset, log.logEndOffset, log.highWatermark], [100, 100, 100]);
    assert.equal(
      log.segments.map((s) => s.baseOffset),
      [100],
    );
    assert.equal(log.epochs, []);
    log.appendAsFollower(leaderBatch(100, 2, 4));
    assert.equal(await bases(log, 100), [100]);
    if (engine === 'disk')
      assert.equal(
        readdirSync(log.dir!).filter((f) => f.endsWith('.log')),
        ['00000000000000000100.log'],
      );
  });
}

test.run();
