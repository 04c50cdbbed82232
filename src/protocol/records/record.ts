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
  const c = cursor; // one load of each imported binding
  const len = readVarint(b, end);
  if (c.pos < 0) return 'invalid record length varint';
  if (len <= 0 || len > end - c.pos) return `invalid record size ${len}, ${end - c.pos} bytes left in the batch`;
  const bodyStart = c.pos;
  const bodyEnd = c.pos + len;
  c.pos++; // attributes: unused in v2
  r.timestampDelta = readVarlong(b, bodyEnd);
  if (c.pos < 0) return 'invalid timestampDelta';
  r.offsetDelta = readVarint(b, bodyEnd);
  if (c.pos < 0) return 'invalid offsetDelta';
  r.keyLength = readVarint(b, bodyEnd);
  if (c.pos < 0 || r.keyLength > bodyEnd - c.pos) return 'invalid key length';
  r.key = c.pos;
  if (r.keyLength > 0) c.pos += r.keyLength;
  r.valueLength = readVarint(b, bodyEnd);
  if (c.pos < 0 || r.valueLength > bodyEnd - c.pos) return 'invalid value length';
  r.value = c.pos;
  if (r.valueLength > 0) c.pos += r.valueLength;
  r.headerCount = readVarint(b, bodyEnd);
  if (c.pos < 0 || r.headerCount < 0 || r.headerCount > bodyEnd - c.pos) return 'invalid number of record headers';
  r.headers = c.pos;
  for (let h = 0; h < r.headerCount; h++) {
    const kl = readVarint(b, bodyEnd);
    if (c.pos < 0 || kl < 0 || kl > bodyEnd - c.pos) return `invalid header ${h} key length`;
    c.pos += kl;
    const vl = readVarint(b, bodyEnd);
    if (c.pos < 0 || vl > bodyEnd - c.pos) return `invalid header ${h} value length`;
    if (vl > 0) c.pos += vl;
  }
  if (c.pos !== bodyEnd) return `expected to read ${len} bytes in record payload, but read ${c.pos - bodyStart}`;
  return '';
}
