// OffsetCommit (key 8), v0-10 (src/coordinator/offsets.ts). Partitions of unknown topics get
// UNKNOWN_TOPIC_OR_PARTITION (v10, by topic id: UNKNOWN_TOPIC_ID) and the rest go to the
// coordinator, whose answer waits until the commit is durable in __consumer_offsets.
//   v0: no generation or member id (commits accepted only while the group is empty or unknown,
//       Kafka's rule for them); v1: a commit timestamp per partition; v2-4: a retention time;
//   v6+: leader epochs; v7+: group.instance.id; v9+: GROUP_ID_NOT_FOUND for an unknown group
//   with a generation; v10: topic ids instead of names.
import { OffsetCommitRequest } from '../protocol/generated/offset-commit-request.js';
import { OffsetCommitResponse, type OffsetCommitResponseTopic } from '../protocol/generated/offset-commit-response.js';
import { ZERO_UUID, type Input } from '../protocol/primitives/index.js';
import { ErrorCode } from '../errors.js';
import type { CommitRequest } from '../coordinator/coordinator.js';
import { defineHandler } from './types.js';

export const offsetCommitHandler = defineHandler({
  request: OffsetCommitRequest,
  response: OffsetCommitResponse,
  minVersion: 0,
  maxVersion: 10,
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    const useIds = v >= 10;
    const metadata = ctx.broker.metadata;
    const topics: Input<OffsetCommitResponseTopic>[] = [];
    const commit: CommitRequest = {
      groupId: req.groupId,
      generationId: v >= 1 ? req.generationIdOrMemberEpoch : -1,
      memberId: v >= 1 ? req.memberId : '',
      groupInstanceId: v >= 7 ? req.groupInstanceId : null,
      retentionTimeMs: v >= 2 && v <= 4 ? req.retentionTimeMs : -1,
      topics: [],
    };
    // Where each committed partition's answer goes.
    const slots: Array<Array<{ partitionIndex: number; errorCode: number }>> = [];
    for (const t of req.topics) {
      const topic = useIds ? metadata.topicById(t.topicId) : metadata.topic(t.name);
      const partitions = t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE as number }));
      topics.push({ name: useIds ? '' : t.name, topicId: useIds ? t.topicId : ZERO_UUID, partitions });
      const valid: CommitRequest['topics'][number] = { name: topic?.name ?? t.name, partitions: [] };
      const slot: Array<{ partitionIndex: number; errorCode: number }> = [];
      t.partitions.forEach((p, i) => {
        if (!topic || !topic.partitions[p.partitionIndex]) {
          partitions[i]!.errorCode = useIds ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          return;
        }
        valid.partitions.push({
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: v >= 6 ? p.committedLeaderEpoch : -1,
          metadata: p.committedMetadata,
          commitTimestamp: v === 1 ? p.commitTimestamp : -1,
        });
        slot.push(partitions[i]!);
      });
      if (valid.partitions.length > 0) {
        commit.topics.push(valid);
        slots.push(slot);
      }
    }
    if (commit.topics.length > 0) {
      const codes = await ctx.broker.coordinator.commitOffsets(commit, v);
      codes.forEach((topicCodes, i) => topicCodes.forEach((code, j) => (slots[i]![j]!.errorCode = code)));
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(req, errorCode) {
    return {
      topics: req.topics.map((t) => ({
        name: t.name,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    };
  },
});
