// The topic configs a partition log obeys, read once from the effective topic config (topic
// override > broker synonym > default) and refreshed when configs change.
import { effectiveTopicConfig, type BrokerConfig } from '../config/index.js';

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  segmentJitterMs: number;
  indexIntervalBytes: number;
  retentionMs: number; // -1: unlimited
  retentionBytes: number; // -1: unlimited
  fileDeleteDelayMs: number;
  maxMessageBytes: number;
  flushMessages: number; // Infinity: leave flushing to the OS (Kafka's default)
  flushMs: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
  minInsyncReplicas: number;
  cleanupPolicy: string[];
  // compression.type: the codec id batches are stored with, or null for `producer` (as sent).
  compressionCodec: 0 | 1 | 2 | 3 | 4 | null;
  compressionLevel: number | undefined;
  // ---- log cleaner (cleanup.policy=compact), see cleaner/ ----
  deleteRetentionMs: number; // delete.retention.ms: how long tombstones outlive their first clean
  minCleanableDirtyRatio: number; // min.cleanable.dirty.ratio
  minCompactionLagMs: number; // min.compaction.lag.ms
  maxCompactionLagMs: number; // max.compaction.lag.ms (Infinity: never forces a clean)
  maxIndexBytes: number; // segment.index.bytes: bounds the index of a segment the cleaner merges
}

const CODEC_BY_NAME: Record<string, 0 | 1 | 2 | 3 | 4> = { uncompressed: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

// Kafka's "Long.MAX_VALUE" settings mean "never"; anything that large is treated as Infinity.
function long(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  return n >= Number.MAX_SAFE_INTEGER ? Infinity : n;
}

export function logConfigFor(broker: BrokerConfig, overrides: Readonly<Record<string, string>>): LogConfig {
  const c = effectiveTopicConfig(broker, overrides);
  return {
    segmentBytes: long(c.get('segment.bytes'), 1073741824),
    segmentMs: long(c.get('segment.ms'), 604800000),
    segmentJitterMs: long(c.get('segment.jitter.ms'), 0),
    indexIntervalBytes: long(c.get('index.interval.bytes'), 4096),
    retentionMs: long(c.get('retention.ms'), 604800000),
    retentionBytes: long(c.get('retention.bytes'), -1),
    fileDeleteDelayMs: long(c.get('file.delete.delay.ms'), 60000),
    maxMessageBytes: long(c.get('max.message.bytes'), 1048588),
    flushMessages: long(c.get('flush.messages'), Infinity),
    flushMs: long(c.get('flush.ms'), Infinity),
    timestampType: c.get('message.timestamp.type') === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
    timestampBeforeMaxMs: long(c.get('message.timestamp.before.max.ms'), Infinity),
    timestampAfterMaxMs: long(c.get('message.timestamp.after.max.ms'), 3600000),
    minInsyncReplicas: long(c.get('min.insync.replicas'), 1),
    cleanupPolicy: (c.get('cleanup.policy') ?? 'delete').split(',').map((s) => s.trim()),
    compressionCodec: CODEC_BY_NAME[c.get('compression.type') ?? 'producer'] ?? null,
    compressionLevel: level(c.get('compression.type'), c),
    // ---- log cleaner ----
    deleteRetentionMs: long(c.get('delete.retention.ms'), 86400000),
    minCleanableDirtyRatio: long(c.get('min.cleanable.dirty.ratio'), 0.5),
    minCompactionLagMs: long(c.get('min.compaction.lag.ms'), 0),
    maxCompactionLagMs: long(c.get('max.compaction.lag.ms'), Infinity),
    maxIndexBytes: long(c.get('segment.index.bytes'), 10485760),
  };
}

function level(type: string | undefined, c: ReadonlyMap<string, string>): number | undefined {
  const v = type === 'gzip' ? c.get('compression.gzip.level') : type === 'zstd' ? c.get('compression.zstd.level') : undefined;
  return v === undefined ? undefined : Number(v);
}
