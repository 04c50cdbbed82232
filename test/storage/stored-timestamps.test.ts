// Storage takes any value a stored batch may hold (issue 11, item 1): the time index and the
// producer snapshot take Long.MAX and Long.MIN timestamps (a Long.MAX header reads back as 2^63,
// which writeBigInt64BE refused), the offset index leaves out an entry its int32 fields cannot
// hold instead of throwing, and PartitionLog.append refuses a bad batch list before changing
// anything: offsets, segment size and max timestamp stay as they were.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TimeIndex, OffsetIndex, TIME_ENTRY } from '../../src/storage/offset-index.js';
import { toInt64 } from '../../src/protocol/records/int64.js';
import { BrokerConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { ErrorCode, KafkaError } from '../../src/errors.js';
import { LogManager } from '../../src/storage/log-manager.js';
import type { TopicState } from '../../src/cluster/topic.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { stampBatch } from '../../src/protocol/records/stamp.js';
import { ProducerStateManager } from '../../src/storage/producer-state.js';

const LONG_MAX_AS_NUMBER = 2 ** 63; // what reading Long.MAX into a JS number gives

test('toInt64 clamps to the int64 range', () => {
  assert.is(toInt64(LONG_MAX_AS_NUMBER), 2n ** 63n - 1n);
  assert.is(toInt64(-(2 ** 63)), -(2n ** 63n));
  assert.is(toInt64(1e30), 2n ** 63n - 1n);
  assert.is(toInt64(-1), -1n);
  assert.is(toInt64(1_700_000_000_123), 1_700_000_000_123n);
  assert.is(toInt64(Number.NaN), -1n);
});

test('time index: Long.MAX and Long.MIN are indexed, written and loaded back', () => {
  const t = new TimeIndex(100);
  t.append(-(2 ** 63), 100);
  t.append(1_700_000_000_000, 105);
  t.append(LONG_MAX_AS_NUMBER, 110);
  t.append(LONG_MAX_AS_NUMBER, 111); // not larger: no entry
  assert.is(t.count, 3);
  const pending = Buffer.concat(t.takePending());
  assert.is(pending.length, 3 * TIME_ENTRY);
  assert.is(pending.readBigInt64BE(2 * TIME_ENTRY), 2n ** 63n - 1n);
  const file = t.toBuffer();
  assert.ok(file.equals(pending));
  const back = new TimeIndex(100);
  assert.ok(back.load(file, 200));
  assert.is(back.lastTimestamp, LONG_MAX_AS_NUMBER);
  assert.is(back.lastOffset, 110);
});

test('offset and time index: an entry the int32 fields cannot hold is left out, nothing throws', () => {
  const o = new OffsetIndex(0);
  o.append(10, 0);
  o.append(2 ** 31 + 5, 4096); // relative offset past int32
  o.append(20, 2 ** 31); // position past int32
  assert.is(o.count, 1);
  assert.is(Buffer.concat(o.takePending()).length, 8);
  const t = new TimeIndex(0);
  t.append(5, 2 ** 32);
  assert.is(t.count, 0);
});

test('producer snapshot: a Long.MAX batch timestamp is written and read back', () => {
  const p = new ProducerStateManager('t-0');
  p.update(7, 0, { firstSeq: 0, lastSeq: 1, firstOffset: 3, lastOffset: 4, timestamp: LONG_MAX_AS_NUMBER }, false);
  const snap = p.toSnapshot();
  const q = new ProducerStateManager('t-0');
  assert.ok(q.loadSnapshot(snap));
});

test('PartitionLog.append: a bad batch list changes nothing (disk and memory)', async () => {
  for (const engine of ['disk', 'memory'] as const) {
    const root = mkdtempSync(join(tmpdir(), 'samsa-stored-ts-'));
    const manager = new LogManager(engine, [root], BrokerConfig.load({}), createLogger('silent'));
    const topic: TopicState = {
      name: `ts-${engine}`,
      id: `topic-id-ts-${engine}`.padEnd(22, 'x'),
      partitions: [{ partition: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1] }],
      configs: {},
      internal: false,
    };
    manager.partitionsCreated(topic, topic.partitions);
    const log = manager.get(topic.name, 0)!;
    const now = Date.now();
    const first = buildBatch([{ key: null, value: Buffer.from('a'), timestamp: now }]);
    log.append(first, [{ position: 0, size: first.length, lastOffsetDelta: 0, maxTimestamp: now }], 0, now, stampBatch);
    const seg = log.activeSegment;
    const before = { leo: log.logEndOffset, size: seg.size, max: seg.maxTimestamp, index: seg.index.count, time: seg.timeIndex.count };
    // Two batches, the second one past the end of the buffer: refused before the first is stamped.
    const two = buildBatch([{ key: null, value: Buffer.from('b'), timestamp: now + 1 }]);
    try {
      log.append(
        two,
        [
          { position: 0, size: two.length, lastOffsetDelta: 0, maxTimestamp: LONG_MAX_AS_NUMBER },
          { position: two.length, size: two.length, lastOffsetDelta: 0, maxTimestamp: now },
        ],
        0,
        now,
        stampBatch,
      );
      assert.unreachable('the append should be refused');
    } catch (err) {
      assert.instance(err, KafkaError);
      assert.is((err as KafkaError).code, ErrorCode.CORRUPT_MESSAGE);
    }
    assert.equal({ leo: log.logEndOffset, size: seg.size, max: seg.maxTimestamp, index: seg.index.count, time: seg.timeIndex.count }, before, engine);
    assert.is(two.readBigInt64BE(0), 0n, 'the first batch was not stamped');
    // And a Long.MAX max timestamp appends.
    log.append(two, [{ position: 0, size: two.length, lastOffsetDelta: 0, maxTimestamp: LONG_MAX_AS_NUMBER }], 0, now, stampBatch);
    assert.is(log.logEndOffset, 2);
    assert.is(seg.maxTimestamp, LONG_MAX_AS_NUMBER);
    await manager.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
