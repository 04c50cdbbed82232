// The text of scanBatches' errors, rebuilt from the compact form the native addon returns:
// a detail number and up to four numbers (native/src/scan.rs `Detail`, the same numbering as
// wasm/assembly/scan.ts). Each message is the one src/accel/js-scan.ts writes; the parity
// tests compare them character by character.
import type { ScanOptions } from './types.js';

type Message = (a: ArrayLike<number>, o: ScanOptions, lo: number, hi: number) => string;

const BATCH: Record<number, Message> = {
  1: () => 'no record batch (empty records)',
  2: (a) => `${a[0]} bytes left, too few for a batch header`,
  3: (a) => `record size ${a[0]} is less than the minimum record overhead (14)`,
  4: (a) => `invalid magic found in record: ${a[0]}`,
  5: (a) => `batchLength ${a[0]} runs past the end of the records (${a[1]} bytes left)`,
  6: (a) => `magic ${a[0]}: produce requests may only contain record batches with magic version 2`,
  7: () => 'produce requests may contain exactly one record batch per partition',
  8: (a) => `baseOffset of a produced batch should be 0, but it is ${a[0]}`,
  9: (a, o) => `the record batch size is ${a[0]} bytes which exceeds the maximum configured value of ${o.maxMessageBytes}`,
  10: (a) => `record batch is corrupt (the size ${a[0]} is smaller than the minimum allowed overhead 61)`,
  11: (a) => `record is corrupt (stored crc = ${a[0]}, computed crc = ${a[1]})`,
  12: (a) => `unknown compression type id ${a[0]}`,
  13: (a) => `batch has an invalid offset range: lastOffsetDelta ${a[0]}`,
  14: (a) => `invalid reported count for record batch: ${a[0]}`,
  15: (a) => `inconsistent batch offset range [0, ${a[0]}] and count of records ${a[1]}`,
  16: () => 'clients are not allowed to write control records',
  17: (a) => `invalid sequence number ${a[0]} in record batch with producerId ${a[1]}`,
  18: () => 'invalid timestamp type: producer should not set timestamp type to LogAppendTime',
  19: (a) => `found invalid record count ${a[0]}`,
  20: (a, _o, lo, hi) => `baseTimestamp ${a[0]} is out of range [${lo}, ${hi}]`,
  21: (a, _o, lo, hi) => `maxTimestamp ${a[0]} is out of range [${lo}, ${hi}]`,
  30: (a) => `batch declares ${a[0]} records but its bytes end after ${a[1]} (premature EOF)`,
  31: (a) => `batch declares ${a[0]} records but ${a[1]} bytes remain after them`,
  32: (a, _o, lo, hi) => `record ${a[0]}: timestamp ${a[1]} is out of range [${lo}, ${hi}]`,
  33: (a) => `record ${a[0]} at byte ${a[1]}: offsetDelta ${a[2]}, expected ${a[0]}`,
};

// One record that does not parse: "record <a0> at byte <a1>: <problem>".
const RECORD: Record<number, (a: ArrayLike<number>) => string> = {
  40: () => 'invalid record length varint',
  41: (a) => `invalid record size ${a[2]}, ${a[3]} bytes left in the batch`,
  42: () => 'invalid timestampDelta',
  43: () => 'invalid offsetDelta',
  44: () => 'invalid key length',
  45: () => 'invalid value length',
  46: () => 'invalid number of record headers',
  47: (a) => `invalid header ${a[2]} key length`,
  48: (a) => `invalid header ${a[2]} value length`,
  49: (a) => `expected to read ${a[2]} bytes in record payload, but read ${a[3]}`,
};

/** The reference's message for a failed scan: "batch <index> at byte <position>: <what>". */
export function scanErrorMessage(index: number, position: number, detail: number, args: ArrayLike<number>, options: ScanOptions): string {
  const lo = options.now - options.beforeMaxMs;
  const hi = options.now + options.afterMaxMs;
  const batch = BATCH[detail];
  const record = RECORD[detail];
  const what = batch ? batch(args, options, lo, hi) : record ? `record ${args[0]} at byte ${args[1]}: ${record(args)}` : `unknown scan error detail ${detail}`;
  return `batch ${index} at byte ${position}: ${what}`;
}
