// Leader elections on a startCluster cluster: ElectLeaders (API 43) for preferred and unclean
// elections with Kafka's per-partition errors, sent over a real socket to a broker that is not
// the controller (which carries the election out through the quorum itself), checked with
// kafkajs' metadata; and the controller's automatic preferred-leader rebalance.
// No client library at hand sends ElectLeaders (kafkajs, kcat and Debian's confluent-kafka 1.7 have
// no such call), so samsa's own protocol client sends it.
// Replication is not on this branch: a restarted broker rejoins the ISR only through the leader's
// ISR expansion, which the tests do here with the same compare-and-set the leader will use.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, startBroker, type Cluster } from '../../src/index.js';
import { ClientConnection } from '../../src/client/connection.js';
import { ElectLeadersRequest } from '../../src/protocol/generated/elect-leaders-request.js';
import { ElectLeadersResponse } from '../../src/protocol/generated/elect-leaders-response.js';
import { ErrorCode } from '../../src/errors.js';

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const PREFERRED = 0;
const UNCLEAN = 1;

async function electLeaders(port: number, electionType: number, topicPartitions: Array<{ topic: string; partitions: number[] }> | null, version = 2) {
  const c = await ClientConnection.connect('127.0.0.1', port, { clientId: 'elect-test' });
  try {
    return await c.send(ElectLeadersRequest, ElectLeadersResponse, version, { electionType, topicPartitions, timeoutMs: 10_000 });
  } finally {
    c.close();
  }
}

// Puts `broker` back into a partition's ISR, as the leader does once a follower caught up.
async function rejoinIsr(cluster: Cluster, via: number, topic: string, broker: number): Promise<void> {
  const md = cluster.broker(via).metadata;
  const t = md.topic(topic)!;
  for (const p of t.partitions) {
    if (p.replicas.includes(broker) && !p.isr.includes(broker))
      assert.ok(await md.changePartition(t.id, p.partition, p.partitionEpoch ?? 0, { leader: p.leader, isr: [...p.isr, broker] }));
  }
}

async function leadersSeenByKafkajs(bootstrap: string, topic: string): Promise<number[]> {
  const admin = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    return md.topics[0]!.partitions.sort((a, b) => a.partitionId - b.partitionId).map((p) => p.leader);
  } finally {
    await admin.disconnect();
  }
}

test('ElectLeaders PREFERRED brings leadership back to a restarted broker once it is in the ISR', async () => {
  const cluster = await startCluster({ brokers: 3, logLevel: 'error' });
  try {
    const b0 = cluster.broker(0);
    await b0.metadata.createTopicAsync({ name: 'pref', numPartitions: 3, replicationFactor: 3 });
    const p1 = b0.metadata.topic('pref')!.partitions.find((p) => p.replicas[0] === 1)!.partition;
    await cluster.stopBroker(1);
    await cluster.startBroker(1);
    // A non-controller broker receives the requests.
    const via = [0, 1, 2].find((id) => id !== cluster.quorum.controllerId())!;
    // Broker 1 is live but out of the ISR: not available yet.
    let res = await electLeaders(cluster.broker(via).port, PREFERRED, [{ topic: 'pref', partitions: [p1] }]);
    assert.equal(res.replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
    assert.is.not((await leadersSeenByKafkajs(cluster.bootstrap, 'pref'))[p1], 1);
    await rejoinIsr(cluster, 0, 'pref', 1);
    const epochBefore = b0.metadata.topic('pref')!.partitions[p1]!.leaderEpoch;
    res = await electLeaders(cluster.broker(via).port, PREFERRED, [
      { topic: 'pref', partitions: [0, 1, 2, 7] },
      { topic: 'nope', partitions: [0] },
    ]);
    assert.is(res.errorCode, ErrorCode.NONE);
    const byPartition = new Map(res.replicaElectionResults[0]!.partitionResult.map((r) => [r.partitionId, r]));
    assert.is(byPartition.get(p1)!.errorCode, ErrorCode.NONE);
    assert.is(byPartition.get(p1)!.errorMessage, null);
    for (const p of [0, 1, 2].filter((x) => x !== p1)) {
      assert.is(byPartition.get(p)!.errorCode, ErrorCode.ELECTION_NOT_NEEDED);
      assert.is(byPartition.get(p)!.errorMessage, 'Leader election not needed for topic partition.');
    }
    assert.is(byPartition.get(7)!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(res.replicaElectionResults[1], {
      topic: 'nope',
      partitionResult: [{ partitionId: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such topic as nope' }],
    });
    assert.is(b0.metadata.topic('pref')!.partitions[p1]!.leaderEpoch, epochBefore + 1);
    assert.equal(
      await leadersSeenByKafkajs(cluster.bootstrap, 'pref'),
      b0.metadata.topic('pref')!.partitions.map((p) => p.replicas[0]),
    );
    // Every partition is preferred now: a null list (all partitions) lists none of them.
    res = await electLeaders(cluster.broker(via).port, PREFERRED, null);
    assert.equal(res.replicaElectionResults.find((r) => r.topic === 'pref')?.partitionResult, []);
    // v0: no election type, no top-level error code.
    res = await electLeaders(cluster.broker(via).port, PREFERRED, [{ topic: 'pref', partitions: [p1] }], 0);
    assert.is(res.replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.ELECTION_NOT_NEEDED);
    // An unknown election type.
    res = await electLeaders(cluster.broker(via).port, 5, [{ topic: 'pref', partitions: [p1] }]);
    assert.is(res.errorCode, ErrorCode.INVALID_REQUEST);
    assert.is(res.replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.INVALID_REQUEST);
  } finally {
    await cluster.close();
  }
});

test('ElectLeaders UNCLEAN: an offline partition gets a live replica outside its ISR; none live is ELIGIBLE_LEADERS_NOT_AVAILABLE', async () => {
  const cluster = await startCluster({ brokers: 3, logLevel: 'error' });
  try {
    const b2 = cluster.broker(2);
    await b2.metadata.createTopicAsync({ name: 'u', numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 0, brokerIds: [0, 1] }] });
    // Broker 1 fell out of the ISR, then the leader died: offline (unclean election is off).
    const t = b2.metadata.topic('u')!;
    assert.ok(await b2.metadata.changePartition(t.id, 0, t.partitions[0]!.partitionEpoch ?? 0, { leader: 0, isr: [0] }));
    await cluster.killBroker(0);
    await until('partition offline', () => b2.metadata.topic('u')!.partitions[0]!.leader === -1);
    let res = await electLeaders(b2.port, PREFERRED, [{ topic: 'u', partitions: [0] }]);
    assert.is(res.replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
    await cluster.killBroker(1);
    res = await electLeaders(b2.port, UNCLEAN, [{ topic: 'u', partitions: [0] }]);
    assert.is(res.replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
    await cluster.startBroker(1);
    res = await electLeaders(b2.port, UNCLEAN, [{ topic: 'u', partitions: [0] }]);
    assert.is(res.replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.NONE);
    const p = b2.metadata.topic('u')!.partitions[0]!;
    assert.equal({ leader: p.leader, isr: p.isr }, { leader: 1, isr: [1] });
    assert.equal(await leadersSeenByKafkajs(`127.0.0.1:${b2.port}`, 'u'), [1]);
    res = await electLeaders(b2.port, UNCLEAN, [{ topic: 'u', partitions: [0] }]);
    assert.is(res.replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.ELECTION_NOT_NEEDED);
  } finally {
    await cluster.close();
  }
});

test('auto.leader.rebalance.enable: the controller moves leadership back to the preferred replica by itself', async () => {
  const cluster = await startCluster({ brokers: 3, logLevel: 'error', config: { 'leader.imbalance.check.interval.seconds': 1 } });
  try {
    const b0 = cluster.broker(0);
    await b0.metadata.createTopicAsync({ name: 'auto', numPartitions: 3, replicationFactor: 3 });
    const preferred = b0.metadata.topic('auto')!.partitions.map((p) => p.replicas[0]!);
    await cluster.stopBroker(2);
    await cluster.startBroker(2);
    assert.ok((await leadersSeenByKafkajs(cluster.bootstrap, 'auto')).every((l) => l !== 2));
    await rejoinIsr(cluster, 0, 'auto', 2);
    await until(
      'leaders back on their preferred replicas',
      async () => JSON.stringify(await leadersSeenByKafkajs(cluster.bootstrap, 'auto')) === JSON.stringify(preferred),
    );
  } finally {
    await cluster.close();
  }
});

test('a single broker: every partition has its preferred leader', async () => {
  const b = await startBroker({ port: 0 });
  try {
    await b.metadata.createTopicAsync({ name: 's', numPartitions: 2, replicationFactor: 1 });
    let res = await electLeaders(b.port, PREFERRED, [{ topic: 's', partitions: [0, 1] }]);
    assert.equal(
      res.replicaElectionResults[0]!.partitionResult.map((r) => r.errorCode),
      [ErrorCode.ELECTION_NOT_NEEDED, ErrorCode.ELECTION_NOT_NEEDED],
    );
    res = await electLeaders(b.port, UNCLEAN, [{ topic: 's', partitions: [0] }], 1);
    assert.is(res.replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.ELECTION_NOT_NEEDED);
  } finally {
    await b.close();
  }
});

test.run();
