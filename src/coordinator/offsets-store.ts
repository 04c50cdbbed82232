// Committed offsets in memory: group -> topic -> partition -> offset and metadata. What is here
// is in the log too: commits enter this map only after their record is durable, and the map is
// rebuilt from __consumer_offsets at start-up.

export interface OffsetAndMetadata {
  offset: number;
  leaderEpoch: number; // -1: none
  metadata: string;
  commitTimestamp: number;
  expireTimestamp: number; // -1: none (OffsetCommit v2-v4 with a retention time)
}

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

export class OffsetsStore {
  private readonly byGroup = new Map<string, Map<string, Map<number, OffsetAndMetadata>>>();

  get(group: string, topic: string, partition: number): OffsetAndMetadata | undefined {
    return this.byGroup.get(group)?.get(topic)?.get(partition);
  }

  put(group: string, topic: string, partition: number, value: OffsetAndMetadata): void {
    let topics = this.byGroup.get(group);
    if (!topics) this.byGroup.set(group, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, value);
  }

  remove(group: string, topic: string, partition: number): boolean {
    const topics = this.byGroup.get(group);
    const partitions = topics?.get(topic);
    if (!topics || !partitions || !partitions.delete(partition)) return false;
    if (partitions.size === 0) topics.delete(topic);
    if (topics.size === 0) this.byGroup.delete(group);
    return true;
  }

  /** Forgets every offset of a group (its coordinator partition moved to another broker). */
  dropGroup(group: string): void {
    this.byGroup.delete(group);
  }

  hasOffsets(group: string): boolean {
    return this.byGroup.has(group);
  }

  /** topic -> partition -> offset, for one group (empty when it has none). */
  ofGroup(group: string): ReadonlyMap<string, ReadonlyMap<number, OffsetAndMetadata>> {
    return this.byGroup.get(group) ?? new Map();
  }

  /** Every committed partition of a group. */
  partitionsOf(group: string): TopicPartitionRef[] {
    const out: TopicPartitionRef[] = [];
    for (const [topic, partitions] of this.ofGroup(group)) for (const partition of partitions.keys()) out.push({ topic, partition });
    return out;
  }

  groups(): IterableIterator<string> {
    return this.byGroup.keys();
  }

  /** Groups with offsets for a topic, and the partitions they hold (topic deletion). */
  holdersOf(topic: string): Array<{ group: string; partitions: number[] }> {
    const out: Array<{ group: string; partitions: number[] }> = [];
    for (const [group, topics] of this.byGroup) {
      const p = topics.get(topic);
      if (p) out.push({ group, partitions: [...p.keys()] });
    }
    return out;
  }
}
