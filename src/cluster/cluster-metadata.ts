// Topics, partitions, leaders and topic configs of the cluster, with Kafka's validation rules.
// Single node: this broker leads every partition, so a topic is writable the moment it exists.
// Every change is made durable in the metadata store (one appended change) before it is
// acknowledged. New partitions get their logs first and are recorded after, so a failure at
// either step (a full disk) leaves no topic or partition without a log.
// In a cluster (a `MetadataQuorum` given): this is the broker's image of the quorum's log. A
// change is validated against the image, appended to the log at the end the image has reached
// (a conflict means another broker changed something first: catch up, validate again), and
// applied here when the log delivers it, as on every other broker; logs are made for the
// partitions this broker holds a replica of.
import { randomUuid } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { collisionKey, topicNameProblem, INTERNAL_TOPICS, type BrokerEndpoint, type PartitionState, type TopicState } from './topic.js';
import type { MetadataChange, MetadataSnapshot, MetadataStore } from './metadata-store.js';
import { validateTopicConfigs, type BrokerConfig } from '../config/index.js';
import { validateGroupConfigs } from '../config/group-configs.js';
import { placementOrder } from './replica-placement.js';
import { QuorumConflictError, QuorumUnavailableError, type MetadataQuorum, type MetadataRecord } from './quorum/quorum.js';

// A partition's leader or ISR changed in the cluster's metadata (not on a single node).
export type PartitionChangeListener = (topic: TopicState, partition: PartitionState) => void;
// A topic arrived in the image, its partitions with their first leaders (cluster mode only).
export type TopicCreatedListener = (topic: TopicState) => void;

// Storage reacts to topology changes (creates and removes partition logs).
export interface PartitionLifecycle {
  // Creates the logs of new partitions, or throws (KAFKA_STORAGE_ERROR) leaving none of them.
  partitionsCreated(topic: TopicState, partitions: readonly PartitionState[]): void;
  // The same for many partitions, serving other requests meanwhile.
  createPartitionLogs(topic: TopicState, partitions: readonly PartitionState[]): Promise<void>;
  // Removes logs made for partitions whose creation could not be recorded.
  partitionsAbandoned(topic: TopicState, partitions: readonly PartitionState[]): void;
  topicDeleted(topic: TopicState): void;
  topicConfigChanged(topic: TopicState): void;
}

const PRODUCER_ID_BLOCK = 1000;

export interface CreateTopicSpec {
  name: string;
  numPartitions: number; // -1: num.partitions
  replicationFactor: number; // -1: default.replication.factor
  assignments?: Array<{ partition: number; brokerIds: number[] }>;
  configs?: Record<string, string | null>;
}

export class ClusterMetadata {
  readonly clusterId: string;
  private readonly byName = new Map<string, TopicState>();
  private readonly byId = new Map<string, TopicState>();
  private readonly byCollisionKey = new Map<string, string>();
  private lifecycle: PartitionLifecycle | null = null;
  private nextProducerIdBlock: number;
  private nextProducerId = 0;
  private producerIdBlockEnd = 0;
  // Group configs by group id: only the overrides, as Kafka stores them.
  private readonly groupConfigs = new Map<string, Record<string, string>>();
  // Names (and collision keys) of topics whose logs are being created: taken, not yet visible.
  private readonly pendingNames = new Set<string>();
  private readonly pendingKeys = new Set<string>();
  // CreateTopics and CreatePartitions run one at a time: each validates against the state the
  // previous one left.
  private adminQueue: Promise<unknown> = Promise.resolve();
  // Cluster mode: the last offset of the quorum's log applied to this image, and who waits for it.
  private applied = 0;
  private appliedWaiters: Array<{ offset: number; resolve: () => void }> = [];
  private unfollow: (() => void) | null = null;
  private readonly partitionListeners = new Set<PartitionChangeListener>();
  private readonly topicListeners = new Set<TopicCreatedListener>();
  // Called after dynamic configs changed by another broker's AlterConfigs were applied here.
  onDynamicConfigs: (() => void) | null = null;

  constructor(
    private readonly store: MetadataStore,
    private readonly config: BrokerConfig,
    readonly nodeId: number,
    private readonly self: () => BrokerEndpoint,
    readonly quorum: MetadataQuorum | null = null,
  ) {
    const snap = quorum ? null : store.load();
    this.clusterId = quorum?.clusterId ?? snap?.clusterId ?? randomUuid();
    for (const t of snap?.topics ?? []) this.index(t);
    this.nextProducerIdBlock = snap?.nextProducerIdBlock ?? 0;
    for (const [k, v] of Object.entries(snap?.clusterConfigs ?? {})) config.setDynamic(k, v, 'cluster');
    for (const [k, v] of Object.entries(snap?.brokerConfigs ?? {})) config.setDynamic(k, v, 'broker');
    for (const [groupId, configs] of Object.entries(snap?.groupConfigs ?? {})) this.groupConfigs.set(groupId, configs);
    if (!snap && !quorum) this.record({ op: 'cluster', clusterId: this.clusterId });
  }

  // ---- cluster mode: the image follows the quorum's log ----

  // Starts applying the quorum's log and resolves once the image has every record committed now.
  // Logs are made for this broker's replicas only once a lifecycle is set (after start-up load).
  async follow(): Promise<void> {
    const q = this.quorum;
    if (!q || this.unfollow) return;
    const end = q.logEnd();
    this.unfollow = q.follow(this.applied, (records) => this.applyRecords(records));
    await this.waitApplied(end);
  }

  stopFollowing(): void {
    this.unfollow?.();
    this.unfollow = null;
    for (const w of this.appliedWaiters.splice(0)) w.resolve();
  }

  // A broker config's value as a string (the controller reads topic-config defaults with it).
  brokerDefault(name: string): string | null {
    return this.config.getString(name);
  }

  onPartitionChange(listener: PartitionChangeListener): () => void {
    this.partitionListeners.add(listener);
    return () => this.partitionListeners.delete(listener);
  }

  // Coordinators follow the first leaders of their state topics' partitions through this.
  onTopicCreated(listener: TopicCreatedListener): () => void {
    this.topicListeners.add(listener);
    return () => this.topicListeners.delete(listener);
  }

  // The partitions of a topic that have a replica on this broker.
  localPartitions(topic: TopicState): PartitionState[] {
    return this.quorum ? topic.partitions.filter((p) => p.replicas.includes(this.nodeId)) : topic.partitions;
  }

  private waitApplied(offset: number): Promise<void> {
    if (this.applied >= offset || !this.unfollow) return Promise.resolve();
    return new Promise((resolve) => this.appliedWaiters.push({ offset, resolve }));
  }

  private applyRecords(records: readonly MetadataRecord[]): void {
    for (const r of records) {
      if (r.offset <= this.applied) continue;
      try {
        this.applyChange(r.change);
      } catch (err) {
        // A replica whose log cannot be made (a full disk) is offline here; the image goes on.
        this.lifecycleError?.(err as Error, r.change);
      }
      this.applied = r.offset;
    }
    if (this.appliedWaiters.length === 0) return;
    const ready = this.appliedWaiters.filter((w) => w.offset <= this.applied);
    this.appliedWaiters = this.appliedWaiters.filter((w) => w.offset > this.applied);
    for (const w of ready) w.resolve();
  }

  lifecycleError: ((err: Error, change: MetadataChange) => void) | null = null;

  private applyChange(c: MetadataChange): void {
    switch (c.op) {
      case 'cluster':
        break;
      case 'topic': {
        if (this.byId.has(c.topic.id)) break;
        this.index(c.topic);
        this.lifecycle?.partitionsCreated(c.topic, this.localPartitions(c.topic));
        for (const l of this.topicListeners) l(c.topic);
        break;
      }
      case 'partitions': {
        const t = this.byId.get(c.id);
        if (!t) break;
        t.partitions.push(...c.partitions);
        this.lifecycle?.partitionsCreated(
          t,
          c.partitions.filter((p) => p.replicas.includes(this.nodeId)),
        );
        break;
      }
      case 'deleteTopic': {
        const t = this.byId.get(c.id);
        if (!t) break;
        this.unindex(t);
        this.lifecycle?.topicDeleted(t);
        break;
      }
      case 'topicConfigs': {
        const t = this.byId.get(c.id);
        if (!t) break;
        t.configs = c.configs;
        this.lifecycle?.topicConfigChanged(t);
        break;
      }
      case 'dynamicConfigs':
        this.replaceDynamic('cluster', c.clusterConfigs);
        if (c.nodeId === this.nodeId) this.replaceDynamic('broker', c.brokerConfigs);
        this.onDynamicConfigs?.();
        break;
      case 'producerIds':
        this.nextProducerIdBlock = Math.max(this.nextProducerIdBlock, c.nextProducerIdBlock);
        break;
      case 'groupConfigs':
        if (Object.keys(c.configs).length === 0) this.groupConfigs.delete(c.groupId);
        else this.groupConfigs.set(c.groupId, c.configs);
        break;
      case 'partitionChange': {
        const t = this.byId.get(c.id);
        const p = t?.partitions[c.partition];
        if (!t || !p) break;
        p.leader = c.leader;
        p.leaderEpoch = c.leaderEpoch;
        p.isr = [...c.isr];
        p.partitionEpoch = c.partitionEpoch;
        for (const l of this.partitionListeners) l(t, p);
        break;
      }
    }
  }

  private replaceDynamic(scope: 'broker' | 'cluster', next: Record<string, string>): void {
    const current = this.config.dynamicEntries(scope);
    for (const k of Object.keys(current)) if (!(k in next)) this.config.setDynamic(k, null, scope);
    for (const [k, v] of Object.entries(next)) if (current[k] !== v) this.config.setDynamic(k, v, scope);
  }

  // Appends the changes `build` makes from the current image (it validates, and throws
  // KafkaError to refuse); on a conflict it runs again on the caught-up image. Resolves once the
  // changes are applied here.
  private async commit(build: () => MetadataChange[]): Promise<void> {
    const q = this.quorum!;
    for (let attempt = 0; ; attempt++) {
      const end = this.applied;
      const changes = build();
      if (changes.length === 0) return;
      try {
        await this.waitApplied(await q.append(changes, end));
        return;
      } catch (err) {
        if (err instanceof QuorumConflictError && attempt < 50) {
          await this.waitApplied(err.logEnd);
          continue;
        }
        if (err instanceof QuorumUnavailableError || err instanceof QuorumConflictError) {
          throw new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `could not change the cluster metadata: ${err.message}`);
        }
        throw err;
      }
    }
  }

  // Moves a partition's leadership or ISR if it is still at `partitionEpoch` (a compare-and-set):
  // resolves false when it has moved on (nothing changed), throws KafkaError when the quorum
  // cannot be reached. `leaderEpoch` rises whenever the leader changes (KIP-101).
  async changePartition(topicId: string, partition: number, partitionEpoch: number, next: { leader: number; isr: number[] }): Promise<boolean> {
    let stale = false;
    await this.commit(() => {
      const p = this.byId.get(topicId)?.partitions[partition];
      if (!p || (p.partitionEpoch ?? 0) !== partitionEpoch) {
        stale = true;
        return [];
      }
      stale = false;
      const leaderEpoch = next.leader !== p.leader ? p.leaderEpoch + 1 : p.leaderEpoch;
      return [{ op: 'partitionChange', id: topicId, partition, leader: next.leader, leaderEpoch, isr: [...next.isr], partitionEpoch: partitionEpoch + 1 }];
    });
    return !stale;
  }

  setLifecycle(l: PartitionLifecycle): void {
    this.lifecycle = l;
  }

  // The live brokers (in a cluster: the quorum's registrations), by node id.
  brokers(): BrokerEndpoint[] {
    if (!this.quorum) return [this.self()];
    const live = this.quorum.liveBrokers().map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }));
    // A broker that serves is registered, even before its own registration comes back through a
    // watch (etcd): a Metadata answer never leaves out the broker giving it.
    if (!live.some((b) => b.nodeId === this.nodeId)) live.push(this.self());
    return live.sort((a, b) => a.nodeId - b.nodeId);
  }

  get controllerId(): number {
    return this.quorum ? (this.quorum.controllerId() ?? -1) : this.nodeId;
  }

  topics(): TopicState[] {
    return [...this.byName.values()];
  }

  topic(name: string): TopicState | undefined {
    return this.byName.get(name);
  }

  topicById(id: string): TopicState | undefined {
    return this.byId.get(id);
  }

  // Validates a creation exactly as Kafka does and returns the topic it would create; with
  // `validateOnly` nothing changes. Throws KafkaError with Kafka's code and message. For a few
  // partitions (auto-creation, internal topics); CreateTopics uses createTopicAsync.
  createTopic(spec: CreateTopicSpec, validateOnly = false): TopicState {
    const topic = this.prepareTopic(spec);
    if (validateOnly) return topic;
    if (this.quorum) {
      // The change goes through the quorum: clients are told to retry, as by Kafka.
      this.createTopicAsync(spec).catch(() => undefined);
      throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `Topic '${spec.name}' is being created.`);
    }
    this.lifecycle?.partitionsCreated(topic, topic.partitions);
    this.commitTopic(topic);
    return topic;
  }

  // CreateTopics: the same, with the logs created while other requests are served.
  createTopicAsync(spec: CreateTopicSpec, validateOnly = false): Promise<TopicState> {
    if (this.quorum) return this.createTopicInCluster(spec, validateOnly);
    return this.serialized(async () => {
      const topic = this.prepareTopic(spec);
      if (validateOnly || !this.lifecycle) {
        if (!validateOnly) this.commitTopic(topic);
        return topic;
      }
      const key = collisionKey(topic.name);
      this.pendingNames.add(topic.name);
      this.pendingKeys.add(key);
      try {
        await this.lifecycle.createPartitionLogs(topic, topic.partitions);
        await this.recordAsync({ op: 'topic', topic }, () => this.lifecycle?.partitionsAbandoned(topic, topic.partitions));
        this.index(topic);
      } finally {
        this.pendingNames.delete(topic.name);
        this.pendingKeys.delete(key);
      }
      this.store.asyncChangeApplied(() => this.snapshot());
      return topic;
    });
  }

  private async createTopicInCluster(spec: CreateTopicSpec, validateOnly: boolean): Promise<TopicState> {
    let topic = this.prepareTopic(spec);
    if (validateOnly) return topic;
    const key = collisionKey(topic.name);
    this.pendingNames.add(topic.name);
    this.pendingKeys.add(key);
    try {
      let first = true;
      await this.commit(() => {
        // Validated again on a caught-up image after a conflict (pending names are ours).
        if (!first) {
          this.pendingNames.delete(topic.name);
          this.pendingKeys.delete(key);
          topic = this.prepareTopic(spec);
          this.pendingNames.add(topic.name);
          this.pendingKeys.add(key);
        }
        first = false;
        return [{ op: 'topic', topic }];
      });
    } finally {
      this.pendingNames.delete(topic.name);
      this.pendingKeys.delete(key);
    }
    return this.byId.get(topic.id) ?? topic;
  }

  private prepareTopic(spec: CreateTopicSpec): TopicState {
    const problem = topicNameProblem(spec.name);
    if (problem) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
    if (this.byName.has(spec.name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${spec.name}' already exists.`);
    // Only auto-creation meets a topic whose logs are being made (CreateTopics are serialized):
    // it has no leader yet, which clients retry.
    if (this.pendingNames.has(spec.name)) throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `Topic '${spec.name}' is being created.`);
    const clash = this.byCollisionKey.get(collisionKey(spec.name));
    if (clash !== undefined || this.pendingKeys.has(collisionKey(spec.name))) {
      throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${spec.name}' collides with existing topic: ${clash ?? 'one being created'}`);
    }
    const live = placementOrder(this.brokers());
    let partitions: PartitionState[];
    if (spec.assignments && spec.assignments.length > 0) {
      if (spec.numPartitions !== -1 || spec.replicationFactor !== -1) {
        throw new KafkaError(
          ErrorCode.INVALID_REQUEST,
          'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
        );
      }
      partitions = this.manualAssignment(spec.assignments, live, 0);
    } else {
      const n = spec.numPartitions === -1 ? this.config.getInt('num.partitions') : spec.numPartitions;
      const rf = spec.replicationFactor === -1 ? this.config.getInt('default.replication.factor') : spec.replicationFactor;
      if (n <= 0) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
      if (rf <= 0) throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
      if (rf > live.length) {
        throw new KafkaError(
          ErrorCode.INVALID_REPLICATION_FACTOR,
          `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${live.length} broker(s) are registered.`,
        );
      }
      partitions = Array.from({ length: n }, (_, p) => this.autoAssign(p, rf, live));
    }
    const configs = this.checkConfigs(spec.configs ?? {});
    return { name: spec.name, id: randomUuid(), partitions, configs, internal: INTERNAL_TOPICS.has(spec.name) };
  }

  // Records a topic whose logs exist; if that fails, the logs go too.
  private commitTopic(topic: TopicState): void {
    this.index(topic);
    try {
      this.record({ op: 'topic', topic });
    } catch (err) {
      this.unindex(topic);
      this.lifecycle?.partitionsAbandoned(topic, topic.partitions);
      throw err;
    }
  }

  async deleteTopic(topic: TopicState): Promise<void> {
    if (!this.config.getBoolean('delete.topic.enable')) {
      throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
    }
    if (this.quorum) {
      await this.commit(() => {
        if (this.byId.get(topic.id) !== topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        return [{ op: 'deleteTopic', id: topic.id }];
      });
      return;
    }
    // The state changes first and is put back if it cannot be recorded: a compaction triggered
    // by the append snapshots the state as it is (so here and below).
    this.unindex(topic);
    try {
      this.record({ op: 'deleteTopic', id: topic.id });
    } catch (err) {
      this.index(topic);
      throw err;
    }
    this.lifecycle?.topicDeleted(topic);
  }

  // CreatePartitions' validation and placement: the partitions it would add.
  private preparePartitions(topic: TopicState, count: number, assignments: number[][] | null): PartitionState[] {
    const current = topic.partitions.length;
    if (count < current) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `The topic ${topic.name} currently has ${current} partition(s); ${count} would not be an increase.`);
    }
    if (count === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
    const live = placementOrder(this.brokers());
    const rf = topic.partitions[0]?.replicas.length ?? 1;
    let added: PartitionState[];
    if (assignments !== null) {
      if (assignments.length !== count - current) {
        throw new KafkaError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `Attempted to add ${count - current} additional partition(s), but only ${assignments.length} assignment(s) were specified.`,
        );
      }
      added = this.manualAssignment(
        assignments.map((brokerIds, i) => ({ partition: current + i, brokerIds })),
        live,
        current,
      );
      const odd = added.find((p) => p.replicas.length !== rf);
      if (odd) {
        throw new KafkaError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `The manual partition assignment includes a partition with ${odd.replicas.length} replica(s), but this is not consistent with previous partitions, which have ${rf} replica(s).`,
        );
      }
    } else {
      if (rf > live.length) {
        throw new KafkaError(
          ErrorCode.INVALID_REPLICATION_FACTOR,
          `Unable to replicate the partition ${rf} time(s): only ${live.length} broker(s) are registered.`,
        );
      }
      added = Array.from({ length: count - current }, (_, i) => this.autoAssign(current + i, rf, live));
    }
    return added;
  }

  // CreatePartitions: grows a topic to `count` partitions (never shrinks). The new logs are made
  // first, then the change is recorded; on failure the topic is as it was.
  createPartitions(topic: TopicState, count: number, assignments: number[][] | null, validateOnly: boolean): Promise<void> {
    return this.serialized(async () => {
      const added = this.preparePartitions(topic, count, assignments);
      if (validateOnly) return;
      if (this.quorum) {
        let first = true;
        await this.commit(() => {
          if (this.byId.get(topic.id) !== topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          const next = first ? added : this.preparePartitions(topic, count, assignments);
          first = false;
          return [{ op: 'partitions', id: topic.id, partitions: next }];
        });
        return;
      }
      await this.lifecycle?.createPartitionLogs(topic, added);
      if (this.byId.get(topic.id) !== topic) {
        // Deleted while its logs were being created.
        this.lifecycle?.partitionsAbandoned(topic, added);
        throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      }
      await this.recordAsync({ op: 'partitions', id: topic.id, partitions: added }, () => this.lifecycle?.partitionsAbandoned(topic, added));
      if (this.byId.get(topic.id) !== topic) {
        // Deleted while the change was being made durable (its delete is logged after it).
        this.store.asyncChangeApplied(() => this.snapshot());
        this.lifecycle?.partitionsAbandoned(topic, added);
        throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      }
      topic.partitions.push(...added);
      this.store.asyncChangeApplied(() => this.snapshot());
    });
  }

  // The number of partitions preparePartitions would add (Kafka's controller counts the records).
  // Counted without building them: the count may be in the millions.
  partitionsToAdd(topic: TopicState, count: number, assignments: number[][] | null): number {
    const current = topic.partitions.length;
    if (count <= current) return 0;
    if (assignments === null) {
      const rf = topic.partitions[0]?.replicas.length ?? 1;
      return rf > this.brokers().length ? 0 : count - current;
    }
    try {
      return this.preparePartitions(topic, count, assignments).length;
    } catch {
      return 0;
    }
  }

  // Replaces a topic's overrides (AlterConfigs) or applies changes (IncrementalAlterConfigs, with
  // null meaning delete). Validates the resulting set first; nothing changes on error.
  async setTopicConfigs(topic: TopicState, next: Record<string, string>, validateOnly: boolean): Promise<void> {
    const checked = this.checkConfigs(next);
    if (validateOnly) return;
    if (this.quorum) return this.commit(() => [{ op: 'topicConfigs', id: topic.id, configs: checked }]);
    const before = topic.configs;
    topic.configs = checked;
    try {
      this.record({ op: 'topicConfigs', id: topic.id, configs: checked });
    } catch (err) {
      topic.configs = before;
      throw err;
    }
    this.lifecycle?.topicConfigChanged(topic);
  }

  // Dynamic broker configs changed through AlterConfigs are persisted with the topics.
  async brokerConfigsChanged(): Promise<void> {
    if (this.quorum) {
      return this.commit(() => [
        {
          op: 'dynamicConfigs',
          nodeId: this.nodeId,
          brokerConfigs: this.config.dynamicEntries('broker'),
          clusterConfigs: this.config.dynamicEntries('cluster'),
        },
      ]);
    }
    this.record({ op: 'dynamicConfigs', brokerConfigs: this.config.dynamicEntries('broker'), clusterConfigs: this.config.dynamicEntries('cluster') });
  }

  // A group's config overrides (resource type GROUP); empty when it has none.
  groupConfig(groupId: string): Readonly<Record<string, string>> {
    return this.groupConfigs.get(groupId) ?? {};
  }

  // Replaces a group's overrides after validating them as Kafka's GroupConfig.validate does.
  async setGroupConfigs(groupId: string, next: Record<string, string>, validateOnly: boolean): Promise<void> {
    const checked = validateGroupConfigs(this.config, next);
    if (!checked.ok) throw new KafkaError(ErrorCode.INVALID_CONFIG, checked.error);
    if (validateOnly) return;
    if (this.quorum) return this.commit(() => [{ op: 'groupConfigs', groupId, configs: checked.configs }]);
    this.record({ op: 'groupConfigs', groupId, configs: checked.configs });
    if (Object.keys(checked.configs).length === 0) this.groupConfigs.delete(groupId);
    else this.groupConfigs.set(groupId, checked.configs);
  }

  private checkConfigs(configs: Record<string, string | null>): Record<string, string> {
    const error = validateTopicConfigs(configs);
    if (error !== null) throw new KafkaError(ErrorCode.INVALID_CONFIG, error);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(configs)) if (v !== null) out[k] = v;
    return out;
  }

  private autoAssign(partition: number, rf: number, live: number[]): PartitionState {
    // Round-robin from a per-partition start, as Kafka's default placement spreads leaders; `live`
    // is in placement order (rack-alternated when brokers have racks).
    const replicas = Array.from({ length: rf }, (_, i) => live[(partition + i) % live.length]!);
    return { partition, leader: replicas[0]!, leaderEpoch: 0, replicas, isr: [...replicas] };
  }

  private manualAssignment(assignments: Array<{ partition: number; brokerIds: number[] }>, live: number[], first: number): PartitionState[] {
    const sorted = [...assignments].sort((a, b) => a.partition - b.partition);
    return sorted.map((a, i) => {
      if (a.partition !== first + i) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence');
      }
      if (a.brokerIds.length === 0)
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.');
      const twice = a.brokerIds.find((b, j) => a.brokerIds.indexOf(b) !== j);
      if (twice !== undefined) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes the broker ${twice} more than once.`);
      }
      const unknown = a.brokerIds.find((b) => !live.includes(b));
      if (unknown !== undefined) {
        throw new KafkaError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `The manual partition assignment includes broker ${unknown}, but no such broker is registered.`,
        );
      }
      return { partition: a.partition, leader: a.brokerIds[0]!, leaderEpoch: 0, replicas: [...a.brokerIds], isr: [...a.brokerIds] };
    });
  }

  private index(t: TopicState): void {
    this.byName.set(t.name, t);
    this.byId.set(t.id, t);
    this.byCollisionKey.set(collisionKey(t.name), t.name);
  }

  private unindex(t: TopicState): void {
    this.byName.delete(t.name);
    this.byId.delete(t.id);
    this.byCollisionKey.delete(collisionKey(t.name));
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.adminQueue.then(fn, fn);
    this.adminQueue = run.catch(() => undefined);
    return run;
  }

  // A new producer id (InitProducerId). Blocks of PRODUCER_ID_BLOCK are reserved durably before
  // any id of the block is handed out (Kafka's controller allocates blocks of 1000 the same way).
  async allocateProducerId(): Promise<number> {
    if (this.quorum && this.nextProducerId >= this.producerIdBlockEnd) {
      // The block is reserved through the quorum: a compare-and-set, so no two brokers get one.
      let start = 0;
      await this.commit(() => {
        start = this.nextProducerIdBlock;
        return [{ op: 'producerIds', nextProducerIdBlock: start + PRODUCER_ID_BLOCK }];
      });
      if (this.nextProducerId >= this.producerIdBlockEnd) {
        this.nextProducerId = start;
        this.producerIdBlockEnd = start + PRODUCER_ID_BLOCK;
      }
    }
    if (this.nextProducerId >= this.producerIdBlockEnd) {
      const start = this.nextProducerIdBlock;
      this.nextProducerIdBlock = start + PRODUCER_ID_BLOCK;
      try {
        this.record({ op: 'producerIds', nextProducerIdBlock: this.nextProducerIdBlock });
      } catch (err) {
        this.nextProducerIdBlock = start;
        throw err;
      }
      this.nextProducerId = start;
      this.producerIdBlockEnd = start + PRODUCER_ID_BLOCK;
    }
    return this.nextProducerId++;
  }

  // Makes one change durable. A failure (a full disk) is KAFKA_STORAGE_ERROR to the client.
  private record(change: MetadataChange): void {
    try {
      this.store.append(change, () => this.snapshot());
    } catch (err) {
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `could not record the metadata change: ${(err as Error).message}`);
    }
  }

  // The same, with the fsync off the event loop; the caller applies the change once it resolves.
  // On failure `undo` runs and KAFKA_STORAGE_ERROR is thrown.
  private async recordAsync(change: MetadataChange, undo: () => void): Promise<void> {
    try {
      await this.store.appendAsync(change);
    } catch (err) {
      undo();
      this.store.asyncChangeApplied(() => this.snapshot());
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `could not record the metadata change: ${(err as Error).message}`);
    }
  }

  private snapshot(): MetadataSnapshot {
    return {
      nextProducerIdBlock: this.nextProducerIdBlock,
      clusterId: this.clusterId,
      topics: this.topics(),
      brokerConfigs: this.config.dynamicEntries('broker'),
      clusterConfigs: this.config.dynamicEntries('cluster'),
      groupConfigs: Object.fromEntries(this.groupConfigs),
    };
  }
}
