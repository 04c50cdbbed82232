// OffsetDelete (key 47), v0 (src/coordinator/offsets.ts): removes committed offsets of a group
// that is empty, or of topics its consumer-protocol members no longer subscribe to
// (GROUP_SUBSCRIBED_TO_TOPIC otherwise). Partitions of unknown topics get
// UNKNOWN_TOPIC_OR_PARTITION; the answer waits for the tombstones to be durable.
import { OffsetDeleteRequest } from '../protocol/generated/offset-delete-request.js';
import { OffsetDeleteResponse, type OffsetDeleteResponseTopic } from '../protocol/generated/offset-delete-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export const offsetDeleteHandler = defineHandler({
  request: OffsetDeleteRequest,
  response: OffsetDeleteResponse,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx) {
    const metadata = ctx.broker.metadata;
    const unknown: Input<OffsetDeleteResponseTopic>[] = [];
    const known: Array<{ name: string; partitions: number[] }> = [];
    for (const t of req.topics) {
      const topic = metadata.topic(t.name);
      const bad = t.partitions
        .filter((p) => !topic?.partitions[p.partitionIndex])
        .map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }));
      if (bad.length > 0) unknown.push({ name: t.name, partitions: bad });
      const good = t.partitions.filter((p) => topic?.partitions[p.partitionIndex]).map((p) => p.partitionIndex);
      if (good.length > 0) known.push({ name: t.name, partitions: good });
    }
    const r = await ctx.broker.coordinator.deleteOffsets(req.groupId, known);
    if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
    const topics = [
      ...r.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: p.errorCode })) })),
      ...unknown,
    ];
    return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, throttleTimeMs: 0, topics: [] };
  },
});
