// Kafka RecordBatch v2 (magic 2): where each header field sits, and what the attribute bits mean.
//
// Layout, big-endian (Kafka's DefaultRecordBatch):
//   baseOffset int64 @0 | batchLength int32 @8 (bytes after this field) | partitionLeaderEpoch int32 @12
//   magic int8 @16 | crc uint32 @17 (CRC-32C of attributes @21 .. end of batch) | attributes int16 @21
//   lastOffsetDelta int32 @23 | baseTimestamp int64 @27 | maxTimestamp int64 @35 | producerId int64 @43
//   producerEpoch int16 @51 | baseSequence int32 @53 | recordCount int32 @57 | records @61
// attributes: bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), bit 3 timestamp type
// (1 = LogAppendTime), bit 4 transactional, bit 5 control, bit 6 hasDeleteHorizonMs.
// Records: see record.ts.

export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORD_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;
export const BATCH_HEADER_SIZE = 61;
/** The smallest whole batch: a v2 header with no records. */
export const MIN_BATCH_SIZE = BATCH_HEADER_SIZE;
/** baseOffset + batchLength: the bytes that batchLength does not count. */
export const LOG_OVERHEAD = 12;
/** The smallest valid batchLength: a v2 header with no records. */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;
/** Kafka's LegacyRecord.RECORD_OVERHEAD_V0: a smaller length field is corrupt whatever the magic. */
export const LEGACY_MIN_LENGTH = 14;
/** Bytes up to and including magic. */
export const HEADER_SIZE_UP_TO_MAGIC = 17;
export const CURRENT_MAGIC = 2;

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_MASK = 0x10;
export const CONTROL_MASK = 0x20;
export const DELETE_HORIZON_MASK = 0x40;

export const CompressionType = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;

export const NO_TIMESTAMP = -1,
  NO_PRODUCER_ID = -1,
  NO_PRODUCER_EPOCH = -1,
  NO_SEQUENCE = -1,
  NO_PARTITION_LEADER_EPOCH = -1;
