// The legitimate pair beside the fuzz: a kafkajs idempotent producer (acks=all) writing numbered
// records ("0", "1", ...) in small batches, and a reader (samsa's own client, Fetch from offset
// 0, no group) that checks every number it sees. A number acknowledged and never read is lost;
// a number read twice is duplicated. Both must be 0.
import { Kafka, logLevel } from 'kafkajs';
import { ClientConnection } from '../../src/client/connection.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { iterateRecords } from '../../src/protocol/records/iterate.js';
import { RECORDS_OFFSET } from '../../src/protocol/records/layout.js';

export const LEGIT_TOPIC = 'fuzz-soak-legit';

export interface ProducerStats {
  acknowledged: Set<number>;
  sent: number;
  errors: string[];
  batches: number;
}

/** Produces until stop() is called; `port()` is read at each (re)connect. */
export function startProducer(port: number, batchSize = 20): { stats: ProducerStats; stop(): Promise<void> } {
  const stats: ProducerStats = { acknowledged: new Set(), sent: 0, errors: [], batches: 0 };
  const kafka = new Kafka({
    clientId: 'fuzz-legit-producer',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  let stopping = false;
  const loop = (async () => {
    await producer.connect();
    let n = 0;
    while (!stopping) {
      const numbers = Array.from({ length: batchSize }, (_, i) => n + i);
      n += batchSize;
      stats.sent += batchSize;
      try {
        await producer.send({ topic: LEGIT_TOPIC, acks: -1, messages: numbers.map((x) => ({ value: String(x) })) });
        for (const x of numbers) stats.acknowledged.add(x);
        stats.batches++;
      } catch (err) {
        // Not acknowledged: these numbers may or may not be stored; they are neither lost nor
        // expected. The error itself is a finding (a legitimate client was not served).
        if (stats.errors.length < 50) stats.errors.push(`${new Date().toISOString()} ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  })();
  return {
    stats,
    stop: async () => {
      stopping = true;
      await loop.catch((err) => stats.errors.push(`producer loop: ${(err as Error).message}`));
      await producer.disconnect().catch(() => {});
    },
  };
}

export interface ReadStats {
  seen: Set<number>;
  duplicates: number[];
  /** Records whose value is not a number this producer wrote. */
  foreign: number;
  nextOffset: number;
  highWatermark: number;
  errors: string[];
}

/** One Fetch (v12) from `offset`: the numbered records in it and the high watermark. */
async function fetchOnce(
  c: ClientConnection,
  offset: number,
): Promise<{ values: Array<{ offset: number; value: string | null }>; next: number; hw: number; errorCode: number }> {
  const res = await c.send(FetchRequest, FetchResponse, 12, {
    replicaId: -1,
    maxWaitMs: 200,
    minBytes: 1,
    maxBytes: 4 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: LEGIT_TOPIC,
        partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024 * 1024 }],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  const p = res.responses[0]?.partitions[0];
  if (!p) throw new Error('fetch response without the partition');
  const values: Array<{ offset: number; value: string | null }> = [];
  let next = offset;
  const rec = p.records as Buffer | null;
  if (p.errorCode === 0 && rec) {
    let pos = 0;
    while (pos + RECORDS_OFFSET <= rec.length) {
      const h = readBatchHeader(rec, pos);
      if (pos + h.size > rec.length) break; // a partial batch at the end
      iterateRecords(rec, pos, (o, _ts, _k, v) => {
        if (o >= offset) values.push({ offset: o, value: v === null ? null : v.toString() });
      });
      next = Math.max(next, h.baseOffset + h.lastOffsetDelta + 1);
      pos += h.size;
    }
  }
  return { values, next, hw: p.highWatermark, errorCode: p.errorCode };
}

/** Reads from `fromOffset` until stop() and then until the high watermark (or `drainMs`). */
export function startReader(port: number, opts: { drainMs?: number } = {}): { stats: ReadStats; stop(): Promise<void> } {
  const stats: ReadStats = { seen: new Set(), duplicates: [], foreign: 0, nextOffset: 0, highWatermark: -1, errors: [] };
  let stopping = false;
  let stopAt = Infinity;
  const loop = (async () => {
    let c: ClientConnection | null = null;
    while (true) {
      if (stopping && (stats.nextOffset >= stats.highWatermark || Date.now() > stopAt)) break;
      try {
        if (!c || c.closed) {
          c = await ClientConnection.connect('127.0.0.1', port, { clientId: 'fuzz-legit-reader', timeoutMs: 5000 });
        }
        const r = await fetchOnce(c, stats.nextOffset);
        stats.highWatermark = r.hw;
        if (r.errorCode !== 0 && r.errorCode !== 3) throw new Error(`fetch error ${r.errorCode}`);
        for (const { value } of r.values) {
          const x = value === null ? NaN : Number(value);
          if (!Number.isInteger(x)) stats.foreign++;
          else if (stats.seen.has(x)) {
            if (stats.duplicates.length < 100) stats.duplicates.push(x);
          } else stats.seen.add(x);
        }
        stats.nextOffset = r.next;
        if (r.errorCode === 3) await new Promise((res) => setTimeout(res, 100));
      } catch (err) {
        if (stats.errors.length < 50) stats.errors.push(`${new Date().toISOString()} ${(err as Error).message}`);
        c?.close();
        c = null;
        await new Promise((res) => setTimeout(res, 200));
      }
    }
    c?.close();
  })();
  return {
    stats,
    stop: async () => {
      stopping = true;
      stopAt = Date.now() + (opts.drainMs ?? 60000);
      await loop;
    },
  };
}

/** Numbers acknowledged but not read. */
export function lost(acked: Set<number>, seen: Set<number>): number[] {
  const out: number[] = [];
  for (const x of acked) if (!seen.has(x)) out.push(x);
  return out.sort((a, b) => a - b);
}
