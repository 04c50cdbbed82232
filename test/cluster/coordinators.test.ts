// Coordinators in a cluster (issue 14), with samsa's own protocol client on a startCluster():
// the coordinator of a group / transactional id is the leader of its state-topic partition;
// FindCoordinator from every broker names it; other brokers answer NOT_COORDINATOR; a partition
// whose leadership moves away is unloaded (parked JoinGroup answered NOT_COORDINATOR), and one
// elected again after a restart is loaded back from its log; internal topics get a replication
// factor capped to the live brokers; WriteTxnMarkers is refused to a client connection.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { startCluster, type Cluster } from '../../src/broker/cluster.js';
import type { Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { FindCoordinatorRequest } from '../../src/protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../src/protocol/generated/find-coordinator-response.js';
import { OffsetFetchRequest } from '../../src/protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../src/protocol/generated/offset-fetch-response.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';
import { DescribeTransactionsRequest } from '../../src/protocol/generated/describe-transactions-request.js';
import { DescribeTransactionsResponse } from '../../src/protocol/generated/describe-transactions-response.js';
import { AddPartitionsToTxnRequest } from '../../src/protocol/generated/add-partitions-to-txn-request.js';
import { AddPartitionsToTxnResponse } from '../../src/protocol/generated/add-partitions-to-txn-response.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { TxnOffsetCommitRequest } from '../../src/protocol/generated/txn-offset-commit-request.js';
import { TxnOffsetCommitResponse } from '../../src/protocol/generated/txn-offset-commit-response.js';
import { WriteTxnMarkersRequest } from '../../src/protocol/generated/write-txn-markers-request.js';
import { WriteTxnMarkersResponse } from '../../src/protocol/generated/write-txn-markers-response.js';
import { ErrorCode } from '../../src/errors.js';
import { partitionForKey } from '../../src/cluster/internal-topic.js';
import { interBrokerClientId } from '../../src/cluster/inter-broker.js';
import { commit, connect, heartbeat, join, joinFully, sync, withTimeout } from '../coordinator/helpers.js';

const OFFSETS = '__consumer_offsets';
const TXN = '__transaction_state';

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const addr = (b: Broker) => `127.0.0.1:${b.port}`;

async function findCoordinator(c: ClientConnection, keyType: number, keys: string[]) {
  const r = await withTimeout(c.send(FindCoordinatorRequest, FindCoordinatorResponse, 4, { keyType, coordinatorKeys: keys }), 5000, 'FindCoordinator');
  return r.coordinators;
}

// FindCoordinator v3 (one key) until it names a broker.
async function coordinatorOf(c: ClientConnection, keyType: number, key: string): Promise<number> {
  return until(`a coordinator for ${key}`, async () => {
    const r = await withTimeout(c.send(FindCoordinatorRequest, FindCoordinatorResponse, 3, { key, keyType }), 5000, 'FindCoordinator');
    return r.errorCode === ErrorCode.NONE ? r.nodeId + 1 : null;
  }).then((n) => n - 1);
}

async function offsetFetch(c: ClientConnection, groupId: string) {
  const r = await withTimeout(
    c.send(OffsetFetchRequest, OffsetFetchResponse, 9, { groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }], requireStable: false }),
    5000,
    'OffsetFetch',
  );
  const g = r.groups[0]!;
  const offsets = new Map<string, number>();
  for (const t of g.topics) for (const p of t.partitions) offsets.set(`${t.name}:${p.partitionIndex}`, p.committedOffset);
  return { errorCode: g.errorCode, offsets };
}

// A group id whose __consumer_offsets partition is led by `nodeId`.
function groupLedBy(b: Broker, nodeId: number, prefix: string): string {
  const t = b.metadata.topic(OFFSETS)!;
  for (let i = 0; ; i++) {
    const id = `${prefix}-${i}`;
    if (t.partitions[partitionForKey(id, t.partitions.length)]!.leader === nodeId) return id;
  }
}

async function withCluster(o: Parameters<typeof startCluster>[0], fn: (c: Cluster) => Promise<void>): Promise<void> {
  const cluster = await startCluster(o);
  const conns: ClientConnection[] = [];
  try {
    await fn(cluster);
  } finally {
    for (const c of conns) c.close();
    await cluster.close();
  }
}

test('FindCoordinator from every broker names the leader of the key partition; the others answer NOT_COORDINATOR', async () => {
  await withCluster({ brokers: 3, config: { 'offsets.topic.num.partitions': 6, 'transaction.state.log.num.partitions': 6 } }, async (cluster) => {
    const conns = await Promise.all(cluster.brokers().map((b) => connect(addr(b))));
    try {
      // The first lookup starts the creation of __consumer_offsets through the quorum.
      const first = await findCoordinator(conns[0]!, 0, ['g-a']);
      assert.ok(([ErrorCode.NONE, ErrorCode.COORDINATOR_NOT_AVAILABLE] as number[]).includes(first[0]!.errorCode));
      await cluster.broker(0).metadata.createTopicAsync({ name: 't', numPartitions: 1, replicationFactor: 1 });
      await until('the offsets topic on every broker', () => cluster.brokers().every((b) => b.metadata.topic(OFFSETS) && b.metadata.topic('t')));
      const groups = ['g-a', 'g-b', 'g-c', 'g-d', 'g-e', 'g-f', 'g-g', 'g-h'];
      const answers = await Promise.all(
        conns.map((c) =>
          until('every key answered', async () => {
            const r = await findCoordinator(c, 0, groups);
            return r.every((x) => x.errorCode === ErrorCode.NONE) ? r : null;
          }),
        ),
      );
      const b0 = cluster.broker(0);
      const topic = b0.metadata.topic(OFFSETS)!;
      assert.is(topic.partitions[0]!.replicas.length, 3, 'replication factor 3 (Kafka default) on 3 brokers');
      for (const [i, g] of groups.entries()) {
        const leader = topic.partitions[partitionForKey(g, 6)]!.leader;
        for (const a of answers) {
          assert.is(a[i]!.nodeId, leader, `${g} from every broker`);
          assert.is(a[i]!.port, cluster.broker(leader).port);
        }
      }
      // The leaders are spread, so some group is coordinated by each broker.
      const g1 = groupLedBy(b0, 1, 'spread');
      await until('broker 1 has loaded the partition', () => cluster.broker(1).coordinator.partitions!.loadedPartitions().includes(partitionForKey(g1, 6)));
      const joined = await joinFully(conns[1]!, g1, { sessionTimeoutMs: 30_000 });
      assert.is(joined.errorCode, ErrorCode.NONE);
      // Not the coordinator: NOT_COORDINATOR for every group request.
      for (const other of [0, 2]) {
        const c = conns[other]!;
        assert.is((await join(c, g1)).errorCode, ErrorCode.NOT_COORDINATOR, `JoinGroup on broker ${other}`);
        assert.is(await heartbeat(c, g1, joined.generationId, joined.memberId), ErrorCode.NOT_COORDINATOR, `Heartbeat on broker ${other}`);
        assert.is((await offsetFetch(c, g1)).errorCode, ErrorCode.NOT_COORDINATOR, `OffsetFetch on broker ${other}`);
        assert.equal(await commit(c, g1, joined.generationId, joined.memberId, [{ topic: 't', partition: 0, offset: 1 }]), [ErrorCode.NOT_COORDINATOR]);
        const txc = await c.send(TxnOffsetCommitRequest, TxnOffsetCommitResponse, 3, {
          transactionalId: 'any',
          groupId: g1,
          producerId: 1,
          producerEpoch: 0,
          generationId: -1,
          memberId: '',
          groupInstanceId: null,
          topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }],
        });
        assert.is(txc.topics[0]!.partitions[0]!.errorCode, ErrorCode.NOT_COORDINATOR, `TxnOffsetCommit on broker ${other}`);
        assert.is(cluster.broker(other).coordinator.group(g1), undefined, `no group made on broker ${other}`);
      }
      // Transactional ids: the same rule over __transaction_state.
      const txnIds = ['tx-a', 'tx-b', 'tx-c', 'tx-d'];
      await findCoordinator(conns[2]!, 1, txnIds);
      await until('the transaction state topic', () => cluster.brokers().every((b) => b.metadata.topic(TXN)));
      const txnAnswers = await Promise.all(
        conns.map((c) =>
          until('every txn key answered', async () => {
            const r = await findCoordinator(c, 1, txnIds);
            return r.every((x) => x.errorCode === ErrorCode.NONE) ? r : null;
          }),
        ),
      );
      const ttopic = b0.metadata.topic(TXN)!;
      for (const [i, id] of txnIds.entries()) {
        const leader = ttopic.partitions[partitionForKey(id, 6)]!.leader;
        for (const a of txnAnswers) assert.is(a[i]!.nodeId, leader);
        // InitProducerId on a broker that does not lead the id's partition: NOT_COORDINATOR.
        const other = (leader + 1) % 3;
        const r = await conns[other]!.send(InitProducerIdRequest, InitProducerIdResponse, 4, {
          transactionalId: id,
          transactionTimeoutMs: 60_000,
          producerId: -1,
          producerEpoch: -1,
        });
        assert.is(r.errorCode, ErrorCode.NOT_COORDINATOR);
        const d = await conns[other]!.send(DescribeTransactionsRequest, DescribeTransactionsResponse, 0, { transactionalIds: [id] });
        assert.is(d.transactionStates[0]!.errorCode, ErrorCode.NOT_COORDINATOR, 'DescribeTransactions elsewhere');
        const ok = await until('InitProducerId on the coordinator', async () => {
          const x = await conns[leader]!.send(InitProducerIdRequest, InitProducerIdResponse, 4, {
            transactionalId: id,
            transactionTimeoutMs: 60_000,
            producerId: -1,
            producerEpoch: -1,
          });
          return x.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? null : x;
        });
        assert.is(ok.errorCode, ErrorCode.NONE);
      }
    } finally {
      for (const c of conns) c.close();
    }
  });
});

test('leadership moved away: the old coordinator unloads the group (a parked JoinGroup gets NOT_COORDINATOR) and the new one serves it', async () => {
  await withCluster({ brokers: 3, config: { 'offsets.topic.num.partitions': 3, 'group.initial.rebalance.delay.ms': 0 } }, async (cluster) => {
    const b0 = cluster.broker(0);
    await b0.metadata.createTopicAsync({ name: OFFSETS, numPartitions: 3, replicationFactor: 3, configs: { 'cleanup.policy': 'compact' } });
    await b0.metadata.createTopicAsync({ name: 'x', numPartitions: 1, replicationFactor: 1 });
    await until('every broker sees the topics', () => cluster.brokers().every((b) => b.metadata.topic(OFFSETS) && b.metadata.topic('x')));
    const groupId = groupLedBy(b0, 0, 'moving');
    const p = partitionForKey(groupId, 3);
    const c0 = await connect(addr(b0));
    const c1 = await connect(addr(cluster.broker(1)));
    try {
      await until('broker 0 loaded its partition', () => b0.coordinator.partitions!.loadedPartitions().includes(p));
      // Member A joins and commits; member B's JoinGroup parks for the rebalance A must join.
      const a = await joinFully(c0, groupId, { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000 });
      assert.is(a.errorCode, ErrorCode.NONE);
      assert.is((await sync(c0, groupId, a.generationId, a.memberId, [{ memberId: a.memberId, assignment: Buffer.alloc(0) }])).errorCode, ErrorCode.NONE);
      assert.equal(await commit(c0, groupId, a.generationId, a.memberId, [{ topic: 'x', partition: 0, offset: 42 }]), [ErrorCode.NONE]);
      assert.ok(b0.coordinator.offsets.hasOffsets(groupId));
      const c2 = await connect(addr(b0));
      const parkedFirst = await join(c2, groupId, { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000 });
      const parked = join(c2, groupId, { memberId: parkedFirst.memberId, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, timeoutMs: 20_000 });
      await until('the join is parked', () => b0.coordinator.group(groupId)?.members.size === 2);
      // The controller moves the partition's leadership to broker 1 (as a preferred election would).
      const state = b0.metadata.topic(OFFSETS)!.partitions[p]!;
      assert.ok(await b0.metadata.changePartition(b0.metadata.topic(OFFSETS)!.id, p, state.partitionEpoch ?? 0, { leader: 1, isr: [1, 0, 2] }));
      const answer = await parked;
      assert.is(answer.errorCode, ErrorCode.NOT_COORDINATOR, 'the parked JoinGroup is answered at once');
      assert.is(b0.coordinator.group(groupId), undefined, 'the group left broker 0');
      assert.not.ok(b0.coordinator.offsets.hasOffsets(groupId), 'its offsets left memory');
      assert.is((await offsetFetch(c0, groupId)).errorCode, ErrorCode.NOT_COORDINATOR);
      // Every broker now names broker 1, which serves the group from the replicated
      // __consumer_offsets: the offset committed on broker 0 is there.
      for (const c of [c0, c1]) assert.is(await coordinatorOf(c, 0, groupId), 1);
      const fetched = await until('OffsetFetch on broker 1', async () => {
        const r = await offsetFetch(c1, groupId);
        return r.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? null : r;
      });
      assert.is(fetched.errorCode, ErrorCode.NONE);
      assert.is(fetched.offsets.get('x:0'), 42);
      assert.ok(cluster.broker(1).coordinator.group(groupId), 'the group was loaded on broker 1');
      c2.close();
    } finally {
      c0.close();
      c1.close();
    }
  });
});

test('a coordinator elected again after a restart loads its partition back from its log', async () => {
  const dir = mkdtempSync(joinPath(tmpdir(), 'samsa-coordinators-'));
  try {
    // One replica per partition: when its broker stops the partition is offline, and the same
    // broker leads it again when it returns, with its data dir.
    await withCluster({ brokers: 3, dataDir: dir, config: { 'offsets.topic.num.partitions': 3, 'offsets.topic.replication.factor': 1 } }, async (cluster) => {
      const c0 = await connect(addr(cluster.broker(0)));
      await findCoordinator(c0, 0, ['warmup']);
      await cluster.broker(0).metadata.createTopicAsync({ name: 'orders', numPartitions: 4, replicationFactor: 3 });
      await until('the offsets topic', () => cluster.brokers().every((b) => b.metadata.topic(OFFSETS) && b.metadata.topic('orders')));
      const groupId = groupLedBy(cluster.broker(0), 2, 'back');
      c0.close();
      let c2 = await connect(addr(cluster.broker(2)));
      const m = await until('JoinGroup on broker 2', async () => {
        const r = await joinFully(c2, groupId, { sessionTimeoutMs: 30_000 });
        return r.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? null : r;
      });
      assert.is(m.errorCode, ErrorCode.NONE);
      assert.is((await sync(c2, groupId, m.generationId, m.memberId, [{ memberId: m.memberId, assignment: Buffer.alloc(0) }])).errorCode, ErrorCode.NONE);
      assert.equal(await commit(c2, groupId, m.generationId, m.memberId, [{ topic: 'orders', partition: 3, offset: 1234 }]), [ErrorCode.NONE]);
      c2.close();
      await cluster.stopBroker(2);
      const c1 = await connect(addr(cluster.broker(1)));
      try {
        // Offline: no coordinator.
        await until('the partition offline', () => cluster.broker(1).metadata.topic(OFFSETS)!.partitions[partitionForKey(groupId, 3)]!.leader === -1);
        const r = await findCoordinator(c1, 0, [groupId]);
        assert.is(r[0]!.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
        await cluster.startBroker(2);
        assert.is(await coordinatorOf(c1, 0, groupId), 2);
      } finally {
        c1.close();
      }
      c2 = await connect(addr(cluster.broker(2)));
      try {
        const fetched = await until('the offsets loaded', async () => {
          const f = await offsetFetch(c2, groupId);
          return f.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? null : f;
        });
        assert.is(fetched.errorCode, ErrorCode.NONE);
        assert.is(fetched.offsets.get('orders:3'), 1234);
      } finally {
        c2.close();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('internal topics: replication factor capped to the live brokers, min.insync.replicas from transaction.state.log.min.isr', async () => {
  await withCluster(
    { brokers: 2, config: { 'offsets.topic.num.partitions': 2, 'transaction.state.log.num.partitions': 2, 'transaction.state.log.min.isr': 2 } },
    async (cluster) => {
      const c = await connect(addr(cluster.broker(0)));
      try {
        await findCoordinator(c, 0, ['g']);
        await findCoordinator(c, 1, ['t']);
        await until('both internal topics', () => cluster.broker(1).metadata.topic(OFFSETS) && cluster.broker(1).metadata.topic(TXN));
        const md = cluster.broker(1).metadata;
        for (const name of [OFFSETS, TXN])
          for (const p of md.topic(name)!.partitions) assert.is(p.replicas.length, 2, `${name} has 2 replicas (3 wanted, 2 live)`);
        assert.is(md.topic(TXN)!.configs['min.insync.replicas'], '2');
        assert.is(md.topic(OFFSETS)!.configs['min.insync.replicas'], undefined, 'the offsets topic follows min.insync.replicas, as in Kafka');
      } finally {
        c.close();
      }
    },
  );
});

test('WriteTxnMarkers from a client connection: CLUSTER_AUTHORIZATION_FAILED and nothing written', async () => {
  await withCluster({ brokers: 2 }, async (cluster) => {
    const b0 = cluster.broker(0);
    await b0.metadata.createTopicAsync({ name: 'victim', numPartitions: 1, replicationFactor: 1 });
    await until('topic', () => b0.metadata.topic('victim'));
    const leader = cluster.broker(b0.metadata.topic('victim')!.partitions[0]!.leader);
    const log = leader.logManager.get('victim', 0)!;
    const before = log.logEndOffset;
    for (const clientId of ['rogue', `samsa-broker-${b0.nodeId}-not-its-incarnation`]) {
      const c = await connect(addr(leader), clientId);
      try {
        const r = await c.send(WriteTxnMarkersRequest, WriteTxnMarkersResponse, 1, {
          markers: [{ producerId: 7, producerEpoch: 0, transactionResult: true, coordinatorEpoch: 0, topics: [{ name: 'victim', partitionIndexes: [0] }] }],
        });
        assert.is(r.markers[0]!.topics[0]!.partitions[0]!.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, clientId);
      } finally {
        c.close();
      }
    }
    assert.is(log.logEndOffset, before, 'no marker appended');
  });
});

test('WriteTxnMarkers from a live broker: written by the leader, NOT_LEADER_OR_FOLLOWER elsewhere, a stale coordinator epoch fenced', async () => {
  await withCluster({ brokers: 2 }, async (cluster) => {
    const b0 = cluster.broker(0);
    const b1 = cluster.broker(1);
    await b0.metadata.createTopicAsync({ name: 'marked', numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 0, brokerIds: [1] }] });
    await until('topic', () => b1.metadata.topic('marked'));
    const log = b1.logManager.get('marked', 0)!;
    const asBroker0 = interBrokerClientId(0, b0.incarnationId);
    const send = async (to: Broker, coordinatorEpoch: number) => {
      const c = await connect(addr(to), asBroker0);
      try {
        const r = await c.send(WriteTxnMarkersRequest, WriteTxnMarkersResponse, 1, {
          markers: [
            {
              producerId: 11,
              producerEpoch: 0,
              transactionResult: false,
              coordinatorEpoch,
              topics: [
                { name: 'marked', partitionIndexes: [0] },
                { name: 'nope', partitionIndexes: [0] },
              ],
            },
          ],
        });
        return r.markers[0]!.topics.map((t) => t.partitions[0]!.errorCode);
      } finally {
        c.close();
      }
    };
    assert.equal(await send(b1, 5), [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    assert.is(log.logEndOffset, 1, 'the ABORT marker is in the log');
    assert.equal(await send(b0, 5), [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    assert.equal(await send(b1, 4), [ErrorCode.TRANSACTION_COORDINATOR_FENCED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    assert.is(log.logEndOffset, 1, 'nothing written for the fenced coordinator');
  });
});

test('KIP-890 across brokers: a transactional batch for a partition outside the transaction is refused after asking the remote coordinator', async () => {
  await withCluster({ brokers: 2, config: { 'transaction.state.log.num.partitions': 4 } }, async (cluster) => {
    const b0 = cluster.broker(0);
    const b1 = cluster.broker(1);
    b0.txnCoordinator.ensureStateTopic();
    await b0.metadata.createTopicAsync({ name: 'v', numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 0, brokerIds: [1] }] });
    await until('topics', () => cluster.brokers().every((b) => b.metadata.topic('v') && b.metadata.topic(TXN)));
    const t = b0.metadata.topic(TXN)!;
    let id = '';
    for (let i = 0; ; i++) if (t.partitions[partitionForKey((id = `verify-${i}`), 4)]!.leader === 0) break;
    const c0 = await connect(addr(b0));
    const c1 = await connect(addr(b1));
    try {
      const init = await until('InitProducerId', async () => {
        const r = await c0.send(InitProducerIdRequest, InitProducerIdResponse, 4, {
          transactionalId: id,
          transactionTimeoutMs: 60_000,
          producerId: -1,
          producerEpoch: -1,
        });
        return r.errorCode === ErrorCode.NONE ? r : null;
      });
      const produce = async (seq: number) => {
        const r = await c1.send(ProduceRequest, ProduceResponse, 9, {
          acks: -1,
          timeoutMs: 5000,
          transactionalId: id,
          topicData: [
            {
              name: 'v',
              partitionData: [
                {
                  index: 0,
                  records: buildBatch([{ key: null, value: Buffer.from('x') }], {
                    producerId: init.producerId,
                    producerEpoch: init.producerEpoch,
                    baseSequence: seq,
                    transactional: true,
                  }),
                },
              ],
            },
          ],
        });
        return r.responses[0]!.partitionResponses[0]!.errorCode;
      };
      const log = b1.logManager.get('v', 0)!;
      assert.is(await produce(0), ErrorCode.INVALID_TXN_STATE, 'not in the transaction: refused');
      assert.is(log.logEndOffset, 0, 'nothing written');
      const added = await c0.send(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, 3, {
        v3AndBelowTransactionalId: id,
        v3AndBelowProducerId: init.producerId,
        v3AndBelowProducerEpoch: init.producerEpoch,
        v3AndBelowTopics: [{ name: 'v', partitions: [0] }],
      });
      assert.is(added.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode, ErrorCode.NONE);
      assert.is(await produce(0), ErrorCode.NONE, 'in the transaction: written');
      assert.is(await produce(1), ErrorCode.NONE, 'the transaction is open on the partition now');
      assert.is(log.logEndOffset, 2);
    } finally {
      c0.close();
      c1.close();
    }
  });
});

test.run();
