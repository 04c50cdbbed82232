// The member checks of OffsetCommit and OffsetFetch for KIP-848 consumer groups, after Kafka's
// ConsumerGroup.validateOffsetCommit / validateOffsetFetch (OffsetMetadataManager calls them).
// Commits use KIP-1251 assignment epochs (group.ts): a member whose epoch moved on while
// it was still committing at the previous one is not refused for partitions it kept.
import { ErrorCode, KafkaError } from '../../errors.js';
import type { GroupCoordinator } from '../coordinator.js';
import type { ConsumerGroup } from './group.js';

/** Checks one committed partition (KIP-1251); throws a KafkaError. */
export type CommitPartitionValidator = (topic: string, partition: number) => void;

/**
 * Kafka's ConsumerGroup.validateOffsetCommit (non-transactional) with KIP-1251 assignment epochs:
 * the current member epoch commits anything; an older epoch commits only partitions the member
 * owns (assigned or pending revocation) that were assigned at or before that epoch; a newer
 * epoch is STALE_MEMBER_EPOCH.
 */
export function validateConsumerGroupCommit(
  c: GroupCoordinator,
  g: ConsumerGroup,
  memberId: string,
  memberEpoch: number,
  apiVersion: number,
  transactional = false,
): CommitPartitionValidator | null {
  if (memberEpoch < 0 && g.isEmpty) return null;
  const m = g.members.get(memberId);
  if (!m) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${g.groupId}.`);
  if (!transactional && apiVersion < 9)
    throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, 'OffsetCommit version 9 or above must be used by members using the consumer group protocol');
  if (memberEpoch === m.memberEpoch) return null;
  if (memberEpoch > m.memberEpoch)
    throw new KafkaError(ErrorCode.STALE_MEMBER_EPOCH, `Received member epoch ${memberEpoch} is newer than current member epoch ${m.memberEpoch}.`);
  return (topic, partition) => {
    const topicId = c.metadata.topic(topic)?.id;
    const assignedAt = topicId === undefined ? undefined : m.assignmentEpoch(topicId, partition);
    if (assignedAt === undefined)
      throw new KafkaError(ErrorCode.STALE_MEMBER_EPOCH, `Partition ${topic}-${partition} is not assigned or pending revocation for member.`);
    if (memberEpoch < assignedAt)
      throw new KafkaError(
        ErrorCode.STALE_MEMBER_EPOCH,
        `Received member epoch ${memberEpoch} is older than assignment epoch ${assignedAt} for partition ${topic}-${partition}.`,
      );
  };
}

/**
 * Kafka's ConsumerGroup.validateOffsetFetch: without a member id and with a negative epoch (admin
 * tools, clients outside the group) anything goes; otherwise the member must exist
 * (UNKNOWN_MEMBER_ID) at exactly that epoch (STALE_MEMBER_EPOCH).
 */
export function validateConsumerGroupFetch(g: ConsumerGroup, memberId: string | null, memberEpoch: number): void {
  if (memberId === null && memberEpoch < 0) return;
  const m = memberId === null ? undefined : g.members.get(memberId);
  if (!m) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${g.groupId}.`);
  if (memberEpoch !== m.memberEpoch)
    throw new KafkaError(ErrorCode.STALE_MEMBER_EPOCH, `The received member epoch ${memberEpoch} does not match the expected member epoch ${m.memberEpoch}.`);
}

/**
 * TxnOffsetCommit to a consumer group (OffsetMetadataManager.validateTransactionalOffsetCommit):
 * the commit checks without the version rule, a stale epoch answered as ILLEGAL_GENERATION.
 * Returns NONE or the error code for every partition.
 */
export function validateConsumerGroupTxnCommit(
  c: GroupCoordinator,
  g: ConsumerGroup,
  memberId: string,
  memberEpoch: number,
  partitions: ReadonlyArray<{ topic: string; partition: number }>,
): number {
  try {
    const validator = validateConsumerGroupCommit(c, g, memberId, memberEpoch, 0, true);
    if (validator) for (const p of partitions) validator(p.topic, p.partition);
    return ErrorCode.NONE;
  } catch (err) {
    if (!(err instanceof KafkaError)) throw err;
    return err.code === ErrorCode.STALE_MEMBER_EPOCH ? ErrorCode.ILLEGAL_GENERATION : err.code;
  }
}
