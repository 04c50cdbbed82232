// Produce requests prepared before the run: a small pool of record batches per partition (values
// of random letters, sizes fixed or uniform in a range; with --key-cardinality, keys drawn only
// from those Kafka's default partitioner sends to that partition: keys.ts), compressed once if
// asked, each wrapped in a whole Produce frame. Sending one costs a 12-byte head copy
// (FrameTemplate). In e2e mode the batch timestamps are restamped per send (a copy of the frame,
// two int64 writes and a CRC-32C), so a consumer can measure the record's age on receipt.
import { ProduceRequest } from '../protocol/generated/produce-request.js';
import { buildBatch, type BuildRecord } from '../protocol/records/build.js';
import { computeBatchCrc } from '../protocol/records/stamp.js';
import { varintSize } from '../protocol/records/varint.js';
import { BATCH_HEADER_SIZE, BASE_TIMESTAMP_OFFSET, MAX_TIMESTAMP_OFFSET, CRC_OFFSET } from '../protocol/records/layout.js';
import { compressBatch, type TargetCodec } from '../compression/batch-codec.js';
import { encodeRequest, FrameTemplate } from './frames.js';
import { KeySpace } from './keys.js';
import type { BenchConfig } from './types.js';

const CODEC: Record<BenchConfig['compression'], TargetCodec> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
const POOL = 8;
/** The pool's bytes per partition when batches are large: fewer than POOL batches of 100 MiB records. */
const POOL_BYTES = 64 * 1024 * 1024;
/** Random letters every value is cut from: 1 MiB, or the largest value plus room to vary where it starts. */
const LETTERS = 1 << 20;
const LETTERS_SLACK = 64 * 1024;

export interface PreparedBatch {
  template: FrameTemplate;
  records: number;
  /** Record-batch bytes as sent (compressed when compressing). */
  batchBytes: number;
  /** Uncompressed record bytes (keys + values), the "MB/s" a user means. */
  payloadBytes: number;
  /** Where the batch starts inside the frame (for restamping in e2e mode). */
  batchAt: number;
}

/** A deterministic generator (xorshift32), so two runs with the same options send the same bytes. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

export class Payload {
  private readonly letters: Buffer;
  private readonly random = rng(0x5a5a);
  private readonly pools = new Map<number, PreparedBatch[]>();
  private readonly partial = new Map<string, PreparedBatch>();
  private next = new Map<number, number>();
  /** Keyed records only (--key-cardinality > 0). */
  readonly keys: KeySpace | null;

  constructor(
    private readonly cfg: BenchConfig,
    readonly produceVersion: number,
    readonly acks: number,
    numPartitions = 1,
  ) {
    // Random upper-case letters, as Kafka's producer perf tool sends: compressible about as much as text.
    // Values are views into it, so it must hold the largest value whole (a view that runs off its end
    // would be cut short).
    const max = cfg.recordSize.max;
    this.letters = Buffer.allocUnsafe(max <= LETTERS - LETTERS_SLACK ? LETTERS : max + LETTERS_SLACK);
    for (let i = 0; i < this.letters.length; i++) this.letters[i] = 65 + Math.floor(this.random() * 26);
    this.keys = cfg.keyCardinality > 0 ? new KeySpace(cfg.keyCardinality, numPartitions, this.random) : null;
  }

  /** The partitions a run writes to: all of them, or with keys those some key hashes to. */
  sendablePartitions(partitions: number[]): number[] {
    return this.keys ? partitions.filter((p) => this.keys!.weight(p) > 0) : partitions;
  }

  /** Builds the pool of every partition this process sends to. */
  async prepare(partitions: number[]): Promise<void> {
    for (const p of partitions) {
      const pool: PreparedBatch[] = [];
      let bytes = 0;
      for (let i = 0; i < POOL && (i === 0 || bytes < POOL_BYTES); i++) {
        const b = await this.build(p, this.records(p, this.cfg.batchSize));
        pool.push(b);
        bytes += b.template.length;
      }
      this.pools.set(p, pool);
      this.next.set(p, 0);
    }
  }

  /** Every batch prepared so far (the pools and the capped ones), to check them against the broker's limits. */
  prepared(): PreparedBatch[] {
    return [...[...this.pools.values()].flat(), ...this.partial.values()];
  }

  /** The most records any prepared batch of partition `p` holds. */
  maxRecords(p: number): number {
    return Math.max(...this.pools.get(p)!.map((b) => b.records));
  }

  /** The next prepared batch for partition `p`; `maxRecords` caps its record count (the last request, or --linger-ms with --rate). */
  async take(p: number, maxRecords = Infinity): Promise<PreparedBatch> {
    const pool = this.pools.get(p)!;
    const i = this.next.get(p)!;
    this.next.set(p, (i + 1) % pool.length);
    const b = pool[i]!;
    if (b.records <= maxRecords) return b;
    const key = `${p}/${maxRecords}`;
    let c = this.partial.get(key);
    if (!c) {
      c = await this.build(p, this.records(p, this.cfg.batchSize).slice(0, maxRecords));
      this.partial.set(key, c);
    }
    return c;
  }

  /** Same as take() when the pool is built and no cap applies (the hot path: no promise). */
  takeSync(p: number, maxRecords = Infinity): PreparedBatch | null {
    const pool = this.pools.get(p)!;
    const i = this.next.get(p)!;
    const b = pool[i]!;
    if (b.records > maxRecords) {
      const c = this.partial.get(`${p}/${maxRecords}`);
      if (!c) return null;
      this.next.set(p, (i + 1) % pool.length);
      return c;
    }
    this.next.set(p, (i + 1) % pool.length);
    return b;
  }

  /**
   * Records for one batch of partition `p`: as many as fit in `batchSize` bytes of record batch,
   * like the Java producer's batch.size (at least one record, which may be larger on its own).
   * Sizes are exact for buildBatch's layout, so a batch never grows past max.message.bytes when
   * --batch-size is set to it.
   */
  private records(p: number, batchSize: number): BuildRecord[] {
    const { min, max } = this.cfg.recordSize;
    const out: BuildRecord[] = [];
    let bytes = BATCH_HEADER_SIZE;
    for (;;) {
      const size = min === max ? min : min + Math.floor(this.random() * (max - min + 1));
      const key = this.keys ? this.keys.pick(p, this.random) : null;
      const cost = recordSize(out.length, key?.length ?? -1, size);
      if (out.length > 0 && bytes + cost > batchSize) break;
      const at = Math.floor(this.random() * (this.letters.length - size));
      out.push({ key, value: this.letters.subarray(at, at + size) });
      bytes += cost;
      if (out.length >= 1_000_000) break;
    }
    return out;
  }

  private async build(partition: number, records: BuildRecord[]): Promise<PreparedBatch> {
    let batch = buildBatch(records, { timestamp: Date.now() });
    const codec = CODEC[this.cfg.compression];
    if (codec !== 0) batch = await compressBatch(batch, codec);
    const frame = encodeRequest(ProduceRequest, this.produceVersion, {
      transactionalId: null,
      acks: this.acks,
      timeoutMs: 30000,
      topicData: [{ name: this.cfg.topic, partitionData: [{ index: partition, records: batch }] }],
    });
    const batchAt = frame.lastIndexOf(batch.subarray(0, BATCH_HEADER_SIZE));
    let payloadBytes = 0;
    for (const r of records) payloadBytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
    return { template: new FrameTemplate(frame), records: records.length, batchBytes: batch.length, payloadBytes, batchAt };
  }
}

/** A copy of the frame body with the batch's timestamps set to `nowMs` (e2e mode). */
export function restamp(b: PreparedBatch, nowMs: number): Buffer {
  const body = Buffer.from(b.template.body);
  const at = b.batchAt - 12; // body starts 12 bytes into the frame
  body.writeBigInt64BE(BigInt(nowMs), at + BASE_TIMESTAMP_OFFSET);
  body.writeBigInt64BE(BigInt(nowMs), at + MAX_TIMESTAMP_OFFSET);
  body.writeUInt32BE(computeBatchCrc(body, at) >>> 0, at + CRC_OFFSET);
  return body;
}

/** The record batch buildBatch makes of one record (uncompressed): the least a record of this size costs. */
export function oneRecordBatchBytes(keyLength: number, valueLength: number): number {
  return BATCH_HEADER_SIZE + recordSize(0, keyLength, valueLength);
}

/** One record as buildBatch writes it: no timestamp delta, no headers; keyLength -1 for a null key. */
function recordSize(offsetDelta: number, keyLength: number, valueLength: number): number {
  const body =
    1 + varintSize(0) + varintSize(offsetDelta) + varintSize(keyLength) + Math.max(keyLength, 0) + varintSize(valueLength) + valueLength + varintSize(0);
  return varintSize(body) + body;
}
