// Raw KIP-848 calls over samsa's own client for the consumer group tests: ConsumerGroupHeartbeat
// (join, heartbeat, leave), ConsumerGroupDescribe, and OffsetFetch / OffsetCommit with a member
// id and epoch. Each call is bounded by a timeout.
import type { ClientConnection } from '../../src/client/connection.js';
import { ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatRequest as HbReq } from '../../src/protocol/generated/consumer-group-heartbeat-request.js';
import { ConsumerGroupHeartbeatResponse } from '../../src/protocol/generated/consumer-group-heartbeat-response.js';
import { ConsumerGroupDescribeRequest } from '../../src/protocol/generated/consumer-group-describe-request.js';
import { ConsumerGroupDescribeResponse } from '../../src/protocol/generated/consumer-group-describe-response.js';
import { OffsetFetchRequest } from '../../src/protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../src/protocol/generated/offset-fetch-response.js';
import { withTimeout } from '../coordinator/helpers.js';

export type Parts = Array<{ topicId: string; partitions: number[] }>;

/** One ConsumerGroupHeartbeat (v1 unless told); unset fields are "unchanged" (null / -1). */
export function hb(c: ClientConnection, body: Partial<HbReq> & { groupId: string }, version = 1) {
  const full: HbReq = {
    memberId: '',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: null,
    ...body,
  };
  return withTimeout(c.send(ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, version, full), 10_000, 'ConsumerGroupHeartbeat');
}

/** A member joining (epoch 0) with a topic-name subscription. */
export function joinCg(c: ClientConnection, groupId: string, memberId: string, topics: string[], extra: Partial<HbReq> = {}) {
  return hb(c, { groupId, memberId, memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: topics, topicPartitions: [], ...extra });
}

/** The partition numbers of an assignment, sorted (all topics together). */
export const partsOf = (a: { topicPartitions: Parts } | null): number[] => (a ? a.topicPartitions.flatMap((t) => t.partitions).sort((x, y) => x - y) : []);

export async function describeCg(c: ClientConnection, groupId: string) {
  const r = await withTimeout(
    c.send(ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, 1, { groupIds: [groupId], includeAuthorizedOperations: false }),
    10_000,
    'ConsumerGroupDescribe',
  );
  return r.groups[0]!;
}

/**
 * Whether every member's client holds what the group assigned it (partitions of all topics,
 * found by client id; `held` returns undefined for a client the test does not know). A client
 * learns its assignment on the heartbeat after the coordinator computed it, so a test waits for
 * this instead of sleeping through a few heartbeat intervals.
 */
export function clientsHoldAssignments(d: Awaited<ReturnType<typeof describeCg>>, held: (clientId: string) => number[] | undefined): boolean {
  return d.members.every((m) => {
    const mine = held(m.clientId);
    const assigned = m.assignment.topicPartitions.flatMap((t) => t.partitions).sort((x, y) => x - y);
    return mine !== undefined && mine.length === assigned.length && [...mine].sort((x, y) => x - y).every((p, i) => p === assigned[i]);
  });
}

/** OffsetFetch v9 of some partitions as a member: the group's error code and `topic:partition` -> offset. */
export async function fetchAsMember(
  c: ClientConnection,
  groupId: string,
  memberId: string | null,
  memberEpoch: number,
  topics: Array<{ name: string; partitionIndexes: number[] }>,
) {
  const r = await withTimeout(
    c.send(OffsetFetchRequest, OffsetFetchResponse, 9, { groups: [{ groupId, memberId, memberEpoch, topics }], requireStable: false }),
    10_000,
    'OffsetFetch',
  );
  const g = r.groups[0]!;
  const offsets = new Map<string, number>();
  for (const t of g.topics) for (const p of t.partitions) offsets.set(`${t.name}:${p.partitionIndex}`, p.committedOffset);
  return { errorCode: g.errorCode, offsets };
}

/** A described group reduced to what must survive a restart, members sorted by id. */
export function durableState(d: Awaited<ReturnType<typeof describeCg>>) {
  const parts = (tps: Array<{ topicId: string; topicName: string; partitions: number[] }>) =>
    tps
      .map((t) => ({ topicId: t.topicId, topicName: t.topicName, partitions: [...t.partitions].sort((x, y) => x - y) }))
      .sort((x, y) => (x.topicId < y.topicId ? -1 : 1));
  return {
    errorCode: d.errorCode,
    groupState: d.groupState,
    groupEpoch: d.groupEpoch,
    assignmentEpoch: d.assignmentEpoch,
    assignorName: d.assignorName,
    members: d.members
      .map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        subscribedTopicNames: [...m.subscribedTopicNames].sort(),
        subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: parts(m.assignment.topicPartitions),
        targetAssignment: parts(m.targetAssignment.topicPartitions),
      }))
      .sort((x, y) => (x.memberId < y.memberId ? -1 : 1)),
  };
}
