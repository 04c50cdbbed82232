// Coordinators in a cluster with a real client (kafkajs), issue 14: a consumer group on a
// 3-broker cluster consumes, and consumes again after its coordinator's broker is stopped (the
// group forms again on the new leader of its __consumer_offsets partition); a transaction whose
// partitions (and whose group's offsets partition) are led by other brokers than its coordinator
// commits through WriteTxnMarkers, and read_committed consumers see exactly the committed records.
// Replication does not exist yet on this branch: data topics here have one replica on brokers
// that stay up, so only coordinators move.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import kafkajs from 'kafkajs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../../src/broker/cluster.js';
import { TxnState } from '../../src/txn/txn-log.js';
import { partitionForKey } from '../../src/cluster/internal-topic.js';

const { Kafka, logLevel } = kafkajs;
const OFFSETS = '__consumer_offsets';
const TXN = '__transaction_state';

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// An id whose partition of `topic` is led by `nodeId`.
function idLedBy(cluster: Cluster, topic: string, nodeId: number, prefix: string): string {
  const t = cluster.brokers()[0]!.metadata.topic(topic)!;
  for (let i = 0; ; i++) {
    const id = `${prefix}-${i}`;
    if (t.partitions[partitionForKey(id, t.partitions.length)]!.leader === nodeId) return id;
  }
}

// The internal topics, made through the quorum as a first FindCoordinator would.
async function internalTopics(cluster: Cluster): Promise<void> {
  const b = cluster.broker(1);
  b.coordinator.ensureOffsetsTopic();
  b.txnCoordinator.ensureStateTopic();
  await until('internal topics on every broker', () => cluster.brokers().every((x) => x.metadata.topic(OFFSETS) && x.metadata.topic(TXN)));
}

test('a kafkajs consumer group consumes on a 3-broker cluster, and again after its coordinator is stopped', async () => {
  const cluster = await startCluster({ brokers: 3, config: { 'offsets.topic.num.partitions': 6, 'group.initial.rebalance.delay.ms': 0 } });
  const kafka = new Kafka({
    clientId: 'group-test',
    brokers: cluster.bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 },
  });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: 'placeholder' });
  let running = consumer;
  try {
    await internalTopics(cluster);
    // The data lives on brokers 1 and 2; the group's coordinator is broker 0.
    await cluster.broker(1).metadata.createTopicAsync({
      name: 'events',
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [
        { partition: 0, brokerIds: [1] },
        { partition: 1, brokerIds: [2] },
      ],
    });
    const groupId = idLedBy(cluster, OFFSETS, 0, 'orders-app');
    await producer.connect();
    const seen = new Set<string>();
    running = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 300,
      maxWaitTimeInMs: 100,
      retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500 },
    });
    await running.connect();
    await running.subscribe({ topic: 'events', fromBeginning: true });
    await running.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
    const first = Array.from({ length: 20 }, (_, i) => ({ value: `before-${i}`, partition: i % 2 }));
    await producer.send({ topic: 'events', messages: first });
    await until('the first records consumed', () => first.every((m) => seen.has(m.value)));
    assert.ok(cluster.broker(0).coordinator.group(groupId), 'broker 0 coordinates the group');

    await cluster.stopBroker(0);
    const newLeader = await until('the offsets partition moved', () => {
      const l = cluster.broker(1).metadata.topic(OFFSETS)!.partitions[partitionForKey(groupId, 6)]!.leader;
      return l > 0 ? l : null;
    });
    const second = Array.from({ length: 20 }, (_, i) => ({ value: `after-${i}`, partition: i % 2 }));
    await producer.send({ topic: 'events', messages: second });
    await until('the records produced after the stop consumed', () => second.every((m) => seen.has(m.value)));
    // The group lives on the new coordinator now.
    await until('the group on the new coordinator', () => cluster.broker(newLeader).coordinator.group(groupId)?.members.size === 1);
  } finally {
    await running.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await cluster.close();
  }
});

test('kafkajs transaction across brokers: markers through WriteTxnMarkers, read_committed sees exactly the committed records and offsets', async () => {
  const cluster = await startCluster({
    brokers: 3,
    config: { 'offsets.topic.num.partitions': 6, 'transaction.state.log.num.partitions': 6, 'group.initial.rebalance.delay.ms': 0 },
  });
  const kafka = new Kafka({ clientId: 'txn-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ transactionalId: 'placeholder' });
  let txnProducer = producer;
  try {
    await internalTopics(cluster);
    // The transaction's coordinator is broker 0; the output partitions are led by brokers 1 and
    // 2, and the offsets of the group it commits to by broker 2.
    const transactionalId = idLedBy(cluster, TXN, 0, 'tx');
    const groupId = idLedBy(cluster, OFFSETS, 2, 'eos-group');
    const md = cluster.broker(0).metadata;
    await md.createTopicAsync({
      name: 'out',
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [
        { partition: 0, brokerIds: [1] },
        { partition: 1, brokerIds: [2] },
      ],
    });
    await md.createTopicAsync({ name: 'in', numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 0, brokerIds: [1] }] });
    await until('topics everywhere', () => cluster.brokers().every((b) => b.metadata.topic('out') && b.metadata.topic('in')));
    await admin.connect();

    txnProducer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await txnProducer.connect();
    const t1 = await txnProducer.transaction();
    for (let p = 0; p < 2; p++)
      await t1.send({
        topic: 'out',
        messages: [
          { value: `c${p}a`, partition: p },
          { value: `c${p}b`, partition: p },
        ],
      });
    await t1.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '7' }] }] });
    await t1.commit();
    const t2 = await txnProducer.transaction();
    for (let p = 0; p < 2; p++) await t2.send({ topic: 'out', messages: [{ value: `x${p}`, partition: p }] });
    await t2.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '99' }] }] });
    await t2.abort();

    // The markers are in the leaders' logs: nothing is left open there.
    for (const [p, leader] of [
      [0, 1],
      [1, 2],
    ] as const) {
      const log = cluster.broker(leader).logManager.get('out', p)!;
      assert.is(log.lastStableOffset, log.logEndOffset, `out-${p} has no open transaction`);
    }
    // The committed offset reached the group's coordinator (broker 2) with the COMMIT marker; the
    // aborted one did not.
    const offsets = await until('the committed offset', async () => {
      const r = await admin.fetchOffsets({ groupId, topics: ['in'] });
      const o = r[0]?.partitions.find((x) => x.partition === 0)?.offset;
      return o === '7' ? r : null;
    });
    assert.is(offsets[0]!.partitions[0]!.offset, '7');

    const t3 = await txnProducer.transaction();
    for (let p = 0; p < 2; p++) await t3.send({ topic: 'out', messages: [{ value: `end${p}`, partition: p }] });
    await t3.commit();

    const consumer = kafka.consumer({ groupId: 'reader', maxWaitTimeInMs: 100 });
    const seen: string[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: 'out', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
      // Records arrive in order per partition: once the sentinels committed after the aborted
      // transaction are seen, anything of it would have been seen too.
      await until('the sentinels', () => seen.includes('end0') && seen.includes('end1'));
    } finally {
      await consumer.disconnect();
    }
    assert.equal(seen.sort(), ['c0a', 'c0b', 'c1a', 'c1b', 'end0', 'end1']);
  } finally {
    await txnProducer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await cluster.close();
  }
});

test('markers for a partition whose leader is down are retried until it returns; then the commit completes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-markers-'));
  const cluster = await startCluster({ brokers: 3, dataDir: dir, config: { 'offsets.topic.num.partitions': 3, 'transaction.state.log.num.partitions': 3 } });
  const kafka = new Kafka({
    clientId: 'retry-test',
    brokers: cluster.bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 50, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  let producer = kafka.producer({ transactionalId: 'placeholder' });
  try {
    await internalTopics(cluster);
    const transactionalId = idLedBy(cluster, TXN, 0, 'tx-retry');
    // The output partition's only replica is broker 2: while it is stopped the partition is offline.
    await cluster
      .broker(0)
      .metadata.createTopicAsync({ name: 'out', numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 0, brokerIds: [2] }] });
    await until('topic everywhere', () => cluster.brokers().every((b) => b.metadata.topic('out')));
    producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const t = await producer.transaction();
    await t.send({
      topic: 'out',
      messages: [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 0 },
      ],
    });
    await cluster.stopBroker(2);
    await until('out-0 offline', () => cluster.broker(0).metadata.topic('out')!.partitions[0]!.leader === -1);
    const committing = t.commit();
    const txns = cluster.broker(0).txnCoordinator.txns;
    await until('the coordinator in PrepareCommit, retrying the marker', () => txns.get(transactionalId)?.state === TxnState.PrepareCommit);
    await cluster.startBroker(2);
    await committing;
    assert.is(txns.get(transactionalId)!.state, TxnState.CompleteCommit);
    const log = cluster.broker(2).logManager.get('out', 0)!;
    assert.is(log.lastStableOffset, log.logEndOffset, 'the COMMIT marker reached out-0');
    assert.is(log.logEndOffset, 3, 'two records and one marker');
  } finally {
    await producer.disconnect().catch(() => undefined);
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a transaction left in PrepareCommit by a stopped coordinator is completed by it when elected again, through WriteTxnMarkers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-prepare-'));
  // One replica of each state partition: its broker leads it again when it returns, with its log.
  const cluster = await startCluster({
    brokers: 3,
    dataDir: dir,
    config: { 'offsets.topic.num.partitions': 3, 'transaction.state.log.num.partitions': 3, 'transaction.state.log.replication.factor': 1 },
  });
  const kafka = new Kafka({
    clientId: 'prepare-test',
    brokers: cluster.bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 500 },
  });
  let producer = kafka.producer({ transactionalId: 'placeholder' });
  try {
    await internalTopics(cluster);
    const transactionalId = idLedBy(cluster, TXN, 0, 'tx-prepare');
    await cluster
      .broker(1)
      .metadata.createTopicAsync({ name: 'out', numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 0, brokerIds: [2] }] });
    await until('topic everywhere', () => cluster.brokers().every((b) => b.metadata.topic('out')));
    producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const t = await producer.transaction();
    await t.send({ topic: 'out', messages: [{ value: 'a', partition: 0 }] });
    // The output partition goes offline, so the COMMIT marker cannot be written yet ...
    await cluster.stopBroker(2);
    await until('out-0 offline', () => cluster.broker(0).metadata.topic('out')!.partitions[0]!.leader === -1);
    const committing = t.commit().catch(() => undefined);
    await until('PrepareCommit', () => cluster.broker(0).txnCoordinator.txns.get(transactionalId)?.state === TxnState.PrepareCommit);
    // ... and the coordinator stops in PrepareCommit.
    await cluster.stopBroker(0);
    await committing;
    await cluster.startBroker(2);
    const b0 = await cluster.startBroker(0);
    await until(
      'the transaction completed by the re-elected coordinator',
      () => b0.txnCoordinator.txns.get(transactionalId)?.state === TxnState.CompleteCommit,
    );
    const log = cluster.broker(2).logManager.get('out', 0)!;
    assert.is(log.lastStableOffset, log.logEndOffset, 'the COMMIT marker reached out-0 on broker 2');
    assert.is(log.logEndOffset, 2, 'one record and one marker');
  } finally {
    await producer.disconnect().catch(() => undefined);
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
