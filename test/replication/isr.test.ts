// The ISR and acks (issue 13): with min.insync.replicas=2 and both followers of an RF=3 partition
// stopped, acks=all is refused before the append (NOT_ENOUGH_REPLICAS) while acks=1 still
// succeeds; the restarted followers catch up, the leader adds them back to the ISR, and acks=all
// succeeds again. A follower held back leaves the ISR after replica.lag.time.max.ms.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCluster } from '../../src/index.js';
import { ErrorCode } from '../../src/errors.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { connectClient, produceRaw } from '../data-path/helpers.js';
import { partitionState, replicasInSync, storedBytes, until } from './helpers.js';

const batch = (n: number, tag: string) => buildBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`${tag}-${i}`) })));

test('min.insync.replicas=2: followers down -> NOT_ENOUGH_REPLICAS; back -> the ISR grows and acks=all succeeds', async () => {
  const cluster = await startCluster({ brokers: 3, config: { 'min.insync.replicas': 2 } });
  let c: Awaited<ReturnType<typeof connectClient>> | null = null;
  try {
    await cluster.broker(0).metadata.createTopicAsync({ name: 'isr', numPartitions: 1, replicationFactor: 3 });
    const p = partitionState(cluster, 0, 'isr', 0);
    const leader = p.leader;
    const followers = p.replicas.filter((id) => id !== leader);
    c = await connectClient(`127.0.0.1:${cluster.broker(leader).port}`);
    let r = await produceRaw(c, 'isr', [{ index: 0, records: batch(3, 'a') }], { acks: -1 });
    assert.is(r[0]!.errorCode, ErrorCode.NONE);
    for (const id of followers) await cluster.stopBroker(id);
    await until('followers out of the ISR', () => partitionState(cluster, leader, 'isr', 0).isr.length === 1);
    r = await produceRaw(c, 'isr', [{ index: 0, records: batch(2, 'b') }], { acks: -1 });
    assert.is(r[0]!.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
    const log = cluster.broker(leader).logManager.get('isr', 0)!;
    assert.is(log.logEndOffset, 3, 'nothing appended on NOT_ENOUGH_REPLICAS');
    r = await produceRaw(c, 'isr', [{ index: 0, records: batch(2, 'c') }], { acks: 1 });
    assert.is(r[0]!.errorCode, ErrorCode.NONE);
    assert.is(r[0]!.baseOffset, 3);
    for (const id of followers) await cluster.startBroker(id);
    await until('the ISR grown back', () => partitionState(cluster, leader, 'isr', 0).isr.length === 3);
    r = await produceRaw(c, 'isr', [{ index: 0, records: batch(4, 'd') }], { acks: -1 });
    assert.is(r[0]!.errorCode, ErrorCode.NONE);
    assert.is(r[0]!.baseOffset, 5);
    // acks=all answered only once the whole ISR had the records.
    for (const id of followers)
      assert.ok(cluster.broker(id).logManager.get('isr', 0)!.logEndOffset >= 9, `follower ${id} had the records when acks=all was answered`);
    await replicasInSync(cluster, 'isr', 0);
    const expected = await storedBytes(cluster.broker(leader), 'isr', 0);
    for (const id of followers) assert.ok((await storedBytes(cluster.broker(id), 'isr', 0)).equals(expected));
  } finally {
    c?.close();
    await cluster.close();
  }
});

test('a follower that stops fetching leaves the ISR after replica.lag.time.max.ms; the high watermark then moves without it', async () => {
  const cluster = await startCluster({ brokers: 3, config: { 'replica.lag.time.max.ms': 600 } });
  let c: Awaited<ReturnType<typeof connectClient>> | null = null;
  try {
    await cluster.broker(0).metadata.createTopicAsync({ name: 'lag', numPartitions: 1, replicationFactor: 3 });
    const p = partitionState(cluster, 0, 'lag', 0);
    const leader = p.leader;
    const [held, other] = p.replicas.filter((id) => id !== leader) as [number, number];
    c = await connectClient(`127.0.0.1:${cluster.broker(leader).port}`);
    assert.is((await produceRaw(c, 'lag', [{ index: 0, records: batch(2, 'a') }], { acks: -1 }))[0]!.errorCode, ErrorCode.NONE);
    await cluster.broker(held).replicaManager!.holdFetching(true);
    // The held follower is still in the ISR: acks=all waits until it is dropped, then succeeds.
    const r = await produceRaw(c, 'lag', [{ index: 0, records: batch(2, 'b') }], { acks: -1, timeoutMs: 20_000 });
    assert.is(r[0]!.errorCode, ErrorCode.NONE);
    assert.equal([...partitionState(cluster, leader, 'lag', 0).isr].sort(), [leader, other].sort());
    assert.is(cluster.broker(held).logManager.get('lag', 0)!.logEndOffset, 2, 'the held follower did not fetch');
    await cluster.broker(held).replicaManager!.holdFetching(false);
    await until('the held follower back in the ISR', () => partitionState(cluster, leader, 'lag', 0).isr.length === 3);
  } finally {
    c?.close();
    await cluster.close();
  }
});

test('acks=all waiting while the ISR shrinks below min.insync.replicas: NOT_ENOUGH_REPLICAS_AFTER_APPEND, the records stay', async () => {
  const cluster = await startCluster({ brokers: 3, config: { 'min.insync.replicas': 2, 'replica.lag.time.max.ms': 600 } });
  let c: Awaited<ReturnType<typeof connectClient>> | null = null;
  try {
    await cluster.broker(0).metadata.createTopicAsync({ name: 'after', numPartitions: 1, replicationFactor: 3 });
    const p = partitionState(cluster, 0, 'after', 0);
    const followers = p.replicas.filter((id) => id !== p.leader);
    c = await connectClient(`127.0.0.1:${cluster.broker(p.leader).port}`);
    assert.is((await produceRaw(c, 'after', [{ index: 0, records: batch(1, 'a') }], { acks: -1 }))[0]!.errorCode, ErrorCode.NONE);
    await replicasInSync(cluster, 'after', 0);
    // Both followers stop fetching but stay in the ISR for now: the append is allowed, and the
    // answer waits until they are dropped, which leaves the ISR below min.insync.replicas.
    for (const id of followers) await cluster.broker(id).replicaManager!.holdFetching(true);
    const r = await produceRaw(c, 'after', [{ index: 0, records: batch(2, 'b') }], { acks: -1, timeoutMs: 20_000 });
    assert.is(r[0]!.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    assert.equal(partitionState(cluster, p.leader, 'after', 0).isr, [p.leader]);
    assert.is(cluster.broker(p.leader).logManager.get('after', 0)!.logEndOffset, 3, 'the records were appended');
  } finally {
    c?.close();
    await cluster.close();
  }
});

test.run();
