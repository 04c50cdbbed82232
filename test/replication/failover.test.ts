// Leader failover (issue 13): an idempotent acks=all producer (kafkajs) writes numbered records
// while the partition's leader is stopped; the controller moves the leadership to an in-sync
// follower, the producer rides through NOT_LEADER_OR_FOLLOWER, and afterwards every acknowledged
// record is in the log exactly once and in order, on every replica alike.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster } from '../../src/index.js';
import { partitionState, replicasInSync, storedBytes, until } from './helpers.js';
import { recordsOf } from '../data-path/helpers.js';

test('a stopped leader: the partition moves, the producer rides through, every acknowledged record is there once and in order', async () => {
  const cluster = await startCluster({ brokers: 3 });
  const kafka = new Kafka({
    brokers: cluster.bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 50, maxRetryTime: 500 },
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  try {
    await cluster.broker(0).metadata.createTopicAsync({ name: 'moving', numPartitions: 1, replicationFactor: 3 });
    const first = partitionState(cluster, 0, 'moving', 0).leader;
    await producer.connect();
    const acked: number[] = [];
    let stopped: Promise<void> | null = null;
    for (let i = 0; i < 120; i++) {
      await producer.send({ topic: 'moving', acks: -1, messages: [{ partition: 0, value: String(i) }] });
      acked.push(i);
      if (i === 40) stopped = cluster.stopBroker(first);
    }
    await stopped;
    const survivor = cluster.brokers()[0]!.nodeId;
    const p = partitionState(cluster, survivor, 'moving', 0);
    assert.is.not(p.leader, first);
    assert.ok(p.leaderEpoch >= 1);
    const leader = await replicasInSync(cluster, 'moving', 0);
    const bytes = await storedBytes(cluster.broker(leader), 'moving', 0);
    const values: number[] = [];
    for (let pos = 0; pos < bytes.length;) {
      const size = bytes.readInt32BE(pos + 8) + 12;
      for (const r of recordsOf(bytes.subarray(pos, pos + size))!) values.push(Number(r.value!.toString()));
      pos += size;
    }
    assert.equal(values, acked, 'every acknowledged record once, in order');
    for (const b of cluster.brokers()) assert.ok((await storedBytes(b, 'moving', 0)).equals(bytes), `broker ${b.nodeId} holds the same batches`);
    // The old leader comes back as a follower and catches up.
    await cluster.startBroker(first);
    await until('the old leader back in the ISR', () => partitionState(cluster, first, 'moving', 0).isr.includes(first));
    await replicasInSync(cluster, 'moving', 0);
    assert.ok((await storedBytes(cluster.broker(first), 'moving', 0)).equals(bytes));
  } finally {
    await producer.disconnect().catch(() => undefined);
    await cluster.close();
  }
});

test.run();
