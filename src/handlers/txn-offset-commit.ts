// TxnOffsetCommit (key 28), v0-v4: offsets committed inside a transaction. They are written to
// __consumer_offsets as the producer's transactional batch and become visible to OffsetFetch only
// when the transaction commits (src/txn/txn-offsets.ts). v5 (transaction version 2) is not served.
import { TxnOffsetCommitRequest } from '../protocol/generated/txn-offset-commit-request.js';
import { TxnOffsetCommitResponse } from '../protocol/generated/txn-offset-commit-response.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { GroupState, type OffsetAndMetadata } from '../coordinator/coordinator.js';
import { defineHandler } from './types.js';

export const txnOffsetCommitHandler = defineHandler({
  request: TxnOffsetCommitRequest,
  response: TxnOffsetCommitResponse,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    const broker = ctx.broker;
    const answer = (code: (topic: string, partition: number) => number) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(t.name, p.partitionIndex) })),
      })),
    });
    if (req.groupId === '') return answer(() => ErrorCode.INVALID_GROUP_ID);
    const c = broker.coordinator;
    // In a cluster: NOT_COORDINATOR when another broker leads the group's offsets partition.
    const problem = c.availability(req.groupId) || c.ensureOffsetsTopic();
    if (problem) return answer(() => problem);
    const txnCode = broker.txnCoordinator.verifyOffsetCommit(req.transactionalId, req.producerId, req.producerEpoch, req.groupId);
    if (txnCode !== ErrorCode.NONE) return answer(() => txnCode);
    // v3+ carries the member's generation: a live group checks it (Kafka's validateOffsetCommit).
    // Kafka's coordinator creates the group if needed, as for a standalone consumer's commits.
    // A KIP-848 consumer group checks the member and its epoch (and is never shadowed by a classic group).
    const consumerCode = c.checkTxnCommitToConsumerGroup(
      req.groupId,
      req.memberId,
      req.generationId,
      req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex }))),
    );
    if (consumerCode) return answer(() => consumerCode);
    const group = consumerCode === null ? (c.group(req.groupId) ?? c.getOrCreateGroup(req.groupId)) : null;
    if (group && !group.is(GroupState.Dead) && ctx.apiVersion >= 3 && req.generationId >= 0) {
      try {
        group.validateMember(req.memberId, req.groupInstanceId);
        if (req.generationId !== group.generationId) throw new KafkaError(ErrorCode.ILLEGAL_GENERATION, 'stale generation');
      } catch (err) {
        if (err instanceof KafkaError) return answer(() => err.code);
        throw err;
      }
    }
    const now = Date.now();
    const maxMeta = c.config.offsetMetadataMaxBytes;
    const offsets: Array<{ topic: string; partition: number; value: OffsetAndMetadata }> = [];
    const tooLarge = new Set<string>();
    for (const t of req.topics) {
      for (const p of t.partitions) {
        if (p.committedMetadata !== null && p.committedMetadata.length > maxMeta) {
          tooLarge.add(`${t.name}:${p.partitionIndex}`);
          continue;
        }
        const value = {
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch < 0 ? -1 : p.committedLeaderEpoch,
          metadata: p.committedMetadata ?? '',
          commitTimestamp: now,
          expireTimestamp: -1,
        };
        offsets.push({ topic: t.name, partition: p.partitionIndex, value });
      }
    }
    try {
      await broker.txnCoordinator.pendingOffsets.commit(req.producerId, req.producerEpoch, req.groupId, offsets);
    } catch (err) {
      const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
      return answer((t, p) => (tooLarge.has(`${t}:${p}`) ? ErrorCode.OFFSET_METADATA_TOO_LARGE : code));
    }
    return answer((t, p) => (tooLarge.has(`${t}:${p}`) ? ErrorCode.OFFSET_METADATA_TOO_LARGE : ErrorCode.NONE));
  },
  errorResponse(req, errorCode) {
    return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) };
  },
});
