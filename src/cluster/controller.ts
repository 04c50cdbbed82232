// The controller's duties that keep partitions available, run by the one broker the quorum
// elected (KRaft's QuorumController with ReplicationControlManager). When a broker's session ends
// it is taken out of every ISR, and each partition it led gets a new leader from the rest of its
// ISR with a higher leader epoch (KIP-101). A partition whose ISR has nobody live is offline
// (leader -1) and keeps its last ISR member, so that member leads again when it returns; with
// unclean.leader.election.enable a live replica outside the ISR may lead instead (losing what
// only the ISR had). Every change is a compare-and-set on the partition epoch, so a controller
// that lost its election meanwhile cannot overwrite its successor's decisions.
// With auto.leader.rebalance.enable (default true), every leader.imbalance.check.interval.seconds
// the controller moves leaderships back to preferred replicas (the first of each partition's
// replicas) on brokers whose imbalance is above leader.imbalance.per.broker.percentage (the rule
// of Kafka's KafkaController.checkAndTriggerAutoLeaderRebalance): after a broker came back, its
// partitions return to it once it is in their ISR again.
import type { Logger } from '../log.js';
import { decideElection, ElectionType } from './leader-election.js';
import type { ClusterMetadata } from './cluster-metadata.js';
import type { MetadataQuorum } from './quorum/quorum.js';
import type { PartitionState, TopicState } from './topic.js';

export class Controller {
  private active = false;
  private unwatch: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private rebalanceTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly metadata: ClusterMetadata,
    private readonly quorum: MetadataQuorum,
    private readonly log: Logger,
  ) {}

  get isActive(): boolean {
    return this.active;
  }

  activate(): void {
    if (this.active) return;
    this.active = true;
    this.log.info({ nodeId: this.metadata.nodeId }, 'became the controller');
    this.unwatch = this.quorum.onBrokersChanged(() => void this.reconcile());
    void this.reconcile();
    if (this.metadata.brokerDefault('auto.leader.rebalance.enable') !== 'false') {
      const seconds = Number(this.metadata.brokerDefault('leader.imbalance.check.interval.seconds') ?? '300');
      this.rebalanceTimer = setInterval(
        () => void this.rebalance().catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'preferred leader rebalance failed')),
        seconds * 1000,
      );
      this.rebalanceTimer.unref();
    }
  }

  deactivate(): void {
    if (!this.active) return;
    this.active = false;
    this.unwatch?.();
    this.unwatch = null;
    if (this.rebalanceTimer) clearInterval(this.rebalanceTimer);
    this.rebalanceTimer = null;
  }

  // One preferred-leader rebalance check. For each broker, its imbalance is the share of the
  // partitions it is the preferred replica of that another broker leads; above
  // leader.imbalance.per.broker.percentage, those whose preferred replica is live and in the ISR
  // get a preferred election. Resolves with the number of partitions moved.
  async rebalance(): Promise<number> {
    if (!this.active) return 0;
    const live = new Set(this.quorum.liveBrokers().map((b) => b.nodeId));
    const limit = Number(this.metadata.brokerDefault('leader.imbalance.per.broker.percentage') ?? '10') / 100;
    const byPreferred = new Map<number, Array<{ t: TopicState; p: PartitionState }>>();
    for (const t of this.metadata.topics()) {
      for (const p of t.partitions) {
        const preferred = p.replicas[0];
        if (preferred === undefined) continue;
        let list = byPreferred.get(preferred);
        if (!list) byPreferred.set(preferred, (list = []));
        list.push({ t, p });
      }
    }
    let moved = 0;
    for (const [broker, all] of byPreferred) {
      const elsewhere = all.filter(({ p }) => p.leader !== broker);
      if (elsewhere.length === 0 || elsewhere.length / all.length <= limit) continue;
      for (const { t, p } of elsewhere) {
        if (!this.active) return moved;
        const d = decideElection(p, ElectionType.PREFERRED, live);
        if (!('change' in d)) continue;
        if (await this.metadata.changePartition(t.id, p.partition, p.partitionEpoch ?? 0, d.change)) moved++;
      }
    }
    if (moved > 0) this.log.info({ partitions: moved }, 'moved leaderships back to their preferred replicas');
    return moved;
  }

  // Runs one pass over every partition; a change during a pass asks for another.
  reconcile(): Promise<void> {
    if (!this.active) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass().catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'controller pass failed; retrying on the next change'));
      } while (this.again && this.active);
      this.running = null;
    })();
    return this.running;
  }

  private async pass(): Promise<void> {
    const live = new Set(this.quorum.liveBrokers().map((b) => b.nodeId));
    for (const t of this.metadata.topics()) {
      for (const p of t.partitions) {
        if (!this.active) return;
        const next = this.desired(t, p, live);
        if (next) await this.metadata.changePartition(t.id, p.partition, p.partitionEpoch ?? 0, next);
      }
    }
  }

  // What the partition should become with these live brokers; null when it is fine as it is.
  private desired(t: TopicState, p: PartitionState, live: ReadonlySet<number>): { leader: number; isr: number[] } | null {
    const liveIsr = p.isr.filter((b) => live.has(b));
    if (p.leader >= 0 && live.has(p.leader)) {
      return liveIsr.length === p.isr.length ? null : { leader: p.leader, isr: liveIsr };
    }
    // The leader is gone (or the partition is offline): the first live ISR member in replica order.
    const candidate = p.replicas.find((b) => liveIsr.includes(b));
    if (candidate !== undefined) return { leader: candidate, isr: liveIsr };
    if (this.uncleanAllowed(t)) {
      const unclean = p.replicas.find((b) => live.has(b));
      if (unclean !== undefined) {
        this.log.warn({ topic: t.name, partition: p.partition, leader: unclean }, 'unclean leader election: records only the old ISR had are lost');
        return { leader: unclean, isr: [unclean] };
      }
    }
    // Nobody to lead: offline, keeping the last ISR member (KRaft never empties the ISR).
    if (p.leader === -1) return null;
    this.log.warn({ topic: t.name, partition: p.partition }, 'partition offline: no live in-sync replica');
    return { leader: -1, isr: p.isr.length > 0 ? [p.isr.includes(p.leader) ? p.leader : p.isr[0]!] : [] };
  }

  private uncleanAllowed(t: TopicState): boolean {
    const v = t.configs['unclean.leader.election.enable'] ?? this.metadata.brokerDefault('unclean.leader.election.enable');
    return v === 'true';
  }
}
