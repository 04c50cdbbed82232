// One record of a v2 batch (Kafka's DefaultRecord): length varint, attributes int8,
// timestampDelta varlong, offsetDelta varint, keyLength varint (<0: null), key,
// valueLength varint (<0: null), value, headerCount varint, then per header keyLength varint,
// key, valueLength varint (<0: null), value.
import { cursor, readVarint, readVarlong } from './varint.js';

/** The record parseRecord just read. Module state, so the hot path allocates nothing. */
export const parsed = { timestampDelta: 0, offsetDelta: 0, key: 0, keyLength: 0, value: 0, valueLength: 0, headers: 0, headerCount: 0 };

/**
 * Parses the record at `cursor.pos` (Kafka's DefaultRecord.readFrom rules), leaving the cursor
 * after it and its fields in `parsed`. Returns '' or what is wrong. Negative key and value
 * lengths mean null, as in Kafka.
 */
export function parseRecord(b: Uint8Array, end: number): string {
  const r = parsed;
  const len = readVarint(b, end);
  if (cursor.pos < 0) return 'invalid record length varint';
  if (len <= 0 || len > end - cursor.pos) return `invalid record size ${len}, ${end - cursor.pos} bytes left in the batch`;
  const bodyStart = cursor.pos;
  const bodyEnd = cursor.pos + len;
  cursor.pos++; // attributes: unused in v2
  r.timestampDelta = readVarlong(b, bodyEnd);
  if (cursor.pos < 0) return 'invalid timestampDelta';
  r.offsetDelta = readVarint(b, bodyEnd);
  if (cursor.pos < 0) return 'invalid offsetDelta';
  r.keyLength = readVarint(b, bodyEnd);
  if (cursor.pos < 0 || r.keyLength > bodyEnd - cursor.pos) return 'invalid key length';
  r.key = cursor.pos;
  if (r.keyLength > 0) cursor.pos += r.keyLength;
  r.valueLength = readVarint(b, bodyEnd);
  if (cursor.pos < 0 || r.valueLength > bodyEnd - cursor.pos) return 'invalid value length';
  r.value = cursor.pos;
  if (r.valueLength > 0) cursor.pos += r.valueLength;
  r.headerCount = readVarint(b, bodyEnd);
  if (cursor.pos < 0 || r.headerCount < 0 || r.headerCount > bodyEnd - cursor.pos) return 'invalid number of record headers';
  r.headers = cursor.pos;
  for (let h = 0; h < r.headerCount; h++) {
    const kl = readVarint(b, bodyEnd);
    if (cursor.pos < 0 || kl < 0 || kl > bodyEnd - cursor.pos) return `invalid header ${h} key length`;
    cursor.pos += kl;
    const vl = readVarint(b, bodyEnd);
    if (cursor.pos < 0 || vl > bodyEnd - cursor.pos) return `invalid header ${h} value length`;
    if (vl > 0) cursor.pos += vl;
  }
  if (cursor.pos !== bodyEnd) return `expected to read ${len} bytes in record payload, but read ${cursor.pos - bodyStart}`;
  return '';
}
