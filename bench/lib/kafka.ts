// Kafka-protocol pieces of the bench, all through samsa's generated codecs: topic set-up over a
// ClientConnection, request frames encoded once (the Produce frame is reused for every request,
// only its correlation id changes), and response checks.
import { ClientConnection } from '../../src/client/connection.js';
import { Reader } from '../../src/protocol/primitives/index.js';
import { encodeRequest, FrameTemplate } from '../../src/bench/frames.js';
import { ResponseHeader } from '../../src/protocol/generated/response-header.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { responseHeaderVersion } from '../../src/protocol/headers.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';

export { encodeRequest, FrameTemplate };
export { BENCH_CLIENT_ID as CLIENT_ID } from '../../src/bench/frames.js';
import { BENCH_CLIENT_ID as CLIENT_ID } from '../../src/bench/frames.js';
// The Produce and Fetch versions the bench speaks: flexible, with topic names (v13 / v13+ use ids).
export const PRODUCE_VERSION = 12;
export const FETCH_VERSION = 12;

/** Connects, negotiates versions, checks the broker serves what the bench sends. */
export async function admin(port: number): Promise<ClientConnection> {
  const c = await ClientConnection.connect('127.0.0.1', port, { clientId: CLIENT_ID });
  await c.negotiate();
  c.pick(ProduceRequest, PRODUCE_VERSION);
  return c;
}

export async function createTopic(port: number, name: string, configs: Record<string, string | number> = {}, partitions = 1): Promise<void> {
  const c = await admin(port);
  try {
    const v = c.pick(CreateTopicsRequest);
    const res = await c.send(CreateTopicsRequest, CreateTopicsResponse, v, {
      topics: [
        {
          name,
          numPartitions: partitions,
          replicationFactor: 1,
          assignments: [],
          configs: Object.entries(configs).map(([k, x]) => ({ name: k, value: String(x) })),
        },
      ],
      timeoutMs: 10000,
      validateOnly: false,
    });
    const t = res.topics[0]!;
    if (t.errorCode !== 0) throw new Error(`CreateTopics ${name} failed: error ${t.errorCode} ${t.errorMessage ?? ''}`);
  } finally {
    c.close();
  }
}

/** Values of `valueBytes` pseudo-random bytes (no key), as many as fit in `batchBytes`. */
export function makeBatch(batchBytes: number, valueBytes: number): { batch: Buffer; records: number } {
  const value = Buffer.alloc(valueBytes);
  for (let i = 0; i < valueBytes; i++) value[i] = (i * 2654435761) >>> 24;
  const build = (n: number) => buildBatch(Array.from({ length: n }, () => ({ key: null, value })));
  let n = Math.max(1, Math.floor((batchBytes - 61) / (valueBytes + 8)));
  let b = build(n);
  while (b.length > batchBytes && n > 1) b = build(--n);
  while (true) {
    const next = build(n + 1);
    if (next.length > batchBytes) break;
    b = next;
    n++;
  }
  return { batch: b, records: n };
}

export function produceFrame(topic: string, batch: Buffer, acks: number, version = PRODUCE_VERSION): FrameTemplate {
  return new FrameTemplate(
    encodeRequest(ProduceRequest, version, {
      transactionalId: null,
      acks,
      timeoutMs: 30000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
    }),
  );
}

/** Decodes a Produce response frame; returns the correlation id or throws on any partition error. */
export function checkProduceResponse(frame: Buffer, version = PRODUCE_VERSION): { correlationId: number; baseOffset: number } {
  const r = new Reader(frame);
  const h = ResponseHeader.decode(r, responseHeaderVersion(ProduceRequest.apiKey, version));
  const res = ProduceResponse.decode(r, version);
  const p = res.responses[0]?.partitionResponses[0];
  if (!p) throw new Error('produce response without a partition');
  if (p.errorCode !== 0) throw new Error(`produce failed: error ${p.errorCode} ${p.errorMessage ?? ''}`);
  return { correlationId: h.correlationId, baseOffset: p.baseOffset };
}

export function fetchFrame(
  topic: string,
  offset: number,
  correlationId: number,
  opts: { maxBytes: number; partitionMaxBytes: number; maxWaitMs: number; minBytes: number },
  version = FETCH_VERSION,
): Buffer {
  const f = encodeRequest(FetchRequest, version, {
    clusterId: null,
    replicaId: -1,
    maxWaitMs: opts.maxWaitMs,
    minBytes: opts.minBytes,
    maxBytes: opts.maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          { partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: opts.partitionMaxBytes },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  f.writeInt32BE(correlationId, 8);
  return f;
}

export interface FetchHead {
  correlationId: number;
  errorCode: number;
  highWatermark: number;
  recordsBytes: number;
  /** Base offset of the first batch, -1 when there is none in the head. */
  firstBaseOffset: number;
}

/**
 * Reads the start of a one-topic, one-partition Fetch response (v12-v12 layout: flexible, topic
 * names) up to the first batch header, from the first bytes of the frame only. The field order is
 * FetchResponse's; `checkFetchWhole` cross-checks it against the generated codec on samples.
 */
export function parseFetchHead(head: Buffer): FetchHead {
  const r = new Reader(head);
  const { correlationId } = ResponseHeader.decode(r, 1);
  r.int32(); // throttle_time_ms
  const topErr = r.int16();
  r.int32(); // session_id
  const topics = r.compactArrayLength();
  if (topErr !== 0 || topics < 1) return { correlationId, errorCode: topErr, highWatermark: -1, recordsBytes: 0, firstBaseOffset: -1 };
  r.compactString(); // topic
  r.compactArrayLength(); // partitions
  r.int32(); // partition_index
  const errorCode = r.int16();
  const highWatermark = r.int64();
  r.int64(); // last_stable_offset
  r.int64(); // log_start_offset
  const aborted = r.compactArrayLength();
  if (aborted > 0) throw new Error('aborted transactions in a bench fetch response');
  r.int32(); // preferred_read_replica
  const len = r.uvarint() - 1; // compact nullable bytes: length + 1, 0 = null
  const recordsBytes = Math.max(0, len);
  if (r.error !== null) throw new Error(`cannot read the fetch response head: ${r.error}`);
  const at = r.offset;
  const firstBaseOffset = recordsBytes >= 8 && at + 8 <= head.length ? Number(head.readBigInt64BE(at)) : -1;
  return { correlationId, errorCode, highWatermark, recordsBytes, firstBaseOffset };
}

/** Full decode with the generated codec: records bytes and the offset after the last batch. */
export function checkFetchWhole(frame: Buffer): { recordsBytes: number; nextOffset: number; firstBaseOffset: number } {
  const r = new Reader(frame);
  ResponseHeader.decode(r, 1);
  const res = FetchResponse.decode(r, FETCH_VERSION);
  const p = res.responses[0]!.partitions[0]!;
  if (p.errorCode !== 0) throw new Error(`fetch failed: error ${p.errorCode}`);
  const rec = p.records as Buffer | null;
  if (!rec || rec.length === 0) return { recordsBytes: 0, nextOffset: -1, firstBaseOffset: -1 };
  let pos = 0;
  let next = -1;
  const first = readBatchHeader(rec, 0).baseOffset;
  while (pos + 61 <= rec.length) {
    const h = readBatchHeader(rec, pos);
    if (pos + h.size > rec.length) break; // a partial batch at the end is allowed by the protocol
    next = h.baseOffset + h.lastOffsetDelta + 1;
    pos += h.size;
  }
  return { recordsBytes: rec.length, nextOffset: next, firstBaseOffset: first };
}
