// The aborted-transaction index of a partition (Kafka's TransactionIndex): one entry per aborted
// transaction, {producerId, firstOffset, lastOffset (the ABORT marker), lastStableOffset}. Kept in
// memory for read_committed fetches and on disk as `<baseOffset>.txnindex` next to the segment
// holding the marker, in Kafka's format: 34-byte entries of version int16 (0), producerId int64,
// firstOffset int64, lastOffset int64, lastStableOffset int64.
import { appendFileSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toInt64 } from '../protocol/records/int64.js';

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

export const TXN_INDEX_ENTRY_SIZE = 34;

export function txnIndexName(segmentBaseOffset: number): string {
  return `${String(segmentBaseOffset).padStart(20, '0')}.txnindex`;
}

export function encodeAbortedTxn(e: AbortedTxn): Buffer {
  const b = Buffer.alloc(TXN_INDEX_ENTRY_SIZE);
  b.writeInt16BE(0, 0);
  b.writeBigInt64BE(toInt64(e.producerId), 2);
  b.writeBigInt64BE(toInt64(e.firstOffset), 10);
  b.writeBigInt64BE(toInt64(e.lastOffset), 18);
  b.writeBigInt64BE(toInt64(e.lastStableOffset), 26);
  return b;
}

// Reads whole entries; a torn tail (crash mid-append) is ignored.
export function decodeTxnIndex(buf: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let p = 0; p + TXN_INDEX_ENTRY_SIZE <= buf.length; p += TXN_INDEX_ENTRY_SIZE) {
    if (buf.readInt16BE(p) !== 0) break;
    out.push({
      producerId: Number(buf.readBigInt64BE(p + 2)),
      firstOffset: Number(buf.readBigInt64BE(p + 10)),
      lastOffset: Number(buf.readBigInt64BE(p + 18)),
      lastStableOffset: Number(buf.readBigInt64BE(p + 26)),
    });
  }
  return out;
}

export class AbortedTxnIndex {
  // Ordered by lastOffset (markers are appended in offset order).
  readonly entries: AbortedTxn[] = [];

  has(lastOffset: number): boolean {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.lastOffset === lastOffset) return true;
      if (e.lastOffset < lastOffset) return false;
    }
    return false;
  }

  add(e: AbortedTxn): void {
    if (this.has(e.lastOffset)) return;
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.lastOffset > e.lastOffset) i--;
    this.entries.splice(i, 0, e);
  }

  // Kafka's collectAbortedTxns: transactions that overlap [fetchOffset, upperBoundOffset).
  collect(fetchOffset: number, upperBoundOffset: number): Array<{ producerId: number; firstOffset: number }> {
    const out: Array<{ producerId: number; firstOffset: number }> = [];
    for (const e of this.entries) {
      if (e.lastOffset >= fetchOffset && e.firstOffset < upperBoundOffset) out.push({ producerId: e.producerId, firstOffset: e.firstOffset });
    }
    return out;
  }

  // Entries wholly below the log start offset are useless (retention, DeleteRecords).
  trimBelow(logStartOffset: number): void {
    let n = 0;
    while (n < this.entries.length && this.entries[n]!.lastOffset < logStartOffset) n++;
    if (n > 0) this.entries.splice(0, n);
  }

  // Log truncation: transactions whose marker is at or after `offset` are no longer aborted here
  // (their marker is gone).
  truncateFrom(offset: number): void {
    let n = this.entries.length;
    while (n > 0 && this.entries[n - 1]!.lastOffset >= offset) n--;
    this.entries.length = n;
  }

  clear(): void {
    this.entries.length = 0;
  }

  // Loads the `.txnindex` files of a partition directory.
  loadDir(dir: string, segmentBases: readonly number[]): void {
    for (const base of segmentBases) {
      const path = join(dir, txnIndexName(base));
      if (!existsSync(path)) continue;
      for (const e of decodeTxnIndex(readFileSync(path))) this.add(e);
    }
  }

  // Rewrites a segment's `.txnindex` with its entries in [segmentBaseOffset, endOffset) after a
  // truncation (Kafka's TransactionIndex.truncateTo); removes it when none are left.
  rewriteFile(dir: string, segmentBaseOffset: number, endOffset: number): void {
    const path = join(dir, txnIndexName(segmentBaseOffset));
    const kept = this.entries.filter((e) => e.lastOffset >= segmentBaseOffset && e.lastOffset < endOffset);
    if (kept.length === 0) {
      if (existsSync(path)) unlinkSync(path);
      return;
    }
    writeFileSync(path, Buffer.concat(kept.map(encodeAbortedTxn)));
  }

  static appendToFile(dir: string, segmentBaseOffset: number, e: AbortedTxn): void {
    appendFileSync(join(dir, txnIndexName(segmentBaseOffset)), encodeAbortedTxn(e));
  }
}
