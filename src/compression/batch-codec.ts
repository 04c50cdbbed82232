// Compressed record batches: decompress one to read its records, compress an uncompressed one,
// and rebuild one in another codec (topic compression.type, the log cleaner).
//
// Only the records section (bytes 61..end of a v2 batch) is compressed. A decompressed or
// compressed copy keeps every header field (baseOffset, partitionLeaderEpoch, producer fields,
// timestamps, transactional/control/timestamp-type bits), changes the codec bits of attributes
// and batchLength, and gets its CRC-32C recomputed. Results own their memory (not views into the
// input, not slices of Node's shared pool), so a worker can transfer them back without a copy.
//
// Every function comes twice: `xxxSync` runs on the calling thread and does gzip, snappy and lz4
// (zstd has no synchronous codec here); `xxx` returns a promise and does all four, compressing
// on libuv's threads.
import {
  ATTRIBUTES_OFFSET,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  COMPRESSION_MASK,
  CONTROL_MASK,
  CRC_OFFSET,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
  TIMESTAMP_TYPE_MASK,
} from '../protocol/records/layout.js';
import { accel } from '../accel/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { CODEC_NAMES, compress, compressSync, decompress, decompressSync } from './codecs.js';
import { renumberRecords, walkRecords } from './records.js';
import { readInt64, writeInt64 } from '../protocol/records/int64.js';

/** Codec ids a batch can be converted to: 0 (uncompressed) or a codec. */
export type TargetCodec = 0 | 1 | 2 | 3 | 4;

interface Located {
  position: number;
  size: number; // whole batch, LOG_OVERHEAD included
  codec: number;
}

/** Checks that a whole v2 batch sits at `position`; CORRUPT_MESSAGE if not. */
function locate(buf: Buffer, position: number): Located {
  if (!Number.isInteger(position) || position < 0 || position + BATCH_HEADER_SIZE > buf.length) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `no record batch header at byte ${position} of ${buf.length}`);
  }
  const magic = buf[position + MAGIC_OFFSET]!;
  if (magic !== CURRENT_MAGIC) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `batch at byte ${position}: magic ${magic}, only magic 2 is supported`);
  const size = buf.readInt32BE(position + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
  if (size < BATCH_HEADER_SIZE || position + size > buf.length) {
    throw new KafkaError(
      ErrorCode.CORRUPT_MESSAGE,
      `batch at byte ${position}: batchLength ${size - LOG_OVERHEAD} does not fit the ${buf.length - position} bytes left`,
    );
  }
  const codec = buf[position + ATTRIBUTES_OFFSET + 1]! & COMPRESSION_MASK;
  if (codec > 4) throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `batch at byte ${position}: unknown compression type id ${codec}`);
  return { position, size, codec };
}

function checkTarget(codec: number): void {
  if (!(codec >= 0 && codec <= 4 && Number.isInteger(codec)))
    throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression type id ${codec}`);
}

/** A copy of the whole batch in memory of its own. */
function copyBatch(buf: Buffer, at: Located): Buffer {
  const out = Buffer.allocUnsafeSlow(at.size);
  buf.copy(out, 0, at.position, at.position + at.size);
  return out;
}

interface HeaderPatch {
  lastOffsetDelta: number;
  recordCount: number;
  maxTimestamp: number | null;
}

/** Header of `buf` at `position` + `records`, codec bits set to `codec`, CRC recomputed. */
function assemble(buf: Buffer, position: number, records: Buffer, codec: number, patch?: HeaderPatch): Buffer {
  const out = Buffer.allocUnsafeSlow(BATCH_HEADER_SIZE + records.length);
  buf.copy(out, 0, position, position + BATCH_HEADER_SIZE);
  records.copy(out, RECORDS_OFFSET);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  out[ATTRIBUTES_OFFSET + 1] = (out[ATTRIBUTES_OFFSET + 1]! & ~COMPRESSION_MASK) | codec;
  if (patch) {
    out.writeInt32BE(patch.lastOffsetDelta, LAST_OFFSET_DELTA_OFFSET);
    out.writeInt32BE(patch.recordCount, RECORD_COUNT_OFFSET);
    if (patch.maxTimestamp !== null) writeInt64(out, MAX_TIMESTAMP_OFFSET, patch.maxTimestamp);
  }
  out.writeUInt32BE(accel.crc32c(out, ATTRIBUTES_OFFSET, out.length), CRC_OFFSET);
  return out;
}

function recordsOf(buf: Buffer, at: Located): Buffer {
  return buf.subarray(at.position + RECORDS_OFFSET, at.position + at.size);
}

// ---- decompress ----------------------------------------------------------------------------

/**
 * An uncompressed copy of the batch at `position` (a copy even when it is not compressed), so
 * iterateRecords and scanBatches can read it. gzip, snappy and lz4 only; throws CompressionError
 * (CORRUPT_MESSAGE) on corrupt data.
 */
export function decompressBatchSync(buf: Buffer, position = 0): Buffer {
  const at = locate(buf, position);
  if (at.codec === 0) return copyBatch(buf, at);
  return assemble(buf, position, decompressSync(at.codec, recordsOf(buf, at)), 0);
}

/** decompressBatchSync for every codec, decompressing on libuv's threads. */
export async function decompressBatch(buf: Buffer, position = 0): Promise<Buffer> {
  const at = locate(buf, position);
  if (at.codec === 0) return copyBatch(buf, at);
  return assemble(buf, position, await decompress(at.codec, recordsOf(buf, at)), 0);
}

// ---- compress ------------------------------------------------------------------------------

function uncompressedAt(batch: Buffer, position: number, fn: string): Located {
  const at = locate(batch, position);
  if (at.codec !== 0) throw new TypeError(`${fn}: the batch is already compressed (${CODEC_NAMES[at.codec]}); use recompressBatch`);
  return at;
}

/**
 * The uncompressed batch at `position` of `batch` with its records compressed by `codec` (0: a
 * copy). Records are taken as they are; use recompressBatch to renumber them. `level`: gzip and
 * zstd only.
 */
export function compressBatchSync(batch: Buffer, codec: TargetCodec, level?: number, position = 0): Buffer {
  checkTarget(codec);
  const at = uncompressedAt(batch, position, 'compressBatchSync');
  if (codec === 0) return copyBatch(batch, at);
  return assemble(batch, position, compressSync(codec, recordsOf(batch, at), level), codec);
}

/** compressBatchSync for every codec, compressing on libuv's threads. */
export async function compressBatch(batch: Buffer, codec: TargetCodec, level?: number, position = 0): Promise<Buffer> {
  checkTarget(codec);
  const at = uncompressedAt(batch, position, 'compressBatch');
  if (codec === 0) return copyBatch(batch, at);
  return assemble(batch, position, await compress(codec, recordsOf(batch, at), level), codec);
}

// ---- recompress ----------------------------------------------------------------------------

/**
 * What Kafka's LogValidator does when it cannot keep a produced batch as it is (the topic's
 * compression.type is neither `producer` nor the batch's codec, or the inner offsets of a
 * compressed batch are not 0..n-1): the same records, renumbered 0..n-1, lastOffsetDelta and
 * recordCount set from them, maxTimestamp recomputed (CreateTime batches), in `targetCodec`.
 * Record timestamps, keys, values and headers are kept byte for byte; the base timestamp and the
 * producer fields stay. An uncompressed control batch is returned as a copy: Kafka never
 * compresses control records that were written uncompressed.
 * Throws CompressionError (CORRUPT_MESSAGE) on corrupt data and KafkaError INVALID_RECORD on
 * records that do not parse or do not match the declared count.
 */
export function recompressBatchSync(buf: Buffer, position: number, targetCodec: TargetCodec, level?: number): Buffer {
  checkTarget(targetCodec);
  const at = locate(buf, position);
  if (at.codec === 0 && isControl(buf, position)) return copyBatch(buf, at);
  const records = at.codec === 0 ? recordsOf(buf, at) : decompressSync(at.codec, recordsOf(buf, at));
  const { renumbered, patch } = rebuild(buf, position, records);
  const out = targetCodec === 0 ? renumbered : compressSync(targetCodec, renumbered, level);
  return assemble(buf, position, out, targetCodec, patch);
}

/** recompressBatchSync for every codec, (de)compressing on libuv's threads. */
export async function recompressBatch(buf: Buffer, position: number, targetCodec: TargetCodec, level?: number): Promise<Buffer> {
  checkTarget(targetCodec);
  const at = locate(buf, position);
  if (at.codec === 0 && isControl(buf, position)) return copyBatch(buf, at);
  const records = at.codec === 0 ? recordsOf(buf, at) : await decompress(at.codec, recordsOf(buf, at));
  const { renumbered, patch } = rebuild(buf, position, records);
  const out = targetCodec === 0 ? renumbered : await compress(targetCodec, renumbered, level);
  return assemble(buf, position, out, targetCodec, patch);
}

function isControl(buf: Buffer, position: number): boolean {
  return (buf[position + ATTRIBUTES_OFFSET + 1]! & CONTROL_MASK) !== 0;
}

function rebuild(buf: Buffer, position: number, records: Buffer): { renumbered: Buffer; patch: HeaderPatch | undefined } {
  const declared = buf.readInt32BE(position + RECORD_COUNT_OFFSET);
  const layout = walkRecords(records, declared);
  if (layout.count === 0) return { renumbered: records, patch: undefined };
  const logAppendTime = (buf[position + ATTRIBUTES_OFFSET + 1]! & TIMESTAMP_TYPE_MASK) !== 0;
  const maxTimestamp = logAppendTime ? null : Math.max(-1, readInt64(buf, position + BASE_TIMESTAMP_OFFSET) + layout.maxTimestampDelta);
  return { renumbered: renumberRecords(records, layout), patch: { lastOffsetDelta: layout.count - 1, recordCount: layout.count, maxTimestamp } };
}
