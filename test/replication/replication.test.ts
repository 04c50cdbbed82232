// Replication between brokers (issue 13), seen through real clients on startCluster(): records
// written with acks=all to an RF=3 topic are on every replica, batch for batch the same bytes,
// and a consumer reads them all; a follower's fetch moves the high watermark.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster } from '../../src/index.js';
import { replicasInSync, storedBytes } from './helpers.js';
import { connectClient, fetchAll } from '../data-path/helpers.js';

test('acks=all to an RF=3 topic: every replica holds the same batches; a consumer reads them all', async () => {
  const cluster = await startCluster({ brokers: 3 });
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await admin.connect();
    assert.ok(await admin.createTopics({ topics: [{ topic: 'rf3', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true }));
    await producer.connect();
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const messages = Array.from({ length: 5 }, (_, j) => ({ key: `k${(i * 5 + j) % 7}`, value: `v${i * 5 + j}` }));
      sent.push(...messages.map((m) => m.value));
      await producer.send({ topic: 'rf3', acks: -1, messages });
    }
    for (let p = 0; p < 3; p++) {
      const leader = await replicasInSync(cluster, 'rf3', p);
      const expected = await storedBytes(cluster.broker(leader), 'rf3', p);
      assert.ok(expected.length > 0, `rf3-${p} has records`);
      for (const b of cluster.brokers())
        assert.ok((await storedBytes(b, 'rf3', p)).equals(expected), `broker ${b.nodeId} holds rf3-${p} byte for byte as its leader ${leader}`);
    }
    // A consumer (no group: group coordination in a cluster is not part of replication) reads
    // every partition from its leader, up to the high watermark.
    const got: string[] = [];
    for (let p = 0; p < 3; p++) {
      const leader = cluster.broker(cluster.broker(0).metadata.topic('rf3')!.partitions[p]!.leader);
      const c = await connectClient(leader.bootstrap);
      try {
        const read = await fetchAll(c, 'rf3', p);
        got.push(...read.records.map((r) => r.value!.toString()));
      } finally {
        c.close();
      }
    }
    assert.equal([...got].sort(), [...sent].sort());
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await cluster.close();
  }
});

test.run();
