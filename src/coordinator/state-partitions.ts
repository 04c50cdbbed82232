// Which partitions of a coordinator's state topic (__consumer_offsets, __transaction_state) this
// broker leads in a cluster, and whether each is loaded yet. After Kafka's CoordinatorRuntime:
// leadership won is GroupCoordinator/TransactionCoordinator.onElection (the partition is LOADING
// while its log is replayed, then ACTIVE), leadership lost is onResignation (the partition's
// state is dropped from memory at once). Leadership comes from the cluster metadata image: a
// partition's leader changes (onPartitionChange) and a state topic's creation with its first
// leaders (onTopicCreated). A single broker does not use this: it leads every partition.
import { ErrorCode } from '../errors.js';
import type { ClusterMetadata } from '../cluster/cluster-metadata.js';
import type { PartitionState, TopicState } from '../cluster/topic.js';
import type { Logger } from '../log.js';

export interface StatePartitionHandlers {
  // Replays the partition's log into memory (it must not keep anything if it throws).
  load(partition: number, leaderEpoch: number): Promise<void>;
  // Drops everything the partition holds from memory; parked requests are answered NOT_COORDINATOR.
  unload(partition: number): void;
}

interface Owned {
  leaderEpoch: number;
  loaded: boolean;
}

export class StatePartitions {
  private readonly owned = new Map<number, Owned>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly metadata: ClusterMetadata,
    private readonly topicName: string,
    private readonly handlers: StatePartitionHandlers,
    private readonly log: Logger,
  ) {}

  // Follows leadership from now on and elects the partitions this broker leads already.
  start(): void {
    this.unsubscribe.push(
      this.metadata.onPartitionChange((t, p) => {
        if (t.name === this.topicName) this.sync(p);
      }),
      this.metadata.onTopicCreated((t) => this.syncAll(t)),
    );
    const t = this.metadata.topic(this.topicName);
    if (t) this.syncAll(t);
  }

  // Stops following (broker shutdown); the coordinator's close() answers what is parked.
  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.owned.clear();
  }

  private syncAll(t: TopicState): void {
    if (t.name !== this.topicName) return;
    for (const p of t.partitions) this.sync(p);
  }

  private sync(p: PartitionState): void {
    const current = this.owned.get(p.partition);
    const leads = p.leader === this.metadata.nodeId;
    if (leads && current) {
      current.leaderEpoch = p.leaderEpoch;
      return;
    }
    if (!leads && current) {
      this.owned.delete(p.partition);
      this.log.info({ topic: this.topicName, partition: p.partition, leader: p.leader }, 'coordinator resigned: unloading the partition');
      this.handlers.unload(p.partition);
      return;
    }
    if (!leads) return;
    const entry: Owned = { leaderEpoch: p.leaderEpoch, loaded: false };
    this.owned.set(p.partition, entry);
    const started = Date.now();
    this.handlers.load(p.partition, p.leaderEpoch).then(
      () => {
        // Resigned (and perhaps elected again, with a new load) meanwhile: this load is void.
        if (this.owned.get(p.partition) !== entry) return;
        entry.loaded = true;
        this.log.info(
          { topic: this.topicName, partition: p.partition, leaderEpoch: p.leaderEpoch, ms: Date.now() - started },
          'coordinator elected: partition loaded',
        );
      },
      (err: unknown) => {
        this.log.error({ topic: this.topicName, partition: p.partition, err: (err as Error).message }, 'could not load a coordinator partition');
        if (this.owned.get(p.partition) !== entry) return;
        this.owned.delete(p.partition);
        this.handlers.unload(p.partition);
      },
    );
  }

  // NONE, COORDINATOR_LOAD_IN_PROGRESS or NOT_COORDINATOR for requests that map to `partition`;
  // COORDINATOR_NOT_AVAILABLE while the topic does not exist or the partition has no leader.
  errorFor(partition: number): number {
    const p = this.metadata.topic(this.topicName)?.partitions[partition];
    if (!p || p.leader < 0) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    let e = this.owned.get(partition);
    // A leadership the listeners have not reported yet (never expected): elected now.
    if (!e && p.leader === this.metadata.nodeId) {
      this.sync(p);
      e = this.owned.get(partition);
    }
    if (!e || p.leader !== this.metadata.nodeId) return ErrorCode.NOT_COORDINATOR;
    return e.loaded ? ErrorCode.NONE : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  // At append time: does this broker lead the partition and hold it (leadership may have moved
  // during an await)?
  leads(partition: number): boolean {
    const p = this.metadata.topic(this.topicName)?.partitions[partition];
    return p !== undefined && p.leader === this.metadata.nodeId && this.owned.has(partition);
  }

  // The leader epoch this broker was elected with (Kafka's coordinator epoch), or -1.
  leaderEpoch(partition: number): number {
    return this.owned.get(partition)?.leaderEpoch ?? -1;
  }

  // Partitions loaded here (tests, admin views).
  loadedPartitions(): number[] {
    return [...this.owned.entries()].filter(([, e]) => e.loaded).map(([p]) => p);
  }
}
