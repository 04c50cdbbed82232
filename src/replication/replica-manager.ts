// Replication on one broker of a cluster (Kafka's ReplicaManager): for every local replica it
// becomes leader or follower as the cluster metadata says, at start and on every change of a
// partition's leader, epoch or ISR and on every topic created; followers fetch through one
// ReplicaFetcher per leader broker; leaders track their followers (Partition), move the high
// watermark with them, and change the ISR through the metadata quorum (a compare-and-set):
// followers leave after replica.lag.time.max.ms without catching up, rejoin once they reach the
// high watermark. High watermarks are checkpointed in replication-offset-checkpoint.
// A single broker has no ReplicaManager: nothing here runs, and its logs behave as before.
import type { BrokerConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import type { ClusterMetadata, PartitionLifecycle } from '../cluster/cluster-metadata.js';
import type { PartitionState, TopicState } from '../cluster/topic.js';
import type { LogManager } from '../storage/log-manager.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { Partition } from './partition.js';
import { ReplicaFetcher, type FetcherConfig } from './replica-fetcher.js';
import { readHighWatermarks, writeHighWatermarks } from './hw-checkpoint.js';

// Why a replica request was refused (Fetch or OffsetForLeaderEpoch with a replica id).
// `expected`: a replica of the partition that is no longer live (a broker shutting down whose
// last long poll is still here), as opposed to an id that holds no replica at all.
export type ReplicaCheck = { ok: true; partition: Partition } | { ok: false; reason: string; expected?: boolean };

export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>();
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly fetcherConfig: FetcherConfig;
  private readonly lagMs: number;
  private unlisten: (() => void) | null = null;
  private timers: NodeJS.Timeout[] = [];
  private held = false;
  private stopped = false;

  constructor(
    private readonly nodeId: number,
    private readonly metadata: ClusterMetadata,
    private readonly logManager: LogManager,
    private readonly config: BrokerConfig,
    private readonly log: Logger,
    // Wakes the long polls waiting on a log (FetchWaiters.notify).
    private readonly wake: (log: PartitionLog) => void,
  ) {
    this.lagMs = config.getLong('replica.lag.time.max.ms');
    this.fetcherConfig = {
      nodeId,
      maxWaitMs: config.getInt('replica.fetch.wait.max.ms'),
      minBytes: config.getInt('replica.fetch.min.bytes'),
      maxBytes: config.getInt('replica.fetch.response.max.bytes'),
      partitionMaxBytes: config.getInt('replica.fetch.max.bytes'),
      backoffMs: config.getInt('replica.fetch.backoff.ms'),
      socketTimeoutMs: config.getInt('replica.socket.timeout.ms'),
    };
  }

  // The storage lifecycle, with roles taken for partitions created and dropped for those deleted.
  lifecycle(inner: PartitionLifecycle): PartitionLifecycle {
    return {
      partitionsCreated: (topic, partitions) => {
        inner.partitionsCreated(topic, partitions);
        for (const p of partitions) this.partitionChanged(topic, p);
      },
      createPartitionLogs: (topic, partitions) => inner.createPartitionLogs(topic, partitions),
      partitionsAbandoned: (topic, partitions) => inner.partitionsAbandoned(topic, partitions),
      topicDeleted: (topic) => {
        for (const p of topic.partitions) this.drop(`${topic.name}-${p.partition}`);
        inner.topicDeleted(topic);
      },
      topicConfigChanged: (topic) => inner.topicConfigChanged(topic),
    };
  }

  // After the logs are loaded: high watermarks from the checkpoint, a role for every local
  // replica, and the ISR-expiration and checkpoint schedules (Kafka's isr-expiration task runs
  // every replica.lag.time.max.ms / 2).
  start(): void {
    if (this.logManager.mode === 'disk') {
      const hws = readHighWatermarks(this.logManager);
      for (const t of this.metadata.topics()) {
        for (const p of this.metadata.localPartitions(t)) {
          const l = this.logManager.get(t.name, p.partition);
          if (l) l.restoreHighWatermark(hws.get(l.name) ?? l.logStartOffset);
        }
      }
      const every = this.config.getLong('replica.high.watermark.checkpoint.interval.ms');
      this.timers.push(setInterval(() => this.checkpointHighWatermarks(), every).unref());
    }
    this.unlisten = this.metadata.onPartitionChange((t, p) => this.partitionChanged(t, p));
    for (const t of this.metadata.topics()) for (const p of this.metadata.localPartitions(t)) this.partitionChanged(t, p);
    this.timers.push(setInterval(() => this.maybeShrinkIsr(), Math.max(10, Math.floor(this.lagMs / 2))).unref());
  }

  // Stops following and the schedules. `checkpoint` false: an abrupt stop (a killed broker
  // writes nothing; the last periodic checkpoint stands, which is safe: it is never ahead).
  async shutdown(checkpoint = true): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unlisten?.();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.all([...this.fetchers.values()].map((f) => f.stop()));
    this.fetchers.clear();
    if (checkpoint) this.checkpointHighWatermarks();
  }

  checkpointHighWatermarks(): void {
    if (this.logManager.mode !== 'disk') return;
    try {
      writeHighWatermarks(this.logManager);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'could not write replication-offset-checkpoint');
    }
  }

  /**
   * Holds (true) or releases (false) every fetch this broker makes as a follower: its replicas
   * stop following their leaders (and so fall behind; they leave the ISR after
   * replica.lag.time.max.ms) until released. For operators pausing replication and for tests
   * that need a leader to hold records no follower has (divergence after a leader change).
   * Resolves once no fetch is in flight: nothing fetched before the hold is appended after it.
   */
  async holdFetching(held: boolean): Promise<void> {
    this.held = held;
    await Promise.all([...this.fetchers.values()].map((f) => f.hold(held)));
  }

  // The leader state of a partition this broker leads, else undefined.
  leaderPartition(topic: string, partition: number): Partition | undefined {
    const p = this.partitions.get(`${topic}-${partition}`);
    return p?.isLeader ? p : undefined;
  }

  // Kafka's rule for a request from a replica (Fetch, OffsetForLeaderEpoch): this broker leads
  // the partition, and the replica id is a live broker holding one of its replicas.
  checkReplica(topic: string, partition: number, replicaId: number): ReplicaCheck {
    const p = this.leaderPartition(topic, partition);
    if (!p) return { ok: false, reason: `broker ${this.nodeId} is not the leader of ${topic}-${partition}` };
    if (replicaId === this.nodeId || !p.state.replicas.includes(replicaId))
      return { ok: false, reason: `replica id ${replicaId} holds no replica of ${topic}-${partition} (replicas ${p.state.replicas.join(',')})` };
    if (!this.metadata.brokers().some((b) => b.nodeId === replicaId))
      return { ok: false, reason: `replica id ${replicaId} is not a live broker of this cluster`, expected: true };
    return { ok: true, partition: p };
  }

  // A follower's fetch reached the leader: its position, the high watermark, maybe the ISR.
  followerFetched(p: Partition, replicaId: number, fetchOffset: number): void {
    const joins = p.updateFollowerFetchState(replicaId, fetchOffset, Date.now());
    if (joins !== null && this.metadata.brokers().some((b) => b.nodeId === joins)) {
      this.alterIsr(p, [...p.state.isr, joins], 'caught up');
    }
  }

  // ---- roles ----

  private partitionChanged(t: TopicState, p: PartitionState): void {
    if (this.stopped || !p.replicas.includes(this.nodeId)) return;
    const log = this.logManager.get(t.name, p.partition);
    if (!log) return;
    const key = `${t.name}-${p.partition}`;
    let part = this.partitions.get(key);
    if (!part || part.state !== p || part.log !== log) {
      part = new Partition(t, p, log, this.nodeId);
      this.partitions.set(key, part);
    }
    if (p.leader === this.nodeId) this.becomeLeader(key, part);
    else this.becomeFollower(key, part);
  }

  private becomeLeader(key: string, part: Partition): void {
    for (const f of this.fetchers.values()) f.remove(key);
    const wasLeader = part.isLeader;
    part.makeLeader(Date.now());
    const log = part.log;
    log.onWritten = part.state.replicas.length > 1 ? () => this.wake(log) : null;
    part.maybeIncrementLeaderHW();
    if (!wasLeader) this.log.info({ partition: key, leaderEpoch: part.leaderEpoch, startOffset: part.leaderEpochStartOffset }, 'became leader');
  }

  private becomeFollower(key: string, part: Partition): void {
    const p = part.state;
    const log = part.log;
    if (part.isLeader) this.log.info({ partition: key, leader: p.leader, leaderEpoch: p.leaderEpoch }, 'became follower');
    part.makeFollower();
    log.makeFollower();
    for (const [id, f] of this.fetchers) if (id !== p.leader) f.remove(key);
    if (p.leader < 0) return; // offline: nobody to follow
    const fetcher = this.fetcherFor(p.leader);
    const current = fetcher.partitions.get(key);
    if (current && current.currentLeaderEpoch === p.leaderEpoch && current.log === log) return;
    fetcher.add(key, {
      topic: part.topic.name,
      topicId: part.topic.id,
      partition: p.partition,
      log,
      fetchOffset: log.logEndOffset,
      currentLeaderEpoch: p.leaderEpoch,
      lastFetchedEpoch: log.latestEpoch,
      delayedUntil: 0,
    });
  }

  private fetcherFor(leader: number): ReplicaFetcher {
    let f = this.fetchers.get(leader);
    if (!f) {
      f = new ReplicaFetcher(leader, this.fetcherConfig, (id) => this.metadata.brokers().find((b) => b.nodeId === id), this.log);
      void f.hold(this.held);
      this.fetchers.set(leader, f);
    }
    return f;
  }

  private drop(key: string): void {
    for (const f of this.fetchers.values()) f.remove(key);
    this.partitions.delete(key);
  }

  // ---- the ISR ----

  private maybeShrinkIsr(): void {
    const now = Date.now();
    for (const p of this.partitions.values()) {
      if (!p.isLeader || p.pendingIsrChange) continue;
      const out = p.outOfSyncReplicas(now, this.lagMs);
      if (out.length > 0)
        this.alterIsr(
          p,
          p.state.isr.filter((id) => !out.includes(id)),
          `not caught up for ${this.lagMs} ms: ${out.join(',')}`,
        );
    }
  }

  // Proposes a new ISR for a partition this broker leads (Kafka's AlterPartition, here a
  // compare-and-set on the partition epoch). One change at a time per partition; a change that
  // lost the race is dropped, and the next fetch or expiration pass proposes again if need be.
  private alterIsr(p: Partition, isr: number[], why: string): void {
    if (p.pendingIsrChange || this.stopped) return;
    p.pendingIsrChange = true;
    const epoch = p.state.partitionEpoch ?? 0;
    this.log.info({ partition: p.key, isr, why }, 'changing the ISR');
    this.metadata
      .changePartition(p.topic.id, p.state.partition, epoch, { leader: this.nodeId, isr })
      .catch((err: unknown) => this.log.warn({ partition: p.key, err: (err as Error).message }, 'could not change the ISR'))
      .finally(() => {
        p.pendingIsrChange = false;
        p.maybeIncrementLeaderHW();
      });
  }
}
