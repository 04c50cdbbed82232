// The group coordinator of this broker: every classic group and every committed offset, for all
// partitions of __consumer_offsets (a single broker leads them all). It owns the groups and the
// offsets store, persists through offsets-topic.ts, restores at start-up (loader.ts), and runs
// the protocol flows. The classic protocol lives in classic/: JoinGroup (join.ts), SyncGroup
// (sync.ts), Heartbeat and LeaveGroup (membership.ts). KIP-848 consumer groups live in consumer/
// (heartbeat.ts, persisted by persist.ts, restored by loader.ts); they are kept in
// `consumerGroups`, next to the classic `groups` (a group id is one or the other, never both).
// Shared by both: offsets (offsets.ts), group administration and expiry (group-admin.ts).
// Handlers call it with decoded requests and get plain results back; it knows nothing about
// wire versions beyond the few rules that depend on them.
import type { BrokerConfig } from '../config/index.js';
import type { ClusterMetadata } from '../cluster/cluster-metadata.js';
import type { StateTopicServices } from './offsets-topic.js';
import type { Logger } from '../log.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { ClassicGroup, GroupState, joinError, syncError, type JoinResult, type SyncResult } from './classic/group.js';
import { OffsetsStore } from './offsets-store.js';
import { OffsetsTopic, type CoordinatorRecord, type TransactionalOffsetsReplay } from './offsets-topic.js';
import { encodeGroupMetadataKey, encodeGroupMetadataValue, type GroupMetadataValue } from './records.js';
import { coordinatorConfig, guarded, Timers, type CoordinatorConfig, type GroupRuntime } from './runtime.js';
import { classicGroupJoin, type JoinRequest } from './classic/join.js';
import { classicGroupSync, type SyncRequest } from './classic/sync.js';
import { classicGroupHeartbeat, classicGroupLeave, type HeartbeatRequest, type LeaveResult, type LeavingMember } from './classic/membership.js';
import { cancelHeartbeat, scheduleHeartbeat, prepareRebalance } from './classic/rebalance.js';
import { loadGroups } from './loader.js';
import { cleanupGroupMetadata, deleteGroup, describeGroup, listGroups } from './group-admin.js';
import {
  classicJoinConflict,
  consumerGroupHeartbeat,
  describeConsumerGroup,
  scheduleLoadedMembers,
  type ConsumerHeartbeatRequest,
} from './consumer/heartbeat.js';
import { checkTxnCommitToConsumerGroup, commitOffsets, deleteOffsets, fetchOffsets, validateOffsetFetch, type CommitRequest } from './offsets.js';
import type { ConsumerGroup } from './consumer/group.js';
import { encodeOffsetCommitKey } from './records.js';
import { StatePartitions } from './state-partitions.js';
import { OFFSETS_TOPIC as OFFSETS } from './offsets-topic.js';

/** What the group coordinator uses: the broker's services, and the transaction coordinator's replay of transactional offsets. */
export interface GroupCoordinatorServices extends StateTopicServices {
  readonly transactionalOffsets: TransactionalOffsetsReplay & {
    /** The group coordinator resigned `partition` (a cluster): its pending transactional offsets go. */
    dropPartition?(partition: number): void;
  };
}

// What handlers name besides the coordinator itself.
export { GroupState, type JoinResult, type SyncResult } from './classic/group.js';
export type { OffsetAndMetadata } from './offsets-store.js';
export type { CommitRequest, FetchedPartition } from './offsets.js';
export { OFFSETS_TOPIC } from './offsets-topic.js';

export class GroupCoordinator implements GroupRuntime {
  readonly config: CoordinatorConfig;
  readonly log: Logger;
  readonly timers: Timers;
  readonly groups = new Map<string, ClassicGroup>();
  /** KIP-848 consumer groups by id (consumer/heartbeat.ts). */
  readonly consumerGroups = new Map<string, ConsumerGroup>();
  readonly offsets = new OffsetsStore();
  readonly topic: OffsetsTopic;
  /** In a cluster: the __consumer_offsets partitions this broker leads (null on a single broker). */
  readonly partitions: StatePartitions | null;
  private readonly transactionalOffsets: GroupCoordinatorServices['transactionalOffsets'];
  private loaded = false;
  private closed = false;
  private retentionTimer: NodeJS.Timeout | null = null;

  /** Broker settings read per request (KIP-848 group settings, which may change at runtime). */
  readonly brokerConfig: BrokerConfig;
  /** Topics by name and id, and per-group configs (KIP-848 subscriptions, OffsetCommit checks). */
  readonly metadata: ClusterMetadata;

  constructor(services: GroupCoordinatorServices) {
    this.brokerConfig = services.config;
    this.metadata = services.metadata;
    this.config = coordinatorConfig(services.config);
    this.log = services.log;
    this.timers = new Timers(services.log);
    this.topic = new OffsetsTopic(services, services.transactionalOffsets);
    this.transactionalOffsets = services.transactionalOffsets;
    this.partitions = services.metadata.quorum
      ? new StatePartitions(services.metadata, OFFSETS, { load: (p) => this.loadPartition(p), unload: (p) => this.unloadPartition(p) }, services.log)
      : null;
    if (this.partitions) {
      const partitions = this.partitions;
      this.topic.leaderGuard = (p) => partitions.leads(p);
    }
  }

  // ---- lifecycle ----

  /**
   * Start-up, after the partition logs are loaded: replays __consumer_offsets. In a cluster it
   * starts following leadership instead: each partition this broker leads is loaded on election.
   */
  async load(): Promise<void> {
    if (this.partitions) {
      this.loaded = true;
      this.partitions.start();
    } else {
      const started = Date.now();
      const records = await loadGroups(this);
      this.scheduleLoaded(() => true);
      this.loaded = true;
      if (records > 0)
        this.log.info(
          { groups: this.groups.size, consumerGroups: this.consumerGroups.size, records, ms: Date.now() - started },
          'loaded consumer groups and offsets',
        );
    }
    const interval = this.config.offsetsRetentionCheckIntervalMs;
    const tick = () => {
      this.retentionTimer = setTimeout(
        () => {
          guarded(this.log, 'offsets retention', () => cleanupGroupMetadata(this, Date.now()));
          if (!this.closed) tick();
        },
        Math.min(interval, 2_147_483_647),
      );
      this.retentionTimer.unref();
    };
    tick();
  }

  // Loaded groups carry on: member sessions restart, as after a broker restart.
  private scheduleLoaded(mine: (groupId: string) => boolean): void {
    for (const group of this.groups.values()) {
      if (!mine(group.groupId)) continue;
      for (const m of group.members.values()) scheduleHeartbeat(this, group, m);
      if (group.members.size > this.config.maxGroupSize) prepareRebalance(this, group, `loaded group is over group.max.size (${this.config.maxGroupSize})`);
    }
    scheduleLoadedMembers(this, mine);
  }

  /** Kafka's GroupCoordinator.onElection: this broker leads `partition` now; replay it. */
  private async loadPartition(partition: number): Promise<void> {
    const mine = (groupId: string) => this.partitionFor(groupId) === partition;
    try {
      const records = await loadGroups(this, partition);
      this.scheduleLoaded(mine);
      if (records > 0) this.log.info({ partition, records }, 'loaded consumer groups and offsets of an elected partition');
    } catch (err) {
      this.unloadPartition(partition);
      throw err;
    }
  }

  /**
   * Kafka's GroupCoordinator.onResignation: another broker leads `partition` now. Its groups leave
   * memory at once: parked JoinGroup and SyncGroup requests get NOT_COORDINATOR, their timers
   * stop, their offsets (and pending transactional offsets) are dropped.
   */
  private unloadPartition(partition: number): void {
    const mine = (groupId: string) => this.partitionFor(groupId) === partition;
    let unloaded = 0;
    for (const g of [...this.groups.values()]) {
      if (!mine(g.groupId)) continue;
      this.answerParked(g);
      // Dead: a flow of it still awaiting a write stops there (its append fails NOT_COORDINATOR).
      if (!g.is(GroupState.Dead)) g.transitionTo(GroupState.Dead);
      this.timers.cancelGroup(g.groupId);
      this.groups.delete(g.groupId);
      unloaded++;
    }
    for (const g of [...this.consumerGroups.values()]) {
      if (!mine(g.groupId)) continue;
      this.timers.cancelGroup(g.groupId);
      this.consumerGroups.delete(g.groupId);
      unloaded++;
    }
    for (const groupId of [...this.offsets.groups()]) if (mine(groupId)) this.offsets.dropGroup(groupId);
    this.transactionalOffsets.dropPartition?.(partition);
    if (unloaded > 0) this.log.info({ partition, groups: unloaded }, 'unloaded the groups of a resigned partition');
  }

  private answerParked(g: ClassicGroup): void {
    for (const m of g.members.values()) {
      cancelHeartbeat(m);
      g.completeJoin(m, joinError(ErrorCode.NOT_COORDINATOR, m.memberId));
      g.completeSync(m, syncError(ErrorCode.NOT_COORDINATOR));
    }
  }

  /** Shutdown: parked JoinGroup and SyncGroup requests get NOT_COORDINATOR, timers stop. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.partitions?.stop();
    if (this.retentionTimer) clearTimeout(this.retentionTimer);
    this.timers.cancelAll();
    for (const g of this.groups.values()) this.answerParked(g);
  }

  /**
   * Why the coordinator cannot serve now, or NONE: COORDINATOR_NOT_AVAILABLE (shutting down),
   * COORDINATOR_LOAD_IN_PROGRESS (loading). With a group id, in a cluster: NOT_COORDINATOR when
   * another broker leads its partition, COORDINATOR_LOAD_IN_PROGRESS while this one loads it.
   */
  availability(groupId?: string): number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (!this.loaded) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    if (!groupId || !this.partitions) return ErrorCode.NONE; // '' is INVALID_GROUP_ID to the caller
    if (!this.topic.exists) return this.ensureOffsetsTopic() || ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return this.partitions.errorFor(this.partitionFor(groupId));
  }

  /** Creates __consumer_offsets if needed (FindCoordinator and every write call this). */
  ensureOffsetsTopic(): number {
    try {
      this.topic.ensure();
      return ErrorCode.NONE;
    } catch (err) {
      // A cluster creates it through the quorum: not available until then (not an error).
      if (err instanceof KafkaError && err.code === ErrorCode.COORDINATOR_NOT_AVAILABLE) return err.code;
      this.log.error({ err: (err as Error).message }, 'cannot create the offsets topic');
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }

  /** The __consumer_offsets partition of a group. */
  partitionFor(groupId: string): number {
    return this.topic.partitionFor(groupId);
  }

  /** Whether this broker leads (and holds) a __consumer_offsets partition: always on a single broker. */
  leadsOffsetsPartition(partition: number): boolean {
    return this.partitions ? this.partitions.leads(partition) : true;
  }

  // ---- groups ----

  group(groupId: string): ClassicGroup | undefined {
    return this.groups.get(groupId);
  }

  /** Whether the id names a KIP-848 consumer group. */
  isConsumerGroup(groupId: string): boolean {
    return this.consumerGroups.has(groupId);
  }

  getOrCreateGroup(groupId: string): ClassicGroup {
    let g = this.groups.get(groupId);
    if (!g) {
      g = new ClassicGroup(groupId, Date.now());
      this.groups.set(groupId, g);
    }
    return g;
  }

  /** Deletes a group from memory (its tombstones are written by the caller). */
  removeGroup(group: ClassicGroup): void {
    if (!group.is(GroupState.Dead)) group.transitionTo(GroupState.Dead);
    for (const m of group.members.values()) cancelHeartbeat(m);
    if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
  }

  // ---- the classic protocol ----

  join(req: JoinRequest): Promise<JoinResult> {
    const early = req.groupId === '' ? this.availability() || ErrorCode.INVALID_GROUP_ID : this.availability(req.groupId);
    if (early) return Promise.resolve(joinError(early, req.memberId));
    if (req.sessionTimeoutMs < this.config.minSessionTimeoutMs || req.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return Promise.resolve(joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId));
    }
    const topicError = this.ensureOffsetsTopic();
    if (topicError) return Promise.resolve(joinError(topicError, req.memberId));
    // A non-empty KIP-848 consumer group keeps its id; an empty one gives way.
    const conflict = classicJoinConflict(this, req.groupId);
    if (conflict) return Promise.resolve(joinError(conflict, req.memberId));
    // A group is created by a member without an id; a member id for an unknown group is unknown.
    const group = req.memberId === '' ? this.getOrCreateGroup(req.groupId) : this.groups.get(req.groupId);
    if (!group) return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId));
    return new Promise((resolve) => classicGroupJoin(this, group, req, resolve));
  }

  sync(req: SyncRequest): Promise<SyncResult> {
    const early = req.groupId === '' ? this.availability() || ErrorCode.INVALID_GROUP_ID : this.availability(req.groupId);
    if (early) return Promise.resolve(syncError(early));
    return new Promise((resolve) => classicGroupSync(this, this.groups.get(req.groupId), req, resolve));
  }

  heartbeat(req: HeartbeatRequest): number {
    const early = req.groupId === '' ? this.availability() || ErrorCode.INVALID_GROUP_ID : this.availability(req.groupId);
    if (early) return early;
    return classicGroupHeartbeat(this, this.groups.get(req.groupId), req);
  }

  leave(groupId: string, members: readonly LeavingMember[]): LeaveResult {
    const early = groupId === '' ? this.availability() || ErrorCode.INVALID_GROUP_ID : this.availability(groupId);
    if (early) return { errorCode: early, members: [] };
    return classicGroupLeave(this, this.groups.get(groupId), members);
  }

  // ---- the consumer protocol (KIP-848, consumer/heartbeat.ts) ----

  consumerHeartbeat(req: ConsumerHeartbeatRequest): ReturnType<typeof consumerGroupHeartbeat> {
    return consumerGroupHeartbeat(this, req);
  }

  describeConsumerGroup(groupId: string): ReturnType<typeof describeConsumerGroup> {
    return describeConsumerGroup(this, groupId);
  }

  // ---- offsets (offsets.ts) ----

  commitOffsets(req: CommitRequest, apiVersion: number): ReturnType<typeof commitOffsets> {
    return commitOffsets(this, req, apiVersion);
  }

  fetchOffsets(groupId: string, topics: Parameters<typeof fetchOffsets>[2]): ReturnType<typeof fetchOffsets> {
    return fetchOffsets(this, groupId, topics);
  }

  validateOffsetFetch(groupId: string, memberId: string | null, memberEpoch: number): number {
    return validateOffsetFetch(this, groupId, memberId, memberEpoch);
  }

  checkTxnCommitToConsumerGroup(
    groupId: string,
    memberId: string,
    memberEpoch: number,
    partitions: Parameters<typeof checkTxnCommitToConsumerGroup>[4],
  ): number | null {
    return checkTxnCommitToConsumerGroup(this, groupId, memberId, memberEpoch, partitions);
  }

  deleteOffsets(groupId: string, topics: Parameters<typeof deleteOffsets>[2]): ReturnType<typeof deleteOffsets> {
    return deleteOffsets(this, groupId, topics);
  }

  // ---- group administration (group-admin.ts) ----

  describeGroup(groupId: string): ReturnType<typeof describeGroup> {
    return describeGroup(this, groupId);
  }

  listGroups(states: readonly string[], types: readonly string[]): ReturnType<typeof listGroups> {
    return listGroups(this, states, types);
  }

  deleteGroup(groupId: string): Promise<number> {
    return deleteGroup(this, groupId);
  }

  // ---- topic deletion ----

  /**
   * Kafka's GroupCoordinator.onPartitionsDeleted: the committed offsets of deleted topics are
   * tombstoned in every group, so a topic created again under the same name starts with none.
   * Resolves once the tombstones are in the log; a failed write is logged (the topic is gone).
   */
  async onTopicsDeleted(topics: readonly string[]): Promise<void> {
    if (this.availability()) return;
    const byGroup = new Map<string, Array<{ topic: string; partition: number }>>();
    for (const topic of topics) {
      for (const { group, partitions } of this.offsets.holdersOf(topic)) {
        let l = byGroup.get(group);
        if (!l) byGroup.set(group, (l = []));
        for (const partition of partitions) l.push({ topic, partition });
      }
    }
    const writes: Promise<void>[] = [];
    for (const [groupId, doomed] of byGroup) {
      for (const d of doomed) this.offsets.remove(groupId, d.topic, d.partition);
      const records = doomed.map((d) => ({ key: encodeOffsetCommitKey(groupId, d.topic, d.partition), value: null }));
      writes.push(
        this.append(groupId, records).catch((err: Error) =>
          this.log.warn({ groupId, err: err.message }, 'could not write the offset tombstones of a deleted topic'),
        ),
      );
    }
    await Promise.all(writes);
    if (byGroup.size > 0) this.log.info({ topics, groups: byGroup.size }, 'deleted the committed offsets of deleted topics');
  }

  // ---- persistence ----

  persistGroup(group: ClassicGroup, assignment?: ReadonlyMap<string, Buffer>): Promise<void> {
    const value: GroupMetadataValue = {
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol: group.protocolName,
      leader: group.members.size > 0 ? group.leaderId : null,
      currentStateTimestamp: group.stateTimestamp,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: m.metadata(group.protocolName ?? ''),
        assignment: assignment?.get(m.memberId) ?? m.assignment,
      })),
    };
    group.persisted = true;
    return this.append(group.groupId, [{ key: encodeGroupMetadataKey(group.groupId), value: encodeGroupMetadataValue(value) }]);
  }

  /** Appends records of one group; rejects with a KafkaError carrying a coordinator error code. */
  append(groupId: string, records: readonly CoordinatorRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new KafkaError(ErrorCode.NOT_COORDINATOR, 'the group coordinator is shutting down'));
    return this.topic.append(groupId, records);
  }
}
