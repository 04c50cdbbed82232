// Raw group protocol calls over samsa's own client, for the coordinator tests: each helper sends
// one request at a chosen version and returns the decoded answer, bounded by a timeout.
import { ClientConnection } from '../../src/client/connection.js';
import { JoinGroupRequest } from '../../src/protocol/generated/join-group-request.js';
import { JoinGroupResponse } from '../../src/protocol/generated/join-group-response.js';
import { SyncGroupRequest } from '../../src/protocol/generated/sync-group-request.js';
import { SyncGroupResponse } from '../../src/protocol/generated/sync-group-response.js';
import { HeartbeatRequest } from '../../src/protocol/generated/heartbeat-request.js';
import { HeartbeatResponse } from '../../src/protocol/generated/heartbeat-response.js';
import { LeaveGroupRequest } from '../../src/protocol/generated/leave-group-request.js';
import { LeaveGroupResponse } from '../../src/protocol/generated/leave-group-response.js';
import { OffsetCommitRequest } from '../../src/protocol/generated/offset-commit-request.js';
import { OffsetCommitResponse } from '../../src/protocol/generated/offset-commit-response.js';
import { OffsetFetchRequest } from '../../src/protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../src/protocol/generated/offset-fetch-response.js';
import { DescribeGroupsRequest } from '../../src/protocol/generated/describe-groups-request.js';
import { DescribeGroupsResponse } from '../../src/protocol/generated/describe-groups-response.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import type { Input, MessageCodec } from '../../src/protocol/primitives/index.js';
import { encodeSubscription } from '../../src/coordinator/classic/consumer-protocol.js';

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function connect(bootstrap: string, clientId = 'coordinator-test'): Promise<ClientConnection> {
  const i = bootstrap.lastIndexOf(':');
  const c = await ClientConnection.connect(bootstrap.slice(0, i), Number(bootstrap.slice(i + 1)), { clientId, timeoutMs: 5000 });
  await withTimeout(c.negotiate(), 5000, 'ApiVersions');
  return c;
}

function send<Req, Res>(c: ClientConnection, req: MessageCodec<Req>, res: MessageCodec<Res>, v: number, body: Input<Req>, ms = 10_000): Promise<Res> {
  return withTimeout(c.send(req, res, v, body), ms, `${req.name} v${v}`);
}

export async function createTopic(c: ClientConnection, name: string, numPartitions: number): Promise<void> {
  const r = await send(c, CreateTopicsRequest, CreateTopicsResponse, 5, { topics: [{ name, numPartitions, replicationFactor: 1 }], timeoutMs: 5000 });
  if (r.topics[0]!.errorCode !== 0) throw new Error(`CreateTopics ${name}: error ${r.topics[0]!.errorCode}`);
}

export interface JoinOptions {
  memberId?: string;
  groupInstanceId?: string | null;
  protocolType?: string;
  protocols?: Array<{ name: string; metadata: Buffer }>;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  version?: number;
  timeoutMs?: number;
}

export function join(c: ClientConnection, groupId: string, o: JoinOptions = {}) {
  const v = o.version ?? 9;
  return send(
    c,
    JoinGroupRequest,
    JoinGroupResponse,
    v,
    {
      groupId,
      sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000,
      rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 10_000,
      memberId: o.memberId ?? '',
      groupInstanceId: v >= 5 ? (o.groupInstanceId ?? null) : null,
      protocolType: o.protocolType ?? 'consumer',
      protocols: o.protocols ?? [{ name: 'range', metadata: encodeSubscription(['t']) }],
      reason: null,
    },
    o.timeoutMs ?? 10_000,
  );
}

/** JoinGroup, following MEMBER_ID_REQUIRED once: the member's JoinGroup answer. */
export async function joinFully(c: ClientConnection, groupId: string, o: JoinOptions = {}) {
  const first = await join(c, groupId, o);
  if (first.errorCode !== 79) return first;
  return join(c, groupId, { ...o, memberId: first.memberId });
}

export function sync(
  c: ClientConnection,
  groupId: string,
  generationId: number,
  memberId: string,
  assignments: Array<{ memberId: string; assignment: Buffer }> = [],
  o: { groupInstanceId?: string | null; version?: number; protocolType?: string | null; protocolName?: string | null } = {},
) {
  return send(c, SyncGroupRequest, SyncGroupResponse, o.version ?? 5, {
    groupId,
    generationId,
    memberId,
    groupInstanceId: o.groupInstanceId ?? null,
    protocolType: o.protocolType === undefined ? 'consumer' : o.protocolType,
    protocolName: o.protocolName === undefined ? 'range' : o.protocolName,
    assignments,
  });
}

export async function heartbeat(
  c: ClientConnection,
  groupId: string,
  generationId: number,
  memberId: string,
  groupInstanceId: string | null = null,
): Promise<number> {
  const r = await send(c, HeartbeatRequest, HeartbeatResponse, 4, { groupId, generationId, memberId, groupInstanceId });
  return r.errorCode;
}

export function leave(c: ClientConnection, groupId: string, members: Array<{ memberId: string; groupInstanceId?: string | null }>) {
  return send(c, LeaveGroupRequest, LeaveGroupResponse, 5, {
    groupId,
    members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, reason: null })),
  });
}

export async function commit(
  c: ClientConnection,
  groupId: string,
  generationId: number,
  memberId: string,
  offsets: Array<{ topic: string; partition: number; offset: number; metadata?: string | null }>,
  o: { groupInstanceId?: string | null; version?: number } = {},
): Promise<number[]> {
  const byTopic = new Map<string, typeof offsets>();
  for (const x of offsets) byTopic.set(x.topic, [...(byTopic.get(x.topic) ?? []), x]);
  const r = await send(c, OffsetCommitRequest, OffsetCommitResponse, o.version ?? 9, {
    groupId,
    generationIdOrMemberEpoch: generationId,
    memberId,
    groupInstanceId: o.groupInstanceId ?? null,
    topics: [...byTopic].map(([name, ps]) => ({
      name,
      partitions: ps.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: -1, committedMetadata: p.metadata ?? '' })),
    })),
  });
  return r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
}

/** Committed offsets of a group (OffsetFetch v8+, all topics), as `topic:partition` -> offset. */
export async function fetchCommitted(c: ClientConnection, groupId: string): Promise<Map<string, number>> {
  const r = await send(c, OffsetFetchRequest, OffsetFetchResponse, 9, {
    groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }],
    requireStable: true,
  });
  const out = new Map<string, number>();
  for (const t of r.groups[0]?.topics ?? []) for (const p of t.partitions) out.set(`${t.name}:${p.partitionIndex}`, p.committedOffset);
  return out;
}

export async function describe(c: ClientConnection, groupId: string, version = 6) {
  const r = await send(c, DescribeGroupsRequest, DescribeGroupsResponse, version, { groups: [groupId], includeAuthorizedOperations: false });
  return r.groups[0]!;
}

/** Polls DescribeGroups until `pred` holds; fails after `ms`. */
export async function waitForGroup(
  c: ClientConnection,
  groupId: string,
  pred: (g: Awaited<ReturnType<typeof describe>>) => boolean,
  ms = 10_000,
  what = 'group condition',
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const g = await describe(c, groupId);
    if (pred(g)) return g;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms; group is ${g.groupState} with ${g.members.length} members`);
    await sleep(20);
  }
}
