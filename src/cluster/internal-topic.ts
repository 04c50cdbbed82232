// Internal compacted topics that coordinators keep their state in (__consumer_offsets,
// __transaction_state): created on first use with the broker's settings for them, and keyed to a
// partition the way Kafka does it, so the same id lands on the same partition as in Kafka.
import type { BrokerConfig } from '../config/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ClusterMetadata } from './cluster-metadata.js';
import type { TopicState } from './topic.js';

/** Java's String.hashCode over UTF-16 code units, as a signed int32. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's partitionFor (groups and transactional ids): Utils.abs(id.hashCode()) % partitions. */
export function partitionForKey(id: string, partitions: number): number {
  const h = javaStringHashCode(id);
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}

export interface InternalTopicSpec {
  name: string;
  // Broker config names for its partitions, replication factor and segment size.
  partitionsConfig: string;
  replicationConfig: string;
  segmentBytesConfig: string;
  // The broker config for its min.insync.replicas (Kafka has one for __transaction_state only;
  // __consumer_offsets follows the broker's min.insync.replicas).
  minIsrConfig?: string;
  compressionType: string;
  description: string; // for the log line when it is created
}

/** What an internal topic uses of the broker: its settings, the topics, a logger. (Its users add
 * the logs: cluster/ sits below storage/.) */
export interface InternalTopicServices {
  readonly config: BrokerConfig;
  readonly metadata: ClusterMetadata;
  readonly log: Logger;
}

export class InternalTopic<S extends InternalTopicServices = InternalTopicServices> {
  constructor(
    protected readonly services: S,
    private readonly spec: InternalTopicSpec,
  ) {}

  protected get topic(): TopicState | undefined {
    return this.services.metadata.topic(this.spec.name);
  }

  get exists(): boolean {
    return this.topic !== undefined;
  }

  // Cluster mode: the creation going through the quorum (one at a time).
  private creating: Promise<unknown> | null = null;
  // Cluster mode: does this broker lead (and hold loaded) the partition? Set by the coordinator;
  // checked right before every append, since leadership can move during an await.
  leaderGuard: ((partition: number) => boolean) | null = null;

  /** The topic, created now if it does not exist yet. In a cluster the creation goes through the
   * quorum and this throws COORDINATOR_NOT_AVAILABLE until it is applied here (Kafka answers
   * FindCoordinator the same way while it creates the topic). */
  ensure(): TopicState {
    const existing = this.topic;
    if (existing) return existing;
    const { config, metadata, log } = this.services;
    const { replicationFactor, minIsr } = this.replication();
    const spec = {
      name: this.spec.name,
      numPartitions: config.getInt(this.spec.partitionsConfig),
      replicationFactor,
      configs: {
        'cleanup.policy': 'compact',
        'compression.type': this.spec.compressionType,
        'segment.bytes': String(config.getInt(this.spec.segmentBytesConfig)),
        ...(minIsr !== null ? { 'min.insync.replicas': String(minIsr) } : {}),
      },
    };
    if (metadata.quorum) {
      this.creating ??= metadata
        .createTopicAsync(spec)
        .then(
          (t) => log.info({ topic: this.spec.name, partitions: t.partitions.length, replicationFactor }, `created the internal ${this.spec.description} topic`),
          (err: unknown) => {
            if (!(err instanceof KafkaError && err.code === ErrorCode.TOPIC_ALREADY_EXISTS))
              log.warn(
                { topic: this.spec.name, err: (err as Error).message },
                `could not create the internal ${this.spec.description} topic; retrying on the next request`,
              );
          },
        )
        .finally(() => (this.creating = null));
      throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `the internal topic ${this.spec.name} is being created`);
    }
    const created = metadata.createTopic(spec);
    log.info({ topic: this.spec.name, partitions: created.partitions.length }, `created the internal ${this.spec.description} topic`);
    return created;
  }

  // Replication factor and min.insync.replicas of the topic. A single broker holds one replica
  // (Kafka caps it the same way for one broker). In a cluster the configured factor (Kafka's
  // default 3 when not set: samsa's default of 1 is for a single broker) is capped to the live
  // brokers, as a development cluster needs, and the log says so; min.isr with it.
  private replication(): { replicationFactor: number; minIsr: number | null } {
    const { config, metadata, log } = this.services;
    const live = metadata.brokers().length;
    if (!metadata.quorum) return { replicationFactor: Math.min(config.getInt(this.spec.replicationConfig), live), minIsr: null };
    const wanted = config.isSet(this.spec.replicationConfig) ? config.getInt(this.spec.replicationConfig) : 3;
    const replicationFactor = Math.max(1, Math.min(wanted, live));
    let minIsr = this.spec.minIsrConfig ? config.getInt(this.spec.minIsrConfig) : null;
    if (replicationFactor < wanted) {
      const capped = minIsr !== null && minIsr > replicationFactor ? replicationFactor : minIsr;
      log.warn(
        {
          topic: this.spec.name,
          [this.spec.replicationConfig]: wanted,
          liveBrokers: live,
          replicationFactor,
          ...(minIsr !== null ? { minInsyncReplicas: capped } : {}),
        },
        `${this.spec.replicationConfig} is ${wanted} but only ${live} broker(s) are live: ${this.spec.name} is created with replication factor ${replicationFactor}`,
      );
      minIsr = capped;
    }
    return { replicationFactor, minIsr };
  }

  /** Throws NOT_COORDINATOR when a cluster moved the partition's leadership away from this broker. */
  checkLeader(partition: number): void {
    if (this.leaderGuard && !this.leaderGuard(partition)) {
      throw new KafkaError(ErrorCode.NOT_COORDINATOR, `this broker no longer leads ${this.spec.name}-${partition}`);
    }
  }

  /** The leader of a partition (-1: none, or no such topic yet). */
  leaderOf(partition: number): number {
    return this.topic?.partitions[partition]?.leader ?? -1;
  }

  /** The partition of an id; an existing topic's partition count wins over the config. */
  partitionFor(id: string): number {
    const n = this.topic?.partitions.length ?? this.services.config.getInt(this.spec.partitionsConfig);
    return partitionForKey(id, n);
  }
}
