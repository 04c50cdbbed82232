// What a `samsa bench` run is asked to do (BenchConfig) and what it found (BenchResult, also the
// --json output and the input of `samsa bench compare` and the HTML report).
import type { LatencySummary } from './histogram.js';

export type BenchMode = 'produce' | 'consume' | 'e2e';

export interface Address {
  host: string;
  port: number;
}

export interface BenchConfig {
  mode: BenchMode;
  bootstrap: Address[];
  topic: string;
  createTopic: boolean;
  /** Partitions for --create-topic; for consume, which partitions to read (null = all). */
  partitions: number | null;
  consumePartitions: number[] | null;
  /** Record value size: fixed when min == max, uniform in [min, max] otherwise. */
  recordSize: { min: number; max: number };
  /** Distinct keys (0 = null keys). */
  keyCardinality: number;
  /** Stop after this many records (null: run for durationMs). */
  records: number | null;
  /** Run for this long (null: until --records, or for consume until the end offsets at the start). */
  durationMs: number | null;
  acks: 0 | 1 | -1;
  batchSize: number;
  lingerMs: number;
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  connections: number;
  maxInFlight: number;
  /** Target records/s (open loop), null = as fast as the broker takes them. */
  rate: number | null;
  /** Where consume starts when there is no committed offset (--group) or always (without). */
  from: 'earliest' | 'latest';
  /** consume: join this consumer group (classic protocol, range assignor) instead of reading all partitions. */
  group: string | null;
  /** The group session timeout (--group); heartbeats go every min(3 s, a third of it). */
  sessionTimeoutMs: number;
  timeoutMs: number;
  /** Live progress line on stderr. */
  progress: boolean;
}

export interface TimelinePoint {
  /** Seconds since the start of the measured run. */
  t: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** p99 latency (µs) of the records acknowledged / received in this interval, 0 if none. */
  p99Us: number;
}

export interface BenchResult {
  format: 'samsa-bench/1';
  mode: BenchMode;
  startedAt: string;
  config: Omit<BenchConfig, 'bootstrap' | 'progress'> & { bootstrap: string };
  /** What the broker said of itself (DescribeConfigs): samsa's storage mode, null for other brokers. Absent in older results. */
  broker?: { storage: string | null };
  host: { node: string; platform: string; cpus: number; cpuModel: string };
  records: number;
  /** Record-batch bytes (what the wire carries for the records). */
  bytes: number;
  requests: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** produce: request sent (or due, with --rate) to acknowledged; consume: fetch round trip; e2e: record timestamp to receipt. */
  latencyKind: 'produce-ack' | 'fetch' | 'end-to-end';
  latency: LatencySummary;
  /** In e2e mode, the producer's acknowledgement latency as well. */
  produceLatency?: LatencySummary;
  errors: Record<string, number>;
  timeline: TimelinePoint[];
  /** consume --group: the membership and what each generation assigned to this member. */
  group?: GroupResult;
}

export interface GroupResult {
  groupId: string;
  memberId: string;
  /** The partitions of the last generation (what it consumed last and committed at the end). */
  partitions: number[];
  /** Every generation this member joined, in order. */
  generations: { generationId: number; leader: boolean; partitions: number[] }[];
  /** Offsets committed at the end (partition -> next offset to read). */
  committed: Record<string, number>;
}

/** An expected failure (unreachable broker, a Kafka error): one line on stderr, exit code 1. */
export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchError';
  }
}
