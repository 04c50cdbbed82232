// requires: etcd
// Brokers joined through a real etcd (each with its own EtcdQuorum, as on separate machines):
// Metadata shows them all, an RF=3 topic replicates, and while etcd is stopped for 10 s produce
// (acks=all) and fetch on the existing leaders go on; metadata changes resume once it is back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Kafka, logLevel } from 'kafkajs';
import { Broker } from '../../src/broker/broker.js';
import { EtcdQuorum } from '../../src/cluster/quorum/etcd-quorum.js';
import { startEtcd } from './etcd-server.js';

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('three brokers through etcd: all in Metadata, RF=3 replicated, produce and fetch through a 10 s etcd outage', async () => {
  const etcd = await startEtcd();
  const brokers: Broker[] = [];
  const quorums: EtcdQuorum[] = [];
  try {
    for (let id = 0; id < 3; id++) {
      const quorum = await EtcdQuorum.open({ endpoints: [etcd.endpoint], clusterId: 'etcd-cluster-test', sessionTimeoutMs: 6000 });
      quorums.push(quorum);
      brokers.push(await Broker.start({ nodeId: id, quorum, port: 0, host: '127.0.0.1' }));
    }
    await until('every broker sees three live brokers', () => brokers.every((b) => b.metadata.brokers().length === 3));
    const kafka = new Kafka({ brokers: brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
    const admin = kafka.admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    assert.equal(cluster.brokers.map((b) => b.nodeId).sort(), [0, 1, 2]);
    assert.is(cluster.clusterId, 'etcd-cluster-test');
    await admin.createTopics({ topics: [{ topic: 'through-outage', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
    await until('a full ISR everywhere', async () =>
      (await admin.fetchTopicMetadata({ topics: ['through-outage'] })).topics[0]!.partitions.every((p) => p.isr.length === 3),
    );
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    let sent = 0;
    const send = async () => {
      await producer.send({ topic: 'through-outage', acks: -1, messages: [0, 1, 2].map((partition) => ({ partition, value: `v${sent}` })) });
      sent++;
    };
    await send();

    // etcd goes away for 10 s: the leaders keep taking acks=all writes and serving reads.
    await etcd.stop();
    const outageEnds = Date.now() + 10_000;
    let duringOutage = 0;
    while (Date.now() < outageEnds) {
      await send();
      duringOutage++;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(duringOutage >= 10, `writes went on during the outage (${duringOutage})`);
    await etcd.restart();

    // Sessions survived (nobody was declared dead) and metadata changes resume.
    await until('a topic created after the outage', async () => {
      await admin.createTopics({ topics: [{ topic: 'after-outage', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
      return brokers.every((b) => b.metadata.topic('after-outage'));
    });
    assert.ok(
      brokers.every((b) => b.metadata.brokers().length === 3),
      'no broker was lost',
    );
    // Every record written is readable from the leaders (consumer fetches up to the high watermark).
    const consumer = kafka.consumer({ groupId: 'outage-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'through-outage', fromBeginning: true });
    let read = 0;
    await consumer.run({ eachMessage: async () => void read++ });
    await until('every record read back', () => read >= sent * 3, 30_000);
    assert.is(read, sent * 3);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  } finally {
    for (const b of brokers) await b.close();
    for (const q of quorums) await q.close();
    await etcd.close();
  }
});

test.run();
