// The embedded consumer protocol (protocol type "consumer") that classic group members put in
// their JoinGroup metadata and that the leader hands out in SyncGroup: Kafka's
// clients/src/main/resources/common/message/ConsumerProtocolSubscription.json and
// ConsumerProtocolAssignment.json, never flexible. The coordinator only reads the v0 prefix of a
// subscription (the topic list, as Kafka's ClassicGroup.computeSubscribedTopics does); the CLI
// reads assignments to print who owns which partition.
//   Subscription: version int16, topics [string], userData bytes?, [v1+ ownedPartitions
//                 [topic string, partitions [int32]]], [v2+ generationId int32], [v3+ rackId string?]
//   Assignment:   version int16, assignedPartitions [topic string, partitions [int32]], userData bytes?
import { Reader, Writer } from '../../protocol/primitives/index.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** The subscribed topic names, or null when the bytes are not a consumer subscription. */
export function subscriptionTopics(metadata: Buffer): string[] | null {
  const r = new Reader(metadata);
  const version = r.int16();
  if (version < 0) return null;
  const n = r.arrayLength();
  const topics: string[] = [];
  for (let i = 0; i < n && r.error === null; i++) topics.push(r.string());
  return r.error === null ? topics : null;
}

/** The assigned partitions, or null when the bytes are not a consumer assignment. */
export function decodeAssignment(assignment: Buffer): TopicPartitions[] | null {
  if (assignment.length === 0) return [];
  const r = new Reader(assignment);
  const version = r.int16();
  if (version < 0) return null;
  const out: TopicPartitions[] = [];
  const n = r.arrayLength();
  for (let i = 0; i < n && r.error === null; i++) {
    const topic = r.string();
    const m = r.arrayLength();
    const partitions: number[] = [];
    for (let j = 0; j < m && r.error === null; j++) partitions.push(r.int32());
    out.push({ topic, partitions });
  }
  return r.error === null ? out : null;
}

/** A v0 subscription (tests and the bench: a minimal consumer-protocol member). */
export function encodeSubscription(topics: readonly string[]): Buffer {
  const w = new Writer(64);
  w.int16(0);
  w.int32(topics.length);
  for (const t of topics) w.string(t);
  w.nullableBytes(null);
  return w.toBuffer();
}

/** A v0 assignment. */
export function encodeAssignment(assigned: readonly TopicPartitions[]): Buffer {
  const w = new Writer(64);
  w.int16(0);
  w.int32(assigned.length);
  for (const a of assigned) {
    w.string(a.topic);
    w.int32(a.partitions.length);
    for (const p of a.partitions) w.int32(p);
  }
  w.nullableBytes(null);
  return w.toBuffer();
}
