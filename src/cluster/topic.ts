// The cluster's view of topics and partitions: what Metadata, CreateTopics and friends report.
// Leader epochs start at 0 and rise with every leader change (KIP-101/KIP-320).

export interface PartitionState {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  // Rises with every change of leader or ISR (KRaft's partition epoch); absent means 0.
  partitionEpoch?: number;
}

export interface TopicState {
  name: string;
  id: string; // Kafka topic id: 22-character URL-safe base64 UUID
  partitions: PartitionState[];
  // Topic-level config overrides only (not defaults), as Kafka stores them.
  configs: Record<string, string>;
  internal: boolean;
}

export interface BrokerEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

// Kafka's topic name rules (org.apache.kafka.common.internals.Topic).
export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`;
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

// '.' and '_' collide in metric names, so Kafka refuses topics that differ only by them.
export function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}

export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);
