// Controlled shutdown (Broker.close in a cluster, SIGTERM for `samsa start`): before a broker
// leaves the quorum it hands every leadership it holds to another live in-sync replica and takes
// itself out of every ISR, so clients move to the new leaders at once instead of waiting for the
// session to end (KRaft: ReplicationControlManager.handleBrokerInControlledShutdown, which elects
// new leaders and drops the broker from the ISRs). Each move is a compare-and-set on the
// partition epoch with a leader epoch bump (ClusterMetadata.changePartition). The broker moves
// leaderships itself through the quorum rather than asking the controller: the quorum's CAS
// already keeps two writers from moving one partition from the same state.
// Leaving the ISR also keeps brokers that shut down together from handing a partition back and
// forth: a leadership only goes to an ISR member, and each one that leaves shrinks the ISR.
// The wait is bounded by controlled.shutdown.max.retries and controlled.shutdown.retry.backoff.ms:
// a pass that could not move what it should (the quorum unreachable) is retried after the backoff.
import type { Logger } from '../log.js';
import type { ClusterMetadata } from './cluster-metadata.js';
import type { MetadataQuorum } from './quorum/quorum.js';
import type { PartitionState, TopicState } from './topic.js';

export interface ControlledShutdownOptions {
  maxRetries: number; // controlled.shutdown.max.retries
  backoffMs: number; // controlled.shutdown.retry.backoff.ms
  log: Logger;
}

// The partitions this broker still leads that another live ISR member could lead.
export function movableLeaderships(metadata: ClusterMetadata, live: ReadonlySet<number>): Array<{ topic: TopicState; partition: PartitionState }> {
  const self = metadata.nodeId;
  const out: Array<{ topic: TopicState; partition: PartitionState }> = [];
  for (const t of metadata.topics()) {
    for (const p of t.partitions) {
      if (p.leader === self && p.isr.some((b) => b !== self && live.has(b))) out.push({ topic: t, partition: p });
    }
  }
  return out;
}

// Resolves true once this broker leads nothing another live ISR member could lead; false if it
// gave up after the retries (the broker then leaves anyway and the controller moves the rest).
export async function controlledShutdown(metadata: ClusterMetadata, quorum: MetadataQuorum, o: ControlledShutdownOptions): Promise<boolean> {
  const self = metadata.nodeId;
  let failures = 0;
  for (let pass = 0; ; pass++) {
    const live = new Set(quorum.liveBrokers().map((b) => b.nodeId));
    live.delete(self);
    let failed = false;
    for (const t of metadata.topics()) {
      for (const p of t.partitions) {
        const others = p.isr.filter((b) => b !== self && live.has(b));
        if (others.length === 0 || (p.leader !== self && !p.isr.includes(self))) continue;
        // The new leader: the first live ISR member in replica order (the preferred order).
        const leader = p.leader === self ? (p.replicas.find((b) => others.includes(b)) ?? others[0]!) : p.leader;
        try {
          await metadata.changePartition(t.id, p.partition, p.partitionEpoch ?? 0, { leader, isr: p.isr.filter((b) => b !== self) });
        } catch (err) {
          failed = true;
          o.log.warn({ topic: t.name, partition: p.partition, err: (err as Error).message }, 'controlled shutdown could not move a partition');
        }
      }
    }
    const left = movableLeaderships(metadata, live);
    if (left.length === 0) return true;
    // A stale compare-and-set (someone moved it first) is retried at once; a failure after the backoff.
    if (!failed && pass < 1000) continue;
    if (++failures > o.maxRetries) {
      o.log.warn({ partitions: left.length }, 'controlled shutdown gave up: leaving while still leading partitions');
      return false;
    }
    await new Promise((r) => setTimeout(r, o.backoffMs));
  }
}
