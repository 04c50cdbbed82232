// Preferred and unclean leader elections, as KRaft's ReplicationControlManager.electLeader and
// PartitionChangeBuilder decide them: used by ElectLeaders (API 43) and by the controller's
// automatic preferred-leader rebalance (controller.ts).
// - PREFERRED: the first replica (the preferred leader) leads again if it is live and in the
//   ISR; ELECTION_NOT_NEEDED if it leads already, PREFERRED_LEADER_NOT_AVAILABLE otherwise.
// - UNCLEAN: for a partition without a live leader only: a live ISR member if there is one, else
//   the first live replica with an ISR of itself (what only the old ISR had is lost);
//   ELECTION_NOT_NEEDED if the partition has a leader, ELIGIBLE_LEADERS_NOT_AVAILABLE if no replica
//   is live.
// A broker that is not the controller carries the election out itself through the quorum: the
// change is a compare-and-set on the partition epoch (ClusterMetadata.changePartition), so it
// cannot overwrite a concurrent decision of the controller; a stale one is decided again.
import { ErrorCode, errorInfo } from '../errors.js';
import type { ClusterMetadata } from './cluster-metadata.js';
import type { PartitionState } from './topic.js';

export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;
export type ElectionType = (typeof ElectionType)[keyof typeof ElectionType];

export type ElectionDecision = { change: { leader: number; isr: number[] } } | { errorCode: number };

export function decideElection(p: PartitionState, type: ElectionType, live: ReadonlySet<number>): ElectionDecision {
  if (type === ElectionType.PREFERRED) {
    const preferred = p.replicas[0];
    if (preferred === undefined) return { errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE };
    if (p.leader === preferred) return { errorCode: ErrorCode.ELECTION_NOT_NEEDED };
    if (!live.has(preferred) || !p.isr.includes(preferred)) return { errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE };
    return { change: { leader: preferred, isr: p.isr } };
  }
  if (p.leader >= 0 && live.has(p.leader)) return { errorCode: ErrorCode.ELECTION_NOT_NEEDED };
  const liveIsr = p.isr.filter((b) => live.has(b));
  const clean = p.replicas.find((b) => liveIsr.includes(b));
  if (clean !== undefined) return { change: { leader: clean, isr: liveIsr } };
  const unclean = p.replicas.find((b) => live.has(b));
  if (unclean !== undefined) return { change: { leader: unclean, isr: [unclean] } };
  return { errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE };
}

export function liveBrokerIds(metadata: ClusterMetadata): Set<number> {
  return new Set(metadata.brokers().map((b) => b.nodeId));
}

export interface ElectionResult {
  errorCode: number;
  errorMessage: string | null;
}

const result = (errorCode: number, errorMessage?: string): ElectionResult => ({
  errorCode,
  errorMessage: errorCode === ErrorCode.NONE ? null : (errorMessage ?? errorInfo(errorCode).message),
});

// Elects a leader for one partition and resolves once the change is in this broker's image.
export async function electLeader(metadata: ClusterMetadata, topicName: string, partition: number, type: ElectionType): Promise<ElectionResult> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const t = metadata.topic(topicName);
    if (!t) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such topic as ${topicName}`);
    const p = t.partitions[partition];
    if (!p) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such partition as ${topicName}-${partition}`);
    const decision = decideElection(p, type, liveBrokerIds(metadata));
    if ('errorCode' in decision) return result(decision.errorCode);
    // A single broker leads all its partitions: a decision to change one cannot arise there.
    if (!metadata.quorum) return result(ErrorCode.ELECTION_NOT_NEEDED);
    if (await metadata.changePartition(t.id, p.partition, p.partitionEpoch ?? 0, decision.change)) return result(ErrorCode.NONE);
  }
  return result(ErrorCode.REQUEST_TIMED_OUT, 'the partition kept changing while its leader was being elected');
}
