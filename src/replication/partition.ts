// The leader's side of one replicated partition (Kafka's kafka.cluster.Partition): what it knows
// of each follower from its fetches, the high watermark as the smallest log end offset of the
// ISR, and when followers join or leave the ISR. The ISR itself lives in the cluster metadata
// (ClusterMetadata's image of the quorum's log); changes are proposed through `alterIsr`, a
// compare-and-set, and take effect here when the image applies them.
import type { PartitionState, TopicState } from '../cluster/topic.js';
import type { PartitionLog } from '../storage/partition-log.js';

// Kafka's Replica state of a remote replica, as the leader sees it.
export interface FollowerState {
  // The follower's log end offset: its last fetch offset (-1: unknown since this leadership began).
  logEndOffset: number;
  // The last time the follower was caught up to the leader's log end (Kafka's lastCaughtUpTimeMs).
  lastCaughtUpTimeMs: number;
  // The leader's log end offset and the time at the follower's previous fetch.
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
}

export class Partition {
  // Remote replicas (not this broker), by broker id; reset whenever a leadership begins.
  readonly followers = new Map<number, FollowerState>();
  isLeader = false;
  // The epoch this broker leads and the log end offset when it began (Kafka's
  // leaderEpochStartOffsetOpt): a follower rejoins the ISR only once it has reached it.
  leaderEpoch = -1;
  leaderEpochStartOffset = -1;
  // An ISR change proposed and not yet applied (Kafka's PendingExpandIsr / PendingShrinkIsr).
  pendingIsrChange = false;

  constructor(
    readonly topic: TopicState,
    readonly state: PartitionState,
    readonly log: PartitionLog,
    private readonly nodeId: number,
  ) {}

  get key(): string {
    return `${this.topic.name}-${this.state.partition}`;
  }

  // Becomes (or stays) the leader of `state.leaderEpoch`. A new leadership starts at the log end,
  // with every follower's position unknown and ISR members counted as caught up now (Kafka's
  // Replica.resetReplicaState), so none is dropped before it could fetch.
  makeLeader(now: number): void {
    if (this.isLeader && this.leaderEpoch === this.state.leaderEpoch) return this.syncReplicas(now);
    this.isLeader = true;
    this.leaderEpoch = this.state.leaderEpoch;
    this.leaderEpochStartOffset = this.log.logEndOffset;
    this.followers.clear();
    this.syncReplicas(now);
    this.log.makeLeader(this.isrEnd());
  }

  makeFollower(): void {
    this.isLeader = false;
    this.leaderEpoch = -1;
    this.followers.clear();
    this.pendingIsrChange = false;
  }

  // Followers for every remote replica in the assignment (after a reassignment, too).
  private syncReplicas(now: number): void {
    for (const id of this.state.replicas) {
      if (id === this.nodeId || this.followers.has(id)) continue;
      this.followers.set(id, {
        logEndOffset: -1,
        lastCaughtUpTimeMs: this.state.isr.includes(id) ? now : 0,
        lastFetchLeaderLogEndOffset: -1,
        lastFetchTimeMs: 0,
      });
    }
    for (const id of [...this.followers.keys()]) if (!this.state.replicas.includes(id)) this.followers.delete(id);
  }

  // A follower fetched from `fetchOffset`: that is its log end offset (Kafka's
  // Partition.updateFollowerFetchState with Replica.updateFetchStateOrThrow). Returns the
  // broker id to add to the ISR, if the follower has just caught up (maybeExpandIsr).
  updateFollowerFetchState(replicaId: number, fetchOffset: number, now: number): number | null {
    const f = this.followers.get(replicaId);
    if (!f) return null;
    const leaderEnd = this.log.writtenEndOffset;
    if (fetchOffset >= leaderEnd) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, now);
    else if (fetchOffset >= f.lastFetchLeaderLogEndOffset) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
    f.lastFetchLeaderLogEndOffset = leaderEnd;
    f.lastFetchTimeMs = now;
    f.logEndOffset = fetchOffset;
    this.maybeIncrementLeaderHW();
    // Kafka's isFollowerInSync for an expansion: at or past the high watermark and the start of
    // the current leader epoch (so it has every record of this epoch's predecessors it must).
    const rejoins = !this.state.isr.includes(replicaId) && fetchOffset >= this.log.highWatermark && fetchOffset >= this.leaderEpochStartOffset;
    return rejoins ? replicaId : null;
  }

  // The smallest log end offset of the other ISR members (Infinity when the ISR is the leader).
  isrEnd(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const id of this.state.isr) {
      if (id === this.nodeId) continue;
      min = Math.min(min, this.followers.get(id)?.logEndOffset ?? -1);
    }
    return min;
  }

  maybeIncrementLeaderHW(): void {
    if (this.isLeader) this.log.updateIsrEnd(this.isrEnd());
  }

  // ISR members that have not caught up to the leader's log end for `lagMs` (Kafka's
  // Partition.getOutOfSyncReplicas): a follower exactly at the log end is never out of sync.
  outOfSyncReplicas(now: number, lagMs: number): number[] {
    const leaderEnd = this.log.writtenEndOffset;
    const out: number[] = [];
    for (const id of this.state.isr) {
      if (id === this.nodeId) continue;
      const f = this.followers.get(id);
      if (!f) continue;
      if (f.logEndOffset !== leaderEnd && now - f.lastCaughtUpTimeMs > lagMs) out.push(id);
    }
    return out;
  }
}
