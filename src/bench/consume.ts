// The consume load: one connection per partition leader, Fetch (max 50 MiB, 10 MiB a partition)
// for the assigned partitions (--partitions, or a group's assignment: group-consume.ts) from
// earliest / latest / the given offsets, decoded with the generated codec; records are counted
// from the batch headers (no per-record parse). With `e2e`, each batch's timestamp (set by the
// producer as it sent it) gives the records' age on receipt; otherwise the latency is the fetch
// round trip.
import { FetchRequest } from '../protocol/generated/fetch-request.js';
import { FetchResponse } from '../protocol/generated/fetch-response.js';
import { readBatchHeader } from '../protocol/records/header.js';
import { LOG_OVERHEAD, BATCH_HEADER_SIZE } from '../protocol/records/layout.js';
import { errorInfo } from '../errors.js';
import { Session, formatAddress, kafkaError, type TopicLayout } from './session.js';
import { BenchError, type Address, type BenchConfig } from './types.js';
import type { Meter } from './meter.js';

export interface ConsumeRun {
  done: Promise<void>;
  /** Stop once this many records have arrived (e2e: what the producer got acknowledged). */
  target(records: number): void;
  stop(): void;
  /** Next offset to read per partition: everything before it has been counted. */
  positions(): Map<number, number>;
}

export interface ConsumeOptions {
  e2e?: boolean;
  maxRecords?: number | null;
  /** Read only these partitions (a group's assignment); default --partitions or all. */
  partitions?: number[];
  /** Stop each partition's reading once it reaches this offset (the log end at assignment). */
  until?: Map<number, number>;
}

/** The partitions to read, grouped by leader. */
function byLeaderOf(cfg: BenchConfig, layout: TopicLayout, only?: number[]): Map<string, { address: Address; partitions: number[] }> {
  const byLeader = new Map<string, { address: Address; partitions: number[] }>();
  const wanted = only ?? cfg.consumePartitions;
  for (const [p, a] of layout.leaders) {
    if (wanted && !wanted.includes(p)) continue;
    const k = formatAddress(a);
    if (!byLeader.has(k)) byLeader.set(k, { address: a, partitions: [] });
    byLeader.get(k)!.partitions.push(p);
  }
  return byLeader;
}

export async function startConsumer(
  cfg: BenchConfig,
  layout: TopicLayout,
  start: Map<number, number>,
  meter: Meter,
  opts: ConsumeOptions = {},
): Promise<ConsumeRun> {
  const byLeader = byLeaderOf(cfg, layout, opts.partitions);
  const sessions: Session[] = [];
  for (const { address } of byLeader.values()) sessions.push(await Session.open([address], cfg.timeoutMs));
  let target = opts.maxRecords ?? Infinity;
  let stopped = false;
  const offsets = new Map(start);
  const until = opts.until;
  const reachedEnd = (partitions: number[]) => until !== undefined && partitions.every((p) => (offsets.get(p) ?? 0) >= (until.get(p) ?? 0));

  const loop = async (s: Session, partitions: number[]) => {
    const version = s.version(FetchRequest as never, 12); // v13+ names topics by id
    while (!stopped && meter.records < target && !reachedEnd(partitions)) {
      const t0 = performance.now();
      const res = await s.send(
        FetchRequest,
        FetchResponse,
        () => ({
          replicaId: -1,
          maxWaitMs: 100,
          minBytes: 1,
          maxBytes: 50 * 1024 * 1024,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic: cfg.topic,
              partitions: partitions.map((p) => ({
                partition: p,
                currentLeaderEpoch: -1,
                fetchOffset: offsets.get(p) ?? 0,
                lastFetchedEpoch: -1,
                logStartOffset: -1,
                partitionMaxBytes: 10 * 1024 * 1024,
              })),
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        }),
        version,
      );
      const now = performance.now();
      const nowMs = Date.now();
      if (res.errorCode !== 0) throw new BenchError(`Fetch from ${formatAddress(s.address)}: ${kafkaError(res.errorCode)}`);
      let got = 0;
      for (const t of res.responses)
        for (const pd of t.partitions) {
          if (pd.errorCode !== 0) {
            const info = errorInfo(pd.errorCode);
            meter.error(info.name);
            if (!info.retriable) throw new BenchError(`Fetch ${cfg.topic}-${pd.partitionIndex}: ${kafkaError(pd.errorCode)}`);
            continue;
          }
          const rec = pd.records as Buffer | null;
          if (!rec || rec.length === 0) continue;
          let pos = 0;
          let next = offsets.get(pd.partitionIndex) ?? 0;
          while (pos + BATCH_HEADER_SIZE <= rec.length) {
            const size = rec.readInt32BE(pos + 8) + LOG_OVERHEAD;
            if (pos + size > rec.length) break; // a partial batch at the end
            const h = readBatchHeader(rec, pos);
            const last = h.baseOffset + h.lastOffsetDelta;
            if (last >= next && !h.isControl) {
              const n = h.baseOffset >= next ? h.recordCount : last - next + 1;
              meter.records += n;
              meter.bytes += size;
              got += n;
              if (opts.e2e) meter.latencyUs(Math.max(0, nowMs - h.maxTimestamp) * 1000, n);
            }
            next = Math.max(next, last + 1);
            pos += size;
          }
          offsets.set(pd.partitionIndex, next);
        }
      meter.requests++;
      if (!opts.e2e && got > 0) meter.latencyUs((now - t0) * 1000);
    }
  };

  let resolveDone!: () => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  const groups = [...byLeader.values()];
  const begin = () =>
    Promise.all(sessions.map((s, i) => loop(s, groups[i]!.partitions))).then(
      () => {
        for (const s of sessions) s.close();
        resolveDone();
      },
      (e: Error) => {
        stopped = true;
        for (const s of sessions) s.close();
        rejectDone(e);
      },
    );
  void begin();
  return {
    done,
    target(n) {
      target = n;
    },
    stop() {
      stopped = true;
    },
    positions: () => new Map(offsets),
  };
}

/** Start offsets for the assigned partitions (`only`, default --partitions or all): earliest or latest, from each leader. */
export async function startOffsets(cfg: BenchConfig, layout: TopicLayout, from: 'earliest' | 'latest', only?: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const { address, partitions } of byLeaderOf(cfg, layout, only).values()) {
    const s = await Session.open([address], cfg.timeoutMs);
    try {
      for (const [p, o] of await s.listOffsets(cfg.topic, partitions, from === 'earliest' ? -2 : -1)) out.set(p, o);
    } finally {
      s.close();
    }
  }
  return out;
}
