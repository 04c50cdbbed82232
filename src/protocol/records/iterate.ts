// Walking the records of an uncompressed batch as values (tools, tests, coordinators' state
// topics); the produce hot path checks records without building them (src/accel/js-scan.ts).
import { readBatchHeader } from './header.js';
import { CompressionType, CURRENT_MAGIC, MIN_BATCH_LENGTH, RECORDS_OFFSET } from './layout.js';
import { parsed, parseRecord } from './record.js';
import { cursor, readVarint } from './varint.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export type RecordCallback = (offset: number, timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeader[]) => void | boolean;

/**
 * Calls `cb` for each record of the uncompressed batch at `position`, with views into `buf`.
 * A callback returning `false` stops the walk. Returns the number of records visited. Throws on
 * a compressed or malformed batch (this is for tools and tests, not the hot path).
 */
export function iterateRecords(buf: Buffer, position: number, cb: RecordCallback): number {
  const h = readBatchHeader(buf, position);
  const where = `batch at byte ${position}`;
  if (h.magic !== CURRENT_MAGIC) throw new Error(`${where}: magic ${h.magic}, only magic 2 is supported`);
  if (h.compression !== CompressionType.None) throw new Error(`${where}: compressed (type ${h.compression}); decompress the records first`);
  const end = position + h.size;
  if (h.batchLength < MIN_BATCH_LENGTH || end > buf.length) throw new Error(`${where}: batchLength ${h.batchLength} does not fit the buffer`);
  const logAppend = h.timestampType === 'LogAppendTime';
  const r = parsed;
  let p = position + RECORDS_OFFSET;
  for (let i = 0; i < h.recordCount; i++) {
    cursor.pos = p;
    const problem = p < end ? parseRecord(buf, end) : 'premature EOF';
    if (problem !== '') throw new Error(`${where}: record ${i} at byte ${p}: ${problem}`);
    p = cursor.pos;
    const offset = h.baseOffset + r.offsetDelta;
    const timestamp = logAppend ? h.maxTimestamp : h.baseTimestamp + r.timestampDelta;
    const key = r.keyLength < 0 ? null : buf.subarray(r.key, r.key + r.keyLength);
    const value = r.valueLength < 0 ? null : buf.subarray(r.value, r.value + r.valueLength);
    const headers: RecordHeader[] = [];
    cursor.pos = r.headers;
    for (let k = r.headerCount; k > 0; k--) {
      const kl = readVarint(buf, p); // already validated by parseRecord
      const hk = buf.toString('utf8', cursor.pos, cursor.pos + kl);
      cursor.pos += kl;
      const vl = readVarint(buf, p);
      headers.push({ key: hk, value: vl < 0 ? null : buf.subarray(cursor.pos, cursor.pos + vl) });
      if (vl > 0) cursor.pos += vl;
    }
    if (cb(offset, timestamp, key, value, headers) === false) return i + 1;
  }
  if (p !== end) throw new Error(`${where}: ${end - p} bytes left after ${h.recordCount} records`);
  return h.recordCount;
}
