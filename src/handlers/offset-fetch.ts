// OffsetFetch (key 9), v0-10 (src/coordinator/offsets.ts): committed offsets of the partitions
// asked for, or of every partition the group committed when topics is null (v2+). A partition
// without a commit answers offset -1. v0-7 ask for one group (v0-1 put a group error on each
// partition, v2+ at the top), v8+ for several, v10 names topics by id. require_stable (v7+,
// KIP-447): a partition with an offset pending in an open transaction answers
// UNSTABLE_OFFSET_COMMIT with offset -1 (OffsetMetadataManager.fetchOffsets / fetchAllOffsets:
// with topics null only partitions that have a committed offset are listed, as in Kafka).
import { OffsetFetchRequest } from '../protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse, type OffsetFetchResponseGroup, type OffsetFetchResponseTopic } from '../protocol/generated/offset-fetch-response.js';
import { ZERO_UUID, type Input } from '../protocol/primitives/index.js';
import { ErrorCode } from '../errors.js';
import type { FetchedPartition } from '../coordinator/coordinator.js';
import { defineHandler, type RequestContext } from './types.js';

interface AskedTopic {
  name: string;
  topicId: string;
  partitionIndexes: number[];
}

/** One group's answer in the v8+ shape. */
function fetchGroup(
  ctx: RequestContext,
  groupId: string,
  asked: AskedTopic[] | null,
  useIds: boolean,
  requireStable: boolean,
): Input<OffsetFetchResponseGroup> {
  const metadata = ctx.broker.metadata;
  const pending = ctx.broker.txnCoordinator.pendingOffsets;
  const partitionOut = (topic: string) => (p: FetchedPartition) =>
    requireStable && p.errorCode === ErrorCode.NONE && pending.hasPending(groupId, topic, p.partition)
      ? { partitionIndex: p.partition, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }
      : { partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: p.leaderEpoch, metadata: p.metadata, errorCode: p.errorCode };
  if (asked === null) {
    const r = ctx.broker.coordinator.fetchOffsets(groupId, null);
    const topics = r.topics.flatMap((t) => {
      const topicId = metadata.topic(t.name)?.id;
      if (useIds && topicId === undefined) return []; // deleted topic: no id to name it by
      return [{ name: useIds ? '' : t.name, topicId: useIds ? topicId! : ZERO_UUID, partitions: t.partitions.map(partitionOut(t.name)) }];
    });
    return { groupId, errorCode: r.errorCode, topics };
  }
  const unknown = new Map<number, AskedTopic>();
  const names: Array<{ name: string; partitions: number[] }> = [];
  asked.forEach((t, i) => {
    const name = useIds ? metadata.topicById(t.topicId)?.name : t.name;
    if (name === undefined) unknown.set(i, t);
    else names.push({ name, partitions: t.partitionIndexes });
  });
  const r = ctx.broker.coordinator.fetchOffsets(groupId, names);
  let k = 0;
  const topics = asked.map((t, i) => {
    const u = unknown.get(i);
    const known = u ? undefined : r.topics[k++];
    const partitions = u
      ? u.partitionIndexes.map((p) => ({
          partitionIndex: p,
          committedOffset: -1,
          committedLeaderEpoch: -1,
          metadata: '',
          errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
        }))
      : (known?.partitions ?? []).map(partitionOut(known?.name ?? ''));
    return { name: useIds ? '' : t.name, topicId: useIds ? t.topicId : ZERO_UUID, partitions };
  });
  return { groupId, errorCode: r.errorCode, topics: r.errorCode === ErrorCode.NONE ? topics : [] };
}

export const offsetFetchHandler = defineHandler({
  request: OffsetFetchRequest,
  response: OffsetFetchResponse,
  minVersion: 0,
  maxVersion: 10,
  handle(req, ctx) {
    const v = ctx.apiVersion;
    if (v >= 8) {
      const groups = req.groups.map((g) => {
        // v9+: a KIP-848 member's id and epoch are checked first (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH).
        const denied = ctx.broker.coordinator.validateOffsetFetch(g.groupId, g.memberId, g.memberEpoch);
        if (denied) return { groupId: g.groupId, errorCode: denied, topics: [] };
        return fetchGroup(
          ctx,
          g.groupId,
          g.topics === null ? null : g.topics.map((t) => ({ name: t.name, topicId: t.topicId, partitionIndexes: t.partitionIndexes })),
          v >= 10,
          req.requireStable,
        );
      });
      return { throttleTimeMs: 0, groups };
    }
    const asked = req.topics === null ? null : req.topics.map((t) => ({ name: t.name, topicId: ZERO_UUID, partitionIndexes: t.partitionIndexes }));
    const g = fetchGroup(ctx, req.groupId, asked, false, req.requireStable);
    const groupError = g.errorCode ?? ErrorCode.NONE;
    let topics: Input<OffsetFetchResponseTopic>[] = (g.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitions ?? [] }));
    if (v < 2 && groupError !== ErrorCode.NONE) {
      // No top-level error before v2: every partition carries it.
      topics = (req.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: groupError })),
      }));
    }
    return { throttleTimeMs: 0, errorCode: groupError, topics };
  },
  errorResponse(req, errorCode, ctx) {
    if (ctx.apiVersion >= 8) return { groups: req.groups.map((g) => ({ groupId: g.groupId, errorCode, topics: [] })) };
    if (ctx.apiVersion < 2) {
      return {
        topics: (req.topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, metadata: '', errorCode })),
        })),
      };
    }
    return { errorCode, topics: [] };
  },
});
