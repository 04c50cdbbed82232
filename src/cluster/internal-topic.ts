// Internal compacted topics that coordinators keep their state in (__consumer_offsets,
// __transaction_state): created on first use with the broker's settings for them, and keyed to a
// partition the way Kafka does it, so the same id lands on the same partition as in Kafka.
import type { BrokerConfig } from '../config/index.js';
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

  /** The topic, created now if it does not exist yet. */
  ensure(): TopicState {
    const existing = this.topic;
    if (existing) return existing;
    const { config, metadata } = this.services;
    const created = metadata.createTopic({
      name: this.spec.name,
      numPartitions: config.getInt(this.spec.partitionsConfig),
      // A single broker cannot hold more replicas than itself (Kafka caps it the same way).
      replicationFactor: Math.min(config.getInt(this.spec.replicationConfig), metadata.brokers().length),
      configs: {
        'cleanup.policy': 'compact',
        'compression.type': this.spec.compressionType,
        'segment.bytes': String(config.getInt(this.spec.segmentBytesConfig)),
      },
    });
    this.services.log.info({ topic: this.spec.name, partitions: created.partitions.length }, `created the internal ${this.spec.description} topic`);
    return created;
  }

  /** The partition of an id; an existing topic's partition count wins over the config. */
  partitionFor(id: string): number {
    const n = this.topic?.partitions.length ?? this.services.config.getInt(this.spec.partitionsConfig);
    return partitionForKey(id, n);
  }
}
