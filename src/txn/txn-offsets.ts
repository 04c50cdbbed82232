// TxnOffsetCommit (KIP-98): offsets committed inside a transaction are written to
// __consumer_offsets as a transactional batch of the producer, and stay pending (invisible to
// OffsetFetch) until the transaction's marker reaches that partition: COMMIT applies them to the
// group's offsets, ABORT drops them. This is the hook into the group coordinator's offsets store.
// While pending, OffsetFetch with require_stable (KIP-447) answers UNSTABLE_OFFSET_COMMIT for the
// partition (hasPending, after OffsetMetadataManager.hasPendingTransactionalOffsets).
import type { StateTopicServices } from '../coordinator/offsets-topic.js';
import { OFFSETS_TOPIC } from '../coordinator/offsets-topic.js';
import { decodeKey, decodeOffsetCommitValue, encodeOffsetCommitKey, encodeOffsetCommitValue } from '../coordinator/records.js';
import type { OffsetAndMetadata, OffsetsStore } from '../coordinator/offsets-store.js';
import { buildBatch } from '../protocol/records/build.js';
import { iterateRecords } from '../protocol/records/iterate.js';
import { stampBatch } from '../protocol/records/stamp.js';
import { type BatchHeader } from '../protocol/records/header.js';
import { controlTypeOf } from '../protocol/records/control.js';
import { ErrorCode, KafkaError } from '../errors.js';

interface PendingOffset {
  groupId: string;
  topic: string;
  partition: number;
  value: OffsetAndMetadata;
}

/** What transactions use of the group coordinator (src/coordinator/coordinator.ts). */
export interface TxnGroupCoordinator {
  /** COORDINATOR_LOAD_IN_PROGRESS / NOT_AVAILABLE (NOT_COORDINATOR for a group led elsewhere), or NONE. */
  availability(groupId?: string): number;
  ensureOffsetsTopic(): number;
  /** The __consumer_offsets partition of a group. */
  partitionFor(groupId: string): number;
  /** Whether this broker leads (and has loaded) that partition: always on a single broker. */
  leadsOffsetsPartition(partition: number): boolean;
  /** Committed offsets: a transaction's offsets land here when its COMMIT marker is written. */
  readonly offsets: Pick<OffsetsStore, 'put'>;
}

const countKey = (groupId: string, topic: string, partition: number) => `${groupId}\u0000${topic}\u0000${partition}`;

export class PendingTxnOffsets {
  // producerId -> offsets partition -> pending offsets (in commit order)
  private readonly byProducer = new Map<number, Map<number, PendingOffset[]>>();
  // group, topic, partition -> how many pending offsets (of any producer) name it
  private readonly pendingCount = new Map<string, number>();

  constructor(
    private readonly services: Pick<StateTopicServices, 'metadata' | 'logManager'>,
    private readonly groups: TxnGroupCoordinator,
  ) {}

  hold(producerId: number, offsetsPartition: number, o: PendingOffset): void {
    let m = this.byProducer.get(producerId);
    if (!m) this.byProducer.set(producerId, (m = new Map()));
    let l = m.get(offsetsPartition);
    if (!l) m.set(offsetsPartition, (l = []));
    l.push(o);
    const k = countKey(o.groupId, o.topic, o.partition);
    this.pendingCount.set(k, (this.pendingCount.get(k) ?? 0) + 1);
  }

  // Is an offset of this group's partition pending in an open transaction?
  hasPending(groupId: string, topic: string, partition: number): boolean {
    return this.pendingCount.has(countKey(groupId, topic, partition));
  }

  // The transaction's marker is in `offsetsPartition`: apply (commit) or drop (abort).
  complete(producerId: number, offsetsPartition: number, commit: boolean): void {
    const m = this.byProducer.get(producerId);
    const l = m?.get(offsetsPartition);
    if (!m || !l) return;
    m.delete(offsetsPartition);
    if (m.size === 0) this.byProducer.delete(producerId);
    for (const o of l) {
      const k = countKey(o.groupId, o.topic, o.partition);
      const n = (this.pendingCount.get(k) ?? 1) - 1;
      if (n > 0) this.pendingCount.set(k, n);
      else this.pendingCount.delete(k);
    }
    if (!commit) return;
    const store = this.groups.offsets;
    for (const o of l) store.put(o.groupId, o.topic, o.partition, o.value);
  }

  // The group coordinator resigned `offsetsPartition`: its pending offsets leave memory (the new
  // leader replays them from the log with their markers).
  dropPartition(offsetsPartition: number): void {
    for (const [producerId, m] of [...this.byProducer]) {
      const l = m.get(offsetsPartition);
      if (!l) continue;
      m.delete(offsetsPartition);
      if (m.size === 0) this.byProducer.delete(producerId);
      for (const o of l) {
        const k = countKey(o.groupId, o.topic, o.partition);
        const n = (this.pendingCount.get(k) ?? 1) - 1;
        if (n > 0) this.pendingCount.set(k, n);
        else this.pendingCount.delete(k);
      }
    }
  }

  // Writes the offsets as one transactional batch of the producer and holds them pending.
  async commit(
    producerId: number,
    producerEpoch: number,
    groupId: string,
    offsets: Array<{ topic: string; partition: number; value: OffsetAndMetadata }>,
  ): Promise<void> {
    if (offsets.length === 0) return;
    const c = this.groups;
    const problem = c.availability(groupId) || c.ensureOffsetsTopic();
    if (problem) throw new KafkaError(problem, 'the group coordinator is not available');
    const partition = c.partitionFor(groupId);
    const state = this.services.metadata.topic(OFFSETS_TOPIC)?.partitions[partition];
    const log = this.services.logManager.get(OFFSETS_TOPIC, partition);
    if (!state || !log) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC}-${partition} is not available`);
    if (!c.leadsOffsetsPartition(partition)) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `this broker no longer leads ${OFFSETS_TOPIC}-${partition}`);
    const now = Date.now();
    const batch = buildBatch(
      offsets.map((o) => ({ key: encodeOffsetCommitKey(groupId, o.topic, o.partition), value: encodeOffsetCommitValue(o.value), timestamp: now })),
      { producerId, producerEpoch, baseSequence: 0, transactional: true, timestamp: now },
    );
    const info = log.append(
      batch,
      [{ position: 0, size: batch.length, lastOffsetDelta: offsets.length - 1, maxTimestamp: now }],
      state.leaderEpoch,
      now,
      stampBatch,
    );
    // The partition's producer state sees the open transaction (last stable offset).
    log.producers.update(
      producerId,
      producerEpoch,
      { firstSeq: 0, lastSeq: offsets.length - 1, firstOffset: info.baseOffset, lastOffset: info.lastOffset, timestamp: now },
      true,
    );
    for (const o of offsets) this.hold(producerId, partition, { groupId, ...o });
    try {
      await log.waitDurable(info.lastOffset);
    } catch (err) {
      throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `could not write to ${OFFSETS_TOPIC}-${partition}: ${(err as Error).message}`);
    }
  }

  // Start-up replay of __consumer_offsets (called by OffsetsTopic.load for transactional and
  // control batches): transactional offsets are held until their marker, then applied or dropped
  // at the marker's place in the log, so aborted offsets never come back after a restart.
  replayBatch(buf: Buffer, h: BatchHeader, partition: number, fromOffset: number): void {
    if (h.isControl) {
      const type = controlTypeOf(buf);
      if (type === 0 || type === 1) this.complete(h.producerId, partition, type === 1);
      return;
    }
    iterateRecords(buf, 0, (offset, _ts, key, value) => {
      if (offset < fromOffset || key === null || value === null) return;
      try {
        const k = decodeKey(Buffer.from(key));
        if (k.type !== 'offset') return;
        this.hold(h.producerId, partition, { groupId: k.group, topic: k.topic, partition: k.partition, value: decodeOffsetCommitValue(Buffer.from(value)) });
      } catch {
        // unreadable record: skipped, as the group loader does
      }
    });
  }
}
