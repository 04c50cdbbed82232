// What the cleaner does with one record batch: Kafka's RecordFilter of Cleaner.cleanInto plus
// MemoryRecords.filterTo (storage/.../log/Cleaner.java, clients/.../record/MemoryRecords.java).
//
// Per batch (checkBatchRetention):
//   - the batch holding an active producer's last data offset is kept even if every record goes
//     (RETAIN_EMPTY: an empty header), so the producer's last sequence and epoch survive a
//     restart that rebuilds producer state from the log;
//   - so is the last batch of the cleaning round (its next offset = the first uncleanable
//     offset), so the round's last offset is not lost;
//   - any other batch whose records all go disappears (DELETE_EMPTY).
// Per record (shouldRetainRecord):
//   - records past the map's latest offset are kept (the map does not judge them);
//   - a record with no key is dropped (a compacted topic has no place for it);
//   - a record is kept if its offset >= the map's offset for its key (-1 for keys never seen in
//     the dirty range): the latest value of every key always stays;
//   - a tombstone (null value) that is the latest for its key stays until its batch's delete
//     horizon (KIP-534): the first clean that keeps it stamps the batch with
//     horizon = now + delete.retention.ms; a clean after the horizon drops it.
// A batch that keeps every record and needs no horizon is written as it was (bytes untouched,
// compressed or not); otherwise it is rebuilt with the original offsets (see records.ts) and
// recompressed with its original codec. Decompression and compression of large batches run on
// the worker pool (workers/pool.ts picks inline or pool by size).
//
// Transactions: samsa has no transaction index yet, so the cleaner cannot tell committed records
// from aborted ones. Until it can, transactional batches and control batches are kept as they are
// and transactional records never enter the offset map (they never make an older value go).
// TODO(transactions): Kafka's CleanedTransactionMetadata: drop aborted transactional records,
// dedupe committed ones like any other, and drop markers after their delete horizon once the
// transaction has no data left.
import { readBatchHeader, type BatchHeader } from '../../protocol/records/header.js';
import { runJob } from '../../workers/pool.js';
import type { TargetCodec } from '../../compression/batch-codec.js';
import { forEachRecord, buildRetainedBatch, emptyBatchOf, type KeptRecord } from './records.js';
import { mapKey, type OffsetMap } from './offset-map.js';

/** A delete horizon further out than this is clamped (delete.retention.ms may be "forever"). */
const MAX_DELETE_RETENTION_MS = 2 ** 45; // ~1100 years: timestamp deltas stay exact

export interface CleanerStats {
  batchesRead: number;
  recordsRead: number;
  bytesRead: number;
  batchesWritten: number;
  recordsKept: number;
  bytesWritten: number;
  tombstonesDropped: number;
  keylessDropped: number;
}

export function newStats(): CleanerStats {
  return { batchesRead: 0, recordsRead: 0, bytesRead: 0, batchesWritten: 0, recordsKept: 0, bytesWritten: 0, tombstonesDropped: 0, keylessDropped: 0 };
}

export interface FilterContext {
  map: OffsetMap;
  /** The time of this clean (Kafka's currentTime). */
  now: number;
  deleteRetentionMs: number;
  /** Active producers: producer id -> the last offset of its last data batch. */
  lastOffsetOfProducer: ReadonlyMap<number, number>;
  /** The first uncleanable offset of this round. */
  upperBoundOffset: number;
  stats: CleanerStats;
}

function decompressed(batch: Buffer, h: BatchHeader): Promise<Buffer> | Buffer {
  return h.compression === 0 ? batch : runJob('decompressBatch', { buf: batch });
}

/**
 * Adds the keys of one batch to the map (Kafka's buildOffsetMapForSegment): records at or after
 * `start` with a key, from batches that are neither control nor transactional (see above).
 */
export async function addBatchToMap(batch: Buffer, map: OffsetMap, start: number): Promise<void> {
  const h = readBatchHeader(batch, 0);
  const lastOffset = h.baseOffset + h.lastOffsetDelta;
  if (!h.isControl && !h.isTransactional && h.recordCount > 0 && lastOffset >= start) {
    const plain = await decompressed(batch, h);
    forEachRecord(plain, (r) => {
      const offset = h.baseOffset + r.offsetDelta;
      if (r.keyStart >= 0 && offset >= start) map.put(mapKey(plain, r.keyStart, r.keyLength), offset);
    });
  }
  if (lastOffset >= start) map.updateLatestOffset(lastOffset);
}

/**
 * The batch to write in place of `batch` (the same buffer when it is kept whole, a new one when
 * rebuilt or emptied), or null when it goes.
 */
export async function filterBatch(batch: Buffer, ctx: FilterContext): Promise<Buffer | null> {
  const h = readBatchHeader(batch, 0);
  const st = ctx.stats;
  st.batchesRead++;
  st.recordsRead += h.recordCount;
  st.bytesRead += h.size;
  const keep = (b: Buffer, records: number): Buffer => {
    st.batchesWritten++;
    st.recordsKept += records;
    st.bytesWritten += b.length;
    return b;
  };
  if (h.isControl || h.isTransactional) return keep(batch, h.recordCount); // TODO(transactions), see above
  const lastOffset = h.baseOffset + h.lastOffsetDelta;
  const lastOfProducer = h.producerId >= 0 && ctx.lastOffsetOfProducer.get(h.producerId) === lastOffset;
  const retainEmpty = lastOfProducer || lastOffset + 1 === ctx.upperBoundOffset;
  if (h.recordCount === 0) return retainEmpty ? keep(batch, 0) : null;

  const plain = await decompressed(batch, h);
  const map = ctx.map;
  const horizon = h.hasDeleteHorizonMs ? h.baseTimestamp : -1;
  const kept: KeptRecord[] = [];
  let all = true;
  let tombstones = false;
  forEachRecord(plain, (r) => {
    const offset = h.baseOffset + r.offsetDelta;
    let retain: boolean;
    if (offset > map.latestOffset) retain = true;
    else if (r.keyStart < 0) {
      retain = false;
      st.keylessDropped++;
    } else if (offset < map.get(mapKey(plain, r.keyStart, r.keyLength))) retain = false;
    else if (!r.nullValue) retain = true;
    else {
      retain = horizon < 0 || ctx.now < horizon;
      if (!retain) st.tombstonesDropped++;
    }
    if (retain) {
      kept.push({ start: r.start, end: r.end, bodyStart: r.bodyStart, afterTimestamp: r.afterTimestamp, timestampDelta: r.timestampDelta });
      if (r.nullValue) tombstones = true;
    } else all = false;
  });

  if (kept.length === 0) return retainEmpty ? keep(emptyBatchOf(batch), 0) : null;
  const needHorizon = tombstones && horizon < 0;
  if (all && !needHorizon) return keep(batch, kept.length);
  const newHorizon = needHorizon ? ctx.now + Math.min(ctx.deleteRetentionMs, MAX_DELETE_RETENTION_MS) : horizon;
  const rebuilt = buildRetainedBatch(plain, kept, newHorizon);
  if (h.compression === 0) return keep(rebuilt, kept.length);
  return keep(await runJob('compressBatch', { buf: rebuilt, codec: h.compression as TargetCodec }), kept.length);
}
