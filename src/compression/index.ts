// Compression of record batches: the codecs and the batch-level operations built on them.
export * from './codecs.js';
export * from './batch-codec.js';
export { walkRecords, renumberRecords, type RecordsLayout } from './records.js';
export { isXerialFramed } from './xerial.js';
