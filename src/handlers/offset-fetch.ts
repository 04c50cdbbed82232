// OffsetFetch (key 9), v0-10 (src/coordinator/offsets.ts): committed offsets of the partitions
// asked for, or of every partition the group committed when topics is null (v2+). A partition
// without a commit answers offset -1. v0-7 ask for one group (v0-1 put a group error on each
// partition, v2+ at the top), v8+ for several, v10 names topics by id. require_stable (v7+)
// never waits: samsa has no pending transactional offsets yet, so every offset is stable.
import { OffsetFetchRequest } from '../protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse, type OffsetFetchResponseGroup, type OffsetFetchResponseTopic } from '../protocol/generated/offset-fetch-response.js';
import { ZERO_UUID, type Input } from '../protocol/primitives/index.js';
import { ErrorCode } from '../errors.js';
import { fetchOffsets, type FetchedPartition } from '../coordinator/offsets.js';
import { defineHandler, type RequestContext } from './types.js';

interface AskedTopic {
  name: string;
  topicId: string;
  partitionIndexes: number[];
}

const partitionOut = (p: FetchedPartition) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: p.leaderEpoch, metadata: p.metadata, errorCode: p.errorCode });

/** One group's answer in the v8+ shape. */
function fetchGroup(ctx: RequestContext, groupId: string, asked: AskedTopic[] | null, useIds: boolean): Input<OffsetFetchResponseGroup> {
  const metadata = ctx.broker.metadata;
  if (asked === null) {
    const r = fetchOffsets(ctx.broker.coordinator, groupId, null);
    const topics = r.topics.flatMap((t) => {
      const topicId = metadata.topic(t.name)?.id;
      if (useIds && topicId === undefined) return []; // deleted topic: no id to name it by
      return [{ name: useIds ? '' : t.name, topicId: useIds ? topicId! : ZERO_UUID, partitions: t.partitions.map(partitionOut) }];
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
  const r = fetchOffsets(ctx.broker.coordinator, groupId, names);
  let k = 0;
  const topics = asked.map((t, i) => {
    const u = unknown.get(i);
    const partitions = u
      ? u.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNKNOWN_TOPIC_ID }))
      : (r.topics[k++]?.partitions ?? []).map(partitionOut);
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
      const groups = req.groups.map((g) => fetchGroup(ctx, g.groupId, g.topics === null ? null : g.topics.map((t) => ({ name: t.name, topicId: t.topicId, partitionIndexes: t.partitionIndexes })), v >= 10));
      return { throttleTimeMs: 0, groups };
    }
    const asked = req.topics === null ? null : req.topics.map((t) => ({ name: t.name, topicId: ZERO_UUID, partitionIndexes: t.partitionIndexes }));
    const g = fetchGroup(ctx, req.groupId, asked, false);
    const groupError = g.errorCode ?? ErrorCode.NONE;
    let topics: Input<OffsetFetchResponseTopic>[] = (g.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitions ?? [] }));
    if (v < 2 && groupError !== ErrorCode.NONE) {
      // No top-level error before v2: every partition carries it.
      topics = (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: groupError })) }));
    }
    return { throttleTimeMs: 0, errorCode: groupError, topics };
  },
  errorResponse(req, errorCode, ctx) {
    if (ctx.apiVersion >= 8) return { groups: req.groups.map((g) => ({ groupId: g.groupId, errorCode, topics: [] })) };
    if (ctx.apiVersion < 2) {
      return { topics: (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, metadata: '', errorCode })) })) };
    }
    return { errorCode, topics: [] };
  },
});
