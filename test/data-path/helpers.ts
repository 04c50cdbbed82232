// Shared by the data-path tests: samsa's own client as the reference reader (Fetch, ListOffsets,
// Produce with hand-made batches, CreateTopics), a samsa child process for the restart and crash
// tests, and timeouts so that every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { ClientConnection } from '../../src/client/connection.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { ListOffsetsRequest } from '../../src/protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../../src/protocol/generated/list-offsets-response.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { readBatchHeader, type BatchHeader } from '../../src/protocol/records/header.js';
import { iterateRecords } from '../../src/protocol/records/iterate.js';
import { CompressionType, RECORDS_OFFSET, BATCH_LENGTH_OFFSET, ATTRIBUTES_OFFSET, LOG_OVERHEAD, BATCH_HEADER_SIZE } from '../../src/protocol/records/layout.js';

export const SAMSA_BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));

/** Rejects with a message naming `what` when `p` has not settled after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function connectClient(bootstrap: string, clientId = 'data-path-test'): Promise<ClientConnection> {
  const i = bootstrap.lastIndexOf(':');
  const c = await ClientConnection.connect(bootstrap.slice(0, i), Number(bootstrap.slice(i + 1)), { clientId, timeoutMs: 5000 });
  await withTimeout(c.negotiate(), 10_000, 'ApiVersions');
  return c;
}

/** Creates a topic through CreateTopics; throws unless the broker answers NONE. */
export async function createTopic(c: ClientConnection, name: string, numPartitions: number, configs: Record<string, string> = {}): Promise<void> {
  const res = await withTimeout(
    c.send(CreateTopicsRequest, CreateTopicsResponse, c.pick(CreateTopicsRequest), {
      topics: [{ name, numPartitions, replicationFactor: 1, configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
      timeoutMs: 10_000,
    }),
    15_000,
    `CreateTopics ${name}`,
  );
  const t = res.topics[0]!;
  if (t.errorCode !== 0) throw new Error(`CreateTopics ${name} failed: error ${t.errorCode} ${t.errorMessage ?? ''}`);
}

export interface Rec {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
}

export interface FetchedBatch {
  header: BatchHeader;
  /** The batch exactly as the broker sent it. */
  bytes: Buffer;
}

export interface FetchedPartition {
  records: Rec[];
  batches: FetchedBatch[];
  highWatermark: number;
  logStartOffset: number;
  /** Batches whose records could not be read here (snappy, lz4, zstd): their header only. */
  undecoded: FetchedBatch[];
}

/**
 * The records of an uncompressed or gzip batch. Compressed batches are turned back into an
 * uncompressed batch (same header, compression bits cleared, inflated records) and walked with
 * samsa's iterateRecords. Returns null for codecs node:zlib cannot read.
 */
export function recordsOf(batch: Buffer): Rec[] | null {
  const h = readBatchHeader(batch, 0);
  let plain = batch;
  if (h.compression === CompressionType.Gzip) {
    const inflated = gunzipSync(batch.subarray(RECORDS_OFFSET, h.size));
    plain = Buffer.concat([Buffer.from(batch.subarray(0, BATCH_HEADER_SIZE)), inflated]);
    plain.writeInt32BE(plain.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
    plain.writeInt16BE(h.attributes & ~0x07, ATTRIBUTES_OFFSET);
  } else if (h.compression !== CompressionType.None) {
    return null;
  }
  const out: Rec[] = [];
  iterateRecords(plain, 0, (offset, timestamp, key, value, headers) => {
    out.push({
      offset,
      timestamp,
      key: key && Buffer.from(key),
      value: value && Buffer.from(value),
      headers: headers.map((x) => ({ key: x.key, value: x.value && Buffer.from(x.value) })),
    });
  });
  return out;
}

export interface FetchOptions {
  from?: number;
  /** Stop once this offset is reached (default: the high watermark of the first answer). */
  until?: number;
  version?: number;
  partitionMaxBytes?: number;
  timeoutMs?: number;
}

/** One Fetch; returns the partition's answer (records buffer may be empty). */
export async function fetchOnce(
  c: ClientConnection,
  topic: string,
  partition: number,
  offset: number,
  opts: { version?: number; partitionMaxBytes?: number; maxWaitMs?: number } = {},
) {
  const v = opts.version ?? c.pick(FetchRequest, 12);
  const res = await withTimeout(
    c.send(FetchRequest, FetchResponse, v, {
      replicaId: -1,
      maxWaitMs: opts.maxWaitMs ?? 0,
      minBytes: 0,
      maxBytes: 64 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            {
              partition,
              fetchOffset: offset,
              partitionMaxBytes: opts.partitionMaxBytes ?? 16 * 1024 * 1024,
              currentLeaderEpoch: -1,
              logStartOffset: -1,
              lastFetchedEpoch: -1,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    }),
    20_000,
    `Fetch ${topic}-${partition}@${offset}`,
  );
  const p = res.responses[0]?.partitions[0];
  if (!p) throw new Error(`Fetch ${topic}-${partition}: no partition in the answer (top-level error ${res.errorCode})`);
  return p;
}

/** Every batch and record of a partition from `from` up to the high watermark (or `until`). */
export async function fetchAll(c: ClientConnection, topic: string, partition: number, opts: FetchOptions = {}): Promise<FetchedPartition> {
  let offset = opts.from ?? 0;
  const out: FetchedPartition = { records: [], batches: [], highWatermark: -1, logStartOffset: -1, undecoded: [] };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (Date.now() > deadline) throw new Error(`fetchAll ${topic}-${partition}: still at offset ${offset} after ${opts.timeoutMs ?? 60_000} ms`);
    const p = await fetchOnce(c, topic, partition, offset, opts);
    if (p.errorCode !== 0) throw new Error(`Fetch ${topic}-${partition}@${offset}: error ${p.errorCode}`);
    if (out.highWatermark < 0) {
      out.highWatermark = p.highWatermark;
      out.logStartOffset = p.logStartOffset;
    }
    const until = opts.until ?? out.highWatermark;
    if (offset >= until) break;
    const buf = p.records as Buffer | null;
    if (!buf || buf.length === 0) throw new Error(`Fetch ${topic}-${partition}@${offset}: empty answer below the high watermark ${p.highWatermark}`);
    let pos = 0;
    let progressed = false;
    while (pos + LOG_OVERHEAD <= buf.length) {
      const size = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
      if (pos + size > buf.length) break; // a partial batch at the end (allowed by the protocol)
      const bytes = Buffer.from(buf.subarray(pos, pos + size));
      pos += size;
      const header = readBatchHeader(bytes, 0);
      const last = header.baseOffset + header.lastOffsetDelta;
      if (last < offset) continue;
      out.batches.push({ header, bytes });
      const recs = recordsOf(bytes);
      if (recs === null) out.undecoded.push({ header, bytes });
      else for (const r of recs) if (r.offset >= offset) out.records.push(r);
      offset = last + 1;
      progressed = true;
    }
    if (!progressed) throw new Error(`Fetch ${topic}-${partition}: no whole batch at offset ${offset} (${buf.length} bytes)`);
  }
  return out;
}

export interface ListedOffset {
  errorCode: number;
  offset: number;
  timestamp: number;
}

export const EARLIEST = -2;
export const LATEST = -1;
export const MAX_TIMESTAMP = -3;

export async function listOffset(c: ClientConnection, topic: string, partition: number, timestamp: number, version?: number): Promise<ListedOffset> {
  const v = version ?? c.pick(ListOffsetsRequest);
  const res = await withTimeout(
    c.send(ListOffsetsRequest, ListOffsetsResponse, v, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp, currentLeaderEpoch: -1, maxNumOffsets: 1 }] }],
      timeoutMs: 5000,
    }),
    10_000,
    `ListOffsets ${topic}-${partition} ts=${timestamp}`,
  );
  const p = res.topics[0]!.partitions[0]!;
  if (v === 0) return { errorCode: p.errorCode, offset: p.oldStyleOffsets[0] ?? -1, timestamp: -1 };
  return { errorCode: p.errorCode, offset: p.offset, timestamp: p.timestamp };
}

export interface ProducePartitionResult {
  index: number;
  errorCode: number;
  errorMessage: string | null;
  baseOffset: number;
  /** Produce v8+: the records of the batch that failed validation. */
  recordErrors: Array<{ batchIndex: number; batchIndexErrorMessage: string | null }>;
}

/** One Produce request (topic names, so v3-12) with the given batches; returns per-partition results. */
export async function produceRaw(
  c: ClientConnection,
  topic: string,
  parts: Array<{ index: number; records: Buffer }>,
  opts: { acks?: number; version?: number; timeoutMs?: number } = {},
): Promise<ProducePartitionResult[]> {
  const v = opts.version ?? c.pick(ProduceRequest, 12);
  const res = await withTimeout(
    c.send(ProduceRequest, ProduceResponse, v, {
      transactionalId: null,
      acks: opts.acks ?? -1,
      timeoutMs: 10_000,
      topicData: [{ name: topic, partitionData: parts.map((p) => ({ index: p.index, records: p.records })) }],
    }),
    opts.timeoutMs ?? 15_000,
    `Produce ${topic}`,
  );
  const t = res.responses[0]!;
  return t.partitionResponses.map((p) => ({
    index: p.index,
    errorCode: p.errorCode,
    errorMessage: p.errorMessage ?? null,
    baseOffset: p.baseOffset,
    recordErrors: p.recordErrors.map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.batchIndexErrorMessage ?? null })),
  }));
}

// ---- samsa as a child process -----------------------------------------------------------------

export class SamsaProcess {
  readonly child: ChildProcess;
  private out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly port: number,
    readonly dataDir: string,
    extraArgs: string[] = [],
  ) {
    this.child = spawn(process.execPath, [SAMSA_BIN, 'start', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d) => (this.out += d));
    this.child.stderr!.on('data', (d) => (this.out += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get output(): string {
    return this.out;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Resolves once the broker answers ApiVersions; fails if it exits or takes longer than `ms`. */
  async ready(ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`samsa exited (${this.child.exitCode ?? this.child.signalCode}) before it was ready:\n${this.out}`);
      try {
        const c = await connectClient(this.bootstrap, 'ready-probe');
        c.close();
        return;
      } catch {
        await sleep(25);
      }
    }
    this.child.kill('SIGKILL');
    throw new Error(`samsa not ready after ${ms} ms:\n${this.out}`);
  }

  /** Sends `signal` and waits for the exit; SIGKILLs and throws if it takes longer than `ms`. */
  async stop(signal: NodeJS.Signals, ms = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    try {
      return await withTimeout(this.exited, ms, `samsa exit after ${signal}`);
    } catch (err) {
      this.child.kill('SIGKILL');
      await withTimeout(this.exited, 5000, 'samsa exit after SIGKILL').catch(() => undefined);
      throw err;
    }
  }
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bytes from a seeded generator (reproducible payloads). */
export function seededBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (rand() * 256) | 0;
  return b;
}

export function hex(b: Buffer | null): string | null {
  return b === null ? null : b.toString('hex');
}
