// What replication asks of a partition log (issue 13), on both engines: a leader's high watermark
// is capped by the ISR's log end (updateIsrEnd), acks=1 (waitWritten) does not wait for it while
// acks=all (waitDurable) does, losing the leadership answers the waiters NOT_LEADER_OR_FOLLOWER,
// a checkpointed high watermark is restored within the log, and a truncation below the high
// watermark happens only when asked for (an unclean election). And Kafka's truncation offsets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { ErrorCode, KafkaError } from '../../src/errors.js';
import { LogManager } from '../../src/storage/log-manager.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { stampBatch } from '../../src/protocol/records/stamp.js';
import { offsetTruncationState } from '../../src/replication/truncation.js';

const roots: string[] = [];
const managers: LogManager[] = [];
let seq = 0;

function open(engine: 'disk' | 'memory'): PartitionLog {
  const root = mkdtempSync(join(tmpdir(), 'samsa-roles-'));
  roots.push(root);
  const manager = new LogManager(engine, [root], BrokerConfig.load({}), createLogger('silent'));
  managers.push(manager);
  const topic = {
    name: `r${++seq}`,
    id: `roles-id-${seq}`.padEnd(22, 'x'),
    partitions: [{ partition: 0, leader: 0, leaderEpoch: 0, replicas: [0, 1], isr: [0, 1] }],
    configs: {},
    internal: false,
  };
  manager.partitionsCreated(topic, topic.partitions);
  return manager.get(topic.name, 0)!;
}

function leaderAppend(log: PartitionLog, count: number): number {
  const b = buildBatch(Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`) })));
  return log.append(b, [{ position: 0, size: b.length, lastOffsetDelta: count - 1, maxTimestamp: Date.now() }], 0, Date.now(), stampBatch).lastOffset;
}

for (const engine of ['disk', 'memory'] as const) {
  test(`${engine}: the ISR's log end caps a leader's high watermark; acks=1 waits for the write only`, async () => {
    const log = open(engine);
    log.makeLeader(-1); // a follower in the ISR whose position is not known yet
    const last = leaderAppend(log, 3);
    await log.waitWritten(last);
    assert.is(log.highWatermark, 0);
    let durable = false;
    const acksAll = log.waitDurable(last).then(() => (durable = true));
    log.updateIsrEnd(2);
    assert.is(log.highWatermark, 2);
    await new Promise((r) => setTimeout(r, 5));
    assert.not.ok(durable);
    log.updateIsrEnd(3);
    await acksAll;
    assert.is(log.highWatermark, 3);
    // Never past the leader's own log end, whatever the followers say.
    log.updateIsrEnd(10);
    assert.is(log.highWatermark, 3);
  });

  test(`${engine}: becoming a follower answers the producers still waiting with NOT_LEADER_OR_FOLLOWER`, async () => {
    const log = open(engine);
    log.makeLeader(0);
    const last = leaderAppend(log, 2);
    const waiting = log.waitDurable(last).then(
      () => null,
      (e: unknown) => e,
    );
    log.makeFollower();
    const err = await waiting;
    assert.ok(err instanceof KafkaError);
    assert.is((err as KafkaError).code, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  test(`${engine}: a checkpointed high watermark is restored within the log; truncation below it only when asked`, async () => {
    const log = open(engine);
    const last = leaderAppend(log, 5);
    await log.waitDurable(last);
    assert.is(log.highWatermark, 5);
    log.restoreHighWatermark(3);
    assert.is(log.highWatermark, 3);
    log.restoreHighWatermark(99);
    assert.is(log.highWatermark, 5);
    log.restoreHighWatermark(4);
    log.makeFollower();
    let refused: unknown = null;
    await log.truncateTo(2).catch((e: unknown) => (refused = e));
    assert.ok(refused instanceof KafkaError);
    assert.is(log.logEndOffset, 5, 'nothing truncated');
    // The batch holding offsets 0-4 straddles 2: it goes whole, and the high watermark with it.
    await log.truncateTo(2, true);
    assert.is(log.logEndOffset, 0);
    assert.is(log.highWatermark, 0);
  });
}

test("offsetTruncationState: Kafka's cases", () => {
  // The leader cannot place the epoch: to the high watermark.
  assert.equal(offsetTruncationState({ leaderEpoch: -1, endOffset: -1 }, { leaderEpoch: 2, endOffset: 50 }, 60, 40), { offset: 40, completed: true });
  // Same epoch on both sides: the smaller end.
  assert.equal(offsetTruncationState({ leaderEpoch: 2, endOffset: 45 }, { leaderEpoch: 2, endOffset: 50 }, 60, 40), { offset: 45, completed: true });
  // The follower does not know the leader's epoch: to its own end of the epoch below, and ask again.
  assert.equal(offsetTruncationState({ leaderEpoch: 3, endOffset: 70 }, { leaderEpoch: 2, endOffset: 50 }, 60, 40), { offset: 50, completed: false });
  // Never past the follower's log end.
  assert.equal(offsetTruncationState({ leaderEpoch: 2, endOffset: 80 }, { leaderEpoch: 2, endOffset: 80 }, 60, 40), { offset: 60, completed: true });
  // The follower has no epochs: the leader's end.
  assert.equal(offsetTruncationState({ leaderEpoch: 2, endOffset: 45 }, { leaderEpoch: -1, endOffset: -1 }, 60, 40), { offset: 45, completed: true });
});

test.after(async () => {
  for (const m of managers) await m.close();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

test.run();
