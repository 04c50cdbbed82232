// Replication between brokers (issue 13), seen through real clients on startCluster(): records
// written with acks=all to an RF=3 topic are on every replica, batch for batch the same bytes,
// and a consumer reads them all; a follower's fetch moves the high watermark.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster } from '../../src/index.js';
import { replicasInSync, storedBytes } from './helpers.js';

test('acks=all to an RF=3 topic: every replica holds the same batches; a consumer reads them all', async () => {
  const cluster = await startCluster({ brokers: 3 });
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: 'rf3-readers' });
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
      for (const b of cluster.brokers()) assert.ok((await storedBytes(b, 'rf3', p)).equals(expected), `broker ${b.nodeId} holds rf3-${p} byte for byte as its leader ${leader}`);
    }
    await consumer.connect();
    await consumer.subscribe({ topic: 'rf3', fromBeginning: true });
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumer got ${got.length} of ${sent.length}`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          got.push(message.value!.toString());
          if (got.length === sent.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    assert.equal([...got].sort(), [...sent].sort());
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await cluster.close();
  }
});

test.run();
