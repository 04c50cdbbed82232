// Control batches (attributes bit 5): transaction markers. A control record's key is
// version int16, type int16 (Kafka's ControlRecordType); its value is the EndTxnMarker.
import { RECORDS_OFFSET } from './layout.js';
import { cursor, readVarint, readVarlong } from './varint.js';

/** The type in a control record's key: Kafka's ControlRecordType. */
export const ControlRecordType = { Abort: 0, Commit: 1 } as const;

// The control type of a control batch's first record (its key: version int16, type int16), or -1
// if unreadable. Record layout: record.ts.
export function controlTypeOf(batch: Buffer): number {
  const end = batch.length;
  cursor.pos = RECORDS_OFFSET;
  readVarint(batch, end); // length
  if (cursor.pos < 0) return -1;
  cursor.pos++; // attributes
  readVarlong(batch, end); // timestampDelta
  readVarint(batch, end); // offsetDelta
  const keyLength = readVarint(batch, end);
  if (cursor.pos < 0 || keyLength < 4 || cursor.pos + 4 > end) return -1;
  return batch.readInt16BE(cursor.pos + 2);
}
