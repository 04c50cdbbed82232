// Kafka 4 refuses admin requests that would add too many partitions at once (KAFKA-17870): one
// CreateTopics asking for millions of partitions would otherwise exhaust the broker's memory.
// Two rules of its controller (ReplicationControlManager, QuorumController):
// - CreateTopics: the partitions asked for, counted before any other validation (numPartitions,
//   num.partitions for -1, or the number of assignments), may not exceed 10,000;
// - any user operation may not produce more than 10,000 metadata records: one per new partition,
//   plus, for CreateTopics, one per topic and one per config of each topic that passed
//   validation. CreatePartitions meets only this rule.
// Either refusal fails the whole request with POLICY_VIOLATION.
export const MAX_PARTITIONS_PER_BATCH = 10_000;
export const MAX_RECORDS_PER_USER_OP = 10_000;

export const TOO_MANY_PARTITIONS = 'Excessively large number of partitions per request.';
export const TOO_MANY_RECORDS = 'Unable to perform excessively large batch operation.';

export interface RequestedTopic {
  numPartitions: number;
  assignments: readonly unknown[];
}

// ReplicationControlManager.validateTotalNumberOfPartitions: an upper bound of what the request
// asks for (non-positive counts are refused later, topic by topic).
export function requestedPartitions(topics: readonly RequestedTopic[], defaultNumPartitions: number): number {
  let total = 0;
  for (const t of topics) {
    if (t.assignments.length > 0) total += t.assignments.length;
    else if (t.numPartitions === -1) total += defaultNumPartitions;
    else if (t.numPartitions > 0) total += t.numPartitions;
  }
  return total;
}
