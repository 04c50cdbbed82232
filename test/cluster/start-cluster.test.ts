// startCluster(): three brokers in one process behind the embedded metadata quorum, seen by real
// clients (kafkajs): every broker in Metadata, replicas and leaders spread, the ISR complete,
// topics made on one broker visible on all, and a leader lost to a stop moved to another broker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster } from '../../src/index.js';

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('Metadata shows all brokers; an RF=3 topic has spread leaders and a full ISR', async () => {
  const cluster = await startCluster({ brokers: 3 });
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const described = await admin.describeCluster();
    assert.equal(described.brokers.map((b) => b.nodeId).sort(), [0, 1, 2]);
    assert.equal(described.clusterId, cluster.clusterId);
    assert.ok([0, 1, 2].includes(described.controller!));
    assert.ok(await admin.createTopics({ topics: [{ topic: 'rf3', numPartitions: 6, replicationFactor: 3 }], waitForLeaders: true }));
    const md = await admin.fetchTopicMetadata({ topics: ['rf3'] });
    const parts = md.topics[0]!.partitions;
    assert.is(parts.length, 6);
    for (const p of parts) {
      assert.is(p.replicas.length, 3);
      assert.equal([...p.isr].sort(), [0, 1, 2]);
    }
    assert.equal(new Set(parts.map((p) => p.leader)), new Set([0, 1, 2]));
    // Every broker has the topic, with a log for each replica it holds.
    for (const b of cluster.brokers()) {
      assert.ok(b.metadata.topic('rf3'));
      for (let p = 0; p < 6; p++) assert.ok(b.logManager.get('rf3', p), `broker ${b.nodeId} has rf3-${p}`);
    }
  } finally {
    await admin.disconnect();
    await cluster.close();
  }
});

test('a stopped broker leaves every ISR and its leaderships move to live replicas', async () => {
  const cluster = await startCluster({ brokers: 3 });
  try {
    const b0 = cluster.broker(0);
    await b0.metadata.createTopicAsync({ name: 'moves', numPartitions: 3, replicationFactor: 3 });
    const led = () =>
      b0.metadata
        .topic('moves')!
        .partitions.filter((p) => p.leader === 1)
        .map((p) => p.partition);
    assert.ok(led().length > 0);
    await cluster.stopBroker(1);
    await until('leaders moved off broker 1', () => b0.metadata.topic('moves')!.partitions.every((p) => p.leader !== 1 && p.leader >= 0 && !p.isr.includes(1)));
    for (const p of b0.metadata.topic('moves')!.partitions) assert.ok(p.leaderEpoch >= (p.replicas[0] === 1 ? 1 : 0));
    // Every broker's image agrees.
    await until(
      'broker 2 agrees',
      () => JSON.stringify(cluster.broker(2).metadata.topic('moves')!.partitions) === JSON.stringify(b0.metadata.topic('moves')!.partitions),
    );
    await cluster.startBroker(1);
    assert.ok(cluster.broker(1).metadata.topic('moves'));
  } finally {
    await cluster.close();
  }
});

test('a node id that is live already is refused with one line saying so', async () => {
  const cluster = await startCluster({ brokers: 2 });
  try {
    const { Broker } = await import('../../src/broker/broker.js');
    let err: Error | null = null;
    try {
      const b = await Broker.start({ nodeId: 1, quorum: cluster.quorum, port: 0 });
      await b.close();
    } catch (e) {
      err = e as Error;
    }
    assert.ok(err);
    assert.match(err!.message, /node\.id 1 is already registered/);
  } finally {
    await cluster.close();
  }
});

test('replicas are placed rack-aware: with broker.rack set, each partition spans both racks', async () => {
  const cluster = await startCluster({
    brokers: 4,
    brokerConfig: { 0: { 'broker.rack': 'a' }, 1: { 'broker.rack': 'a' }, 2: { 'broker.rack': 'b' }, 3: { 'broker.rack': 'b' } },
  });
  try {
    const t = await cluster.broker(0).metadata.createTopicAsync({ name: 'racked', numPartitions: 8, replicationFactor: 2 });
    const rackOf = (id: number) => (id < 2 ? 'a' : 'b');
    for (const p of t.partitions) assert.equal(new Set(p.replicas.map(rackOf)).size, 2, `partition ${p.partition} on replicas ${p.replicas.join(',')}`);
    // Leaders still spread over every broker.
    assert.equal(new Set(t.partitions.map((p) => p.leader)).size, 4);
  } finally {
    await cluster.close();
  }
});

test.run();
