// Who may ask what of a replica in a cluster (issue 13): a replica fetch (or OffsetForLeaderEpoch
// with a replica id) whose replica id is not a live broker holding a replica is refused; a
// consumer's Fetch or ListOffsets on a follower is NOT_LEADER_OR_FOLLOWER (no KIP-392), and
// KIP-951 names the current leader in Fetch v16+ and Produce v10+ responses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCluster } from '../../src/index.js';
import { ErrorCode } from '../../src/errors.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { OffsetForLeaderEpochRequest } from '../../src/protocol/generated/offset-for-leader-epoch-request.js';
import { OffsetForLeaderEpochResponse } from '../../src/protocol/generated/offset-for-leader-epoch-response.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { connectClient, listOffset, LATEST, produceRaw } from '../data-path/helpers.js';
import { partitionState, replicasInSync } from './helpers.js';

function fetch(c: ClientConnection, v: number, replicaId: number, topic: { topic: string; topicId: string }, fetchOffset = 0) {
  const replica = v <= 14 ? { replicaId } : { replicaState: { replicaId, replicaEpoch: -1 } };
  return c.send(FetchRequest, FetchResponse, v, {
    ...replica,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      { ...topic, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, logStartOffset: -1, lastFetchedEpoch: -1 }] },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
}

test('replica requests from a replica id that is not a live broker holding a replica are refused; consumers are served by the leader only', async () => {
  const cluster = await startCluster({ brokers: 4 });
  const conns: ClientConnection[] = [];
  try {
    const t = await cluster.broker(0).metadata.createTopicAsync({ name: 'guarded', numPartitions: 1, replicationFactor: 3 });
    const p = partitionState(cluster, 0, 'guarded', 0);
    const leader = cluster.broker(p.leader);
    const follower = p.replicas.find((id) => id !== p.leader)!;
    const outsider = [0, 1, 2, 3].find((id) => !p.replicas.includes(id))!;
    const c = await connectClient(leader.bootstrap);
    conns.push(c);
    assert.is(
      (await produceRaw(c, 'guarded', [{ index: 0, records: buildBatch([{ key: null, value: Buffer.from('x') }]) }], { acks: -1 }))[0]!.errorCode,
      ErrorCode.NONE,
    );
    await replicasInSync(cluster, 'guarded', 0);
    const named = { topic: 'guarded', topicId: t.id };
    for (const v of [12, 17]) {
      // Not a broker at all, a live broker without a replica: refused, nothing read.
      for (const id of [42, outsider]) {
        const res = await fetch(c, v, id, named);
        const pd = res.responses[0]!.partitions[0]!;
        assert.is(pd.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER, `v${v} replica id ${id}`);
        assert.is((pd.records as Buffer | null)?.length ?? 0, 0);
      }
      // A real follower is served, past nothing it should not see.
      const ok = (await fetch(c, v, follower, named)).responses[0]!.partitions[0]!;
      assert.is(ok.errorCode, ErrorCode.NONE, `v${v} the follower is served`);
    }
    const ofle = await c.send(OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse, 4, {
      replicaId: 42,
      topics: [{ topic: 'guarded', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
    });
    assert.is(ofle.topics[0]!.partitions[0]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const ofleOk = await c.send(OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse, 4, {
      replicaId: follower,
      topics: [{ topic: 'guarded', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
    });
    assert.equal(
      { ...ofleOk.topics[0]!.partitions[0]!, unknownTaggedFields: undefined },
      { partition: 0, errorCode: ErrorCode.NONE, leaderEpoch: 0, endOffset: 1, unknownTaggedFields: undefined },
    );

    // A consumer on a follower: NOT_LEADER_OR_FOLLOWER, with the leader named (KIP-951).
    const fc = await connectClient(cluster.broker(follower).bootstrap);
    conns.push(fc);
    const res = await fetch(fc, 17, -1, named);
    const pd = res.responses[0]!.partitions[0]!;
    assert.is(pd.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.equal({ leaderId: pd.currentLeader.leaderId, leaderEpoch: pd.currentLeader.leaderEpoch }, { leaderId: p.leader, leaderEpoch: p.leaderEpoch });
    assert.equal(
      res.nodeEndpoints.map((e) => [e.nodeId, e.port]),
      [[p.leader, leader.port]],
    );
    assert.is((await listOffset(fc, 'guarded', 0, LATEST)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const prod = await fc.send(ProduceRequest, ProduceResponse, 11, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: 'guarded', partitionData: [{ index: 0, records: buildBatch([{ key: null, value: Buffer.from('y') }]) }] }],
    });
    const pp = prod.responses[0]!.partitionResponses[0]!;
    assert.is(pp.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.equal({ leaderId: pp.currentLeader.leaderId, leaderEpoch: pp.currentLeader.leaderEpoch }, { leaderId: p.leader, leaderEpoch: p.leaderEpoch });
    assert.equal(
      prod.nodeEndpoints.map((e) => [e.nodeId, e.port]),
      [[p.leader, leader.port]],
    );
  } finally {
    for (const c of conns) c.close();
    await cluster.close();
  }
});

test.run();
