// requires: python-kafka
// confluent-kafka (librdkafka) consumer group on a 3-broker cluster (issue 14): it consumes and
// commits through the group's coordinator, broker 0; after broker 0 stops, the same group finds
// the new leader of its __consumer_offsets partition and consumes what was produced meanwhile,
// committing there. (Without replication on this branch the new coordinator starts without the
// old commits, so the second run starts from the earliest offsets again.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { startCluster } from '../../src/broker/cluster.js';
import { partitionForKey } from '../../src/cluster/internal-topic.js';
import { runPythonJson } from '../clients/helpers.js';

const { Kafka, logLevel } = kafkajs;
const OFFSETS = '__consumer_offsets';

async function until<T>(what: string, fn: () => T | undefined | null | false, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a confluent-kafka group consumes on a cluster, and again on the new coordinator after the old one stops', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-ck-group-'));
  const cluster = await startCluster({ brokers: 3, config: { 'offsets.topic.num.partitions': 6, 'group.initial.rebalance.delay.ms': 0 } });
  const kafka = new Kafka({ clientId: 'ck-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  try {
    cluster.broker(1).coordinator.ensureOffsetsTopic();
    await until('the offsets topic', () => cluster.brokers().every((b) => b.metadata.topic(OFFSETS)));
    await cluster.broker(1).metadata.createTopicAsync({
      name: 'ck-events',
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [
        { partition: 0, brokerIds: [1] },
        { partition: 1, brokerIds: [2] },
      ],
    });
    const offsets = cluster.broker(1).metadata.topic(OFFSETS)!;
    let groupId = '';
    for (let i = 0; ; i++) if (offsets.partitions[partitionForKey((groupId = `ck-group-${i}`), 6)]!.leader === 0) break;
    await producer.connect();
    const before = Array.from({ length: 10 }, (_, i) => `before-${i}`);
    await producer.send({ topic: 'ck-events', messages: before.map((value, i) => ({ value, partition: i % 2 })) });
    const want1 = join(dir, 'want1.json');
    writeFileSync(want1, JSON.stringify(before));
    const r1 = await runPythonJson<{ seen: string[]; error?: string }>('cluster_group_confluent.py', [cluster.bootstrap, 'ck-events', groupId, want1], 90_000);
    assert.is(r1.error, undefined, r1.error);
    assert.ok(cluster.broker(0).coordinator.offsets.hasOffsets(groupId), 'the commits went to broker 0');

    await cluster.stopBroker(0);
    const next = await until('a new coordinator', () => {
      const l = cluster.broker(1).metadata.topic(OFFSETS)!.partitions[partitionForKey(groupId, 6)]!.leader;
      return l > 0 ? l : null;
    });
    const after = Array.from({ length: 10 }, (_, i) => `after-${i}`);
    await producer.send({ topic: 'ck-events', messages: after.map((value, i) => ({ value, partition: i % 2 })) });
    const want2 = join(dir, 'want2.json');
    writeFileSync(want2, JSON.stringify(after));
    const r2 = await runPythonJson<{ seen: string[]; error?: string }>('cluster_group_confluent.py', [cluster.bootstrap, 'ck-events', groupId, want2], 90_000);
    assert.is(r2.error, undefined, r2.error);
    assert.ok(cluster.broker(next).coordinator.offsets.hasOffsets(groupId), `the commits went to broker ${next}`);
  } finally {
    await producer.disconnect().catch(() => undefined);
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
