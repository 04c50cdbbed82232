// samsa.wasm: the record-batch hot path in AssemblyScript, loaded by wasm/index.mjs.
//
// Memory layout: static data below __heap_base (CRC tables, the scan result block); from
// inputBase() on, the JS side owns the memory (input bytes, then the scan's output columns) and
// grows it as needed. Nothing here allocates: no GC, no runtime beyond the stub, no imports.
export { crc32cAt } from './crc32c';
export { scanBatches } from './scan';
export { stampBatch, setLogAppendTime } from './stamp';
import { RESULT, RECORD_ERRORS } from './scan';

/** First byte the JS side may use: __heap_base rounded up to 64 bytes. */
export function inputBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

/** The scan result block (see scan.ts). */
export function resultBase(): usize {
  return RESULT;
}

/** The record-error list of the last failed scan (see scan.ts). */
export function recordErrorsBase(): usize {
  return RECORD_ERRORS;
}
