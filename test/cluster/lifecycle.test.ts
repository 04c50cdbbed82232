// The cluster's lifecycle around its brokers (startCluster, real sockets, kafkajs): an abrupt
// kill moves leaderships through the controller and the broker recovers its data dir as after
// kill -9; a controlled stop hands leaderships off before the broker leaves; meta.properties
// ties each data dir to one cluster and one node; a cluster with a data dir keeps its quorum's
// log, so its topics and cluster id survive close() and start again.
// Replication is not part of this branch: topics are RF=3 in metadata, produced to the leader
// only, and nothing here asserts follower data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, startBroker, Broker } from '../../src/index.js';
import { EmbeddedQuorum } from '../../src/cluster/quorum/embedded-quorum.js';
import { parseMetaProperties } from '../../src/broker/meta-properties.js';
import { connect } from 'node:net';

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `samsa-lifecycle-${name}-`));

async function produce(bootstrap: string, topic: string, perPartition: number, partitions: number): Promise<void> {
  const kafka = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let p = 0; p < partitions; p++) {
      await producer.send({ topic, acks: 1, messages: Array.from({ length: perPartition }, (_, i) => ({ partition: p, value: `p${p}-${i}` })) });
    }
  } finally {
    await producer.disconnect();
  }
}

test('killBroker: sockets reset, no clean-shutdown marker, the controller moves its leaderships; startBroker recovers its data', async () => {
  const dir = tmp('kill');
  const cluster = await startCluster({ brokers: 3, dataDir: dir });
  try {
    const b0 = cluster.broker(0);
    await b0.metadata.createTopicAsync({ name: 'k', numPartitions: 3, replicationFactor: 3 });
    await produce(cluster.bootstrap, 'k', 20, 3);
    const led = structuredClone(b0.metadata.topic('k')!.partitions.filter((p) => p.leader === 1));
    assert.ok(led.length > 0);
    const ends = led.map((p) => cluster.broker(1).logManager.get('k', p.partition)!.logEndOffset);
    assert.ok(ends.every((e) => e === 20));
    // A client connected to broker 1 sees its connection reset.
    const sock = connect({ host: '127.0.0.1', port: cluster.broker(1).port });
    await new Promise((r) => sock.once('connect', r));
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    sock.on('error', () => undefined);
    await cluster.killBroker(1);
    await closed;
    assert.not.ok(existsSync(join(dir, 'broker-1', '.kafka_cleanshutdown')), 'a killed broker leaves no clean-shutdown marker');
    assert.not.ok(cluster.quorum.liveBrokers().some((b) => b.nodeId === 1));
    await until('leaderships moved off broker 1', () => b0.metadata.topic('k')!.partitions.every((p) => p.leader !== 1 && p.leader >= 0 && !p.isr.includes(1)));
    for (const p of led) assert.ok(b0.metadata.topic('k')!.partitions[p.partition]!.leaderEpoch > p.leaderEpoch);
    // Back with its data, recovered from the log dir as after kill -9.
    const b1 = await cluster.startBroker(1);
    led.forEach((p, i) => assert.is(b1.logManager.get('k', p.partition)!.logEndOffset, ends[i]));
    // Produce still works on the new leaders.
    await produce(cluster.bootstrap, 'k', 5, 3);
  } finally {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('controlled shutdown: the broker leads nothing (and is in no ISR) before its session ends', async () => {
  const cluster = await startCluster({ brokers: 3 });
  try {
    const b0 = cluster.broker(0);
    await b0.metadata.createTopicAsync({ name: 'cs', numPartitions: 6, replicationFactor: 3 });
    const before = structuredClone(b0.metadata.topic('cs')!.partitions);
    assert.ok(before.some((p) => p.leader === 2));
    // The moment broker 2 stops being live, what does the cluster's metadata say?
    let atLeave = null as typeof before | null;
    const unwatch = cluster.quorum.onBrokersChanged((live) => {
      if (atLeave === null && !live.some((b) => b.nodeId === 2)) atLeave = structuredClone(b0.metadata.topic('cs')!.partitions);
    });
    await cluster.stopBroker(2);
    unwatch();
    assert.ok(atLeave, 'broker 2 left the quorum');
    for (const p of atLeave!) {
      assert.is.not(p.leader, 2, `partition ${p.partition} still led by broker 2 when it left`);
      assert.not.ok(p.isr.includes(2), `broker 2 still in the ISR of partition ${p.partition}`);
      const was = before[p.partition]!;
      if (was.leader === 2) {
        assert.is(p.leaderEpoch, was.leaderEpoch + 1);
        assert.is(
          p.leader,
          was.replicas.find((b) => b !== 2),
        );
      }
    }
  } finally {
    await cluster.close();
  }
});

test('controlled.shutdown.enable=false: the broker leaves leading, and the controller moves it afterwards', async () => {
  const cluster = await startCluster({ brokers: 2, config: { 'controlled.shutdown.enable': false } });
  try {
    const b0 = cluster.broker(0);
    await b0.metadata.createTopicAsync({ name: 'nocs', numPartitions: 2, replicationFactor: 2 });
    let ledAtLeave = -1;
    const unwatch = cluster.quorum.onBrokersChanged((live) => {
      if (ledAtLeave < 0 && !live.some((b) => b.nodeId === 1)) ledAtLeave = b0.metadata.topic('nocs')!.partitions.filter((p) => p.leader === 1).length;
    });
    await cluster.stopBroker(1);
    unwatch();
    assert.is(ledAtLeave, 1);
    await until('controller moved it', () => b0.metadata.topic('nocs')!.partitions.every((p) => p.leader === 0));
  } finally {
    await cluster.close();
  }
});

test('meta.properties: written in every log dir; another cluster, another node or a single broker is refused with one line', async () => {
  const dir = tmp('meta');
  const single = tmp('single');
  try {
    const cluster = await startCluster({ brokers: 2, dataDir: dir });
    const clusterId = cluster.clusterId;
    await cluster.close();
    for (const id of [0, 1]) {
      const text = readFileSync(join(dir, `broker-${id}`, 'meta.properties'), 'utf8');
      const props = parseMetaProperties(text);
      assert.equal({ version: props.version, clusterId: props.clusterId, nodeId: props.nodeId }, { version: 1, clusterId, nodeId: id });
      assert.match(props.directoryId ?? '', /^[A-Za-z0-9_-]{22}$/);
      assert.match(text, /^version=1$/m);
    }
    const refused = async (start: () => Promise<Broker>): Promise<string> => {
      try {
        const b = await start();
        await b.close();
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('the start was not refused');
    };
    const other = new EmbeddedQuorum();
    let msg = await refused(() => Broker.start({ nodeId: 0, quorum: other, dataDir: join(dir, 'broker-0') }));
    assert.ok(!msg.includes('\n'));
    assert.match(msg, new RegExp(`belongs to cluster\\.id ${clusterId}.*not to this cluster's ${other.clusterId}`));
    msg = await refused(() => Broker.start({ nodeId: 5, quorum: new EmbeddedQuorum(clusterId), dataDir: join(dir, 'broker-0') }));
    assert.match(msg, /belongs to node\.id 0 .*not to this broker's node\.id 5/);
    // A single broker on a cluster broker's dir.
    msg = await refused(() => startBroker({ dataDir: join(dir, 'broker-1'), port: 0, config: { 'node.id': 1 } }));
    assert.match(msg, new RegExp(`belongs to cluster\\.id ${clusterId}`));
    // The single broker keeps its cluster id in samsa-metadata and in meta.properties: both agree.
    const b = await startBroker({ dataDir: single, port: 0 });
    const singleId = b.metadata.clusterId;
    await b.close();
    assert.is(parseMetaProperties(readFileSync(join(single, 'meta.properties'), 'utf8')).clusterId, singleId);
    const again = await startBroker({ dataDir: single, port: 0 });
    assert.is(again.metadata.clusterId, singleId);
    await again.close();
    // The same dir with another node.id is refused.
    msg = await refused(() => startBroker({ dataDir: single, port: 0, config: { 'node.id': 7 } }));
    assert.match(msg, /belongs to node\.id 1 .*not to this broker's node\.id 7/);
    await other.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(single, { recursive: true, force: true });
  }
});

test('startCluster with a dataDir: closed and started again, the topics, their ids, data and the cluster id are back', async () => {
  const dir = tmp('restart');
  try {
    let cluster = await startCluster({ brokers: 3, dataDir: dir });
    const clusterId = cluster.clusterId;
    const admin = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kept', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
    await admin.disconnect();
    await produce(cluster.bootstrap, 'kept', 10, 3);
    const topicId = cluster.broker(0).metadata.topic('kept')!.id;
    const leaders = cluster
      .broker(0)
      .metadata.topic('kept')!
      .partitions.map((p) => p.leader);
    await cluster.close();
    assert.ok(existsSync(join(dir, 'quorum', 'metadata.log')));

    cluster = await startCluster({ brokers: 3, dataDir: dir });
    try {
      assert.is(cluster.clusterId, clusterId);
      for (const b of cluster.brokers()) assert.is(b.metadata.topic('kept')?.id, topicId);
      // Each partition's data is where its leader wrote it.
      leaders.forEach((l, p) => assert.is(cluster.broker(l).logManager.get('kept', p)!.logEndOffset, 10));
      const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
      const a2 = kafka.admin();
      await a2.connect();
      assert.ok((await a2.listTopics()).includes('kept'));
      assert.is((await a2.describeCluster()).clusterId, clusterId);
      await a2.disconnect();
    } finally {
      await cluster.close();
    }
    // Another cluster id for the same dir is refused.
    let err: Error | null = null;
    try {
      await (await startCluster({ brokers: 1, dataDir: dir, clusterId: 'someone-else' })).close();
    } catch (e) {
      err = e as Error;
    }
    assert.match(err?.message ?? '', /belongs to cluster\.id/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
