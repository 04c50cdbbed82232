// The produce load: `connections` sockets to each partition leader, each keeping up to
// `maxInFlight` prepared Produce requests in flight (closed loop), or, with --rate, requests due
// on a fixed schedule whatever the broker does (open loop): a record's latency runs from the
// time it was due, so a stall shows on every record behind it (coordinated omission corrected).
// Responses are decoded with the generated codec; partition errors are counted by name, and a
// non-retriable one stops the run with that name.
import { Reader } from '../protocol/primitives/index.js';
import { ResponseHeader } from '../protocol/generated/response-header.js';
import { ProduceRequest } from '../protocol/generated/produce-request.js';
import { ProduceResponse } from '../protocol/generated/produce-response.js';
import { responseHeaderVersion } from '../protocol/headers.js';
import { errorInfo } from '../errors.js';
import { RawConnection } from './raw-connection.js';
import { Payload, restamp, type PreparedBatch } from './payload.js';
import { weightedCycle } from './keys.js';
import { startTicker } from './ticker.js';
import { checkPrepared, checkRecordSize, type BrokerFacts } from './limits.js';
import { formatAddress, kafkaError, type Session, type TopicLayout } from './session.js';
import { BenchError, type Address, type BenchConfig } from './types.js';
import type { Meter } from './meter.js';

interface InFlight {
  corr: number;
  /** performance.now() of the send, or of the last record's due time with --rate. */
  since: number;
  records: number;
  bytes: number;
  partition: number;
  /** With --rate: each record's due time. */
  dues?: number[];
}

interface Lane {
  conn: RawConnection;
  address: Address;
  /** The lane's partitions in sending order (with keys, each repeated in proportion to its keys). */
  partitions: number[];
  nextPartition: number;
  corr: number;
  inflight: InFlight[];
  head: number;
  /** Open loop: due times of records not yet sent; they go out together when a slot frees, as a producer's accumulator would. */
  backlog: number[];
}

export interface ProduceRun {
  done: Promise<void>;
  /** Starts sending (after the meter starts). */
  begin(): void;
  /** Stops sending new requests; `done` resolves when the ones in flight are answered. */
  stop(): void;
}

export async function startProducer(
  cfg: BenchConfig,
  session: Session,
  layout: TopicLayout,
  meter: Meter,
  opts: { e2e?: boolean; facts?: BrokerFacts } = {},
): Promise<ProduceRun> {
  const version = session.version(ProduceRequest as never, 12); // v13 names topics by id
  const all = [...layout.leaders.keys()].sort((a, b) => a - b);
  // Refuse what the broker would reject before building or sending anything (limits.ts).
  if (opts.facts) checkRecordSize(cfg, opts.facts);
  const payload = new Payload(cfg, version, cfg.acks, all.length);
  // Keyed records go only where their keys hash to (Kafka's partitioner), in proportion to the keys.
  const partitions = payload.sendablePartitions(all);
  await payload.prepare(partitions);
  const rotation = (ps: number[]) => (payload.keys ? weightedCycle(ps, (p) => payload.keys!.weight(p)) : ps);
  const rateBatch = cfg.rate ? Math.max(1, Math.round((cfg.rate * Math.max(cfg.lingerMs, 0)) / 1000)) : Infinity;
  // With --rate a request carries whatever records are due (1 .. a full batch): build every size now.
  if (cfg.rate) for (const p of partitions) for (let n = 1, full = payload.maxRecords(p); n < full; n++) await payload.take(p, n);
  if (opts.facts) checkPrepared(cfg, payload, opts.facts);

  // Lanes: `connections` per leader, the leader's partitions dealt round-robin among them.
  const byLeader = new Map<string, { address: Address; partitions: number[] }>();
  for (const p of partitions) {
    const a = layout.leaders.get(p)!;
    const k = formatAddress(a);
    if (!byLeader.has(k)) byLeader.set(k, { address: a, partitions: [] });
    byLeader.get(k)!.partitions.push(p);
  }
  const lanes: Lane[] = [];
  for (const { address, partitions: ps } of byLeader.values()) {
    for (let i = 0; i < cfg.connections; i++) {
      const mine = rotation(ps.length >= cfg.connections ? ps.filter((_, j) => j % cfg.connections === i) : [ps[i % ps.length]!]);
      const conn = await RawConnection.connect(address.port, { wholeLimit: 16 * 1024 * 1024 }, address.host).catch((err: Error) => {
        throw new BenchError(`cannot connect to ${formatAddress(address)}: ${err.message}`);
      });
      lanes.push({ conn, address, partitions: mine, nextPartition: 0, corr: 1, inflight: [], head: 0, backlog: [] });
    }
  }

  let remaining = cfg.records ?? Infinity;
  let stopping = false;
  let building = 0;
  let finished = false;
  let resolveDone!: () => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  const inflightTotal = () => lanes.reduce((a, l) => a + l.inflight.length - l.head, 0);
  let ticker: ReturnType<typeof startTicker> | null = null;
  const finish = (err?: Error) => {
    if (finished) return;
    finished = true;
    if (ticker) void ticker.terminate();
    for (const l of lanes) l.conn.close();
    if (err) rejectDone(err);
    else resolveDone();
  };
  const maybeFinish = () => {
    if ((stopping || remaining <= 0) && building === 0 && inflightTotal() === 0 && lanes.every((l) => l.backlog.length === 0) && !finished) finish();
  };

  /** Writes one request on `lane`; false when nothing is left to send. */
  const sendOne = (lane: Lane, since: number | null, cap = Infinity): boolean => {
    if (remaining <= 0 || stopping) return false;
    const p = lane.partitions[lane.nextPartition++ % lane.partitions.length]!;
    const want = Math.min(cap, remaining);
    const b: PreparedBatch | null = payload.takeSync(p, want);
    if (!b) {
      // A cap not seen before (the last request of --records): build it, then go on.
      remaining -= want;
      building++;
      void payload.take(p, want).then(
        (x) => {
          building--;
          write(lane, x, p, since);
        },
        (e: Error) => finish(e),
      );
      return true;
    }
    remaining -= b.records;
    write(lane, b, p, since);
    return true;
  };
  const write = (lane: Lane, b: PreparedBatch, p: number, since: number | null, dues?: number[]) => {
    const corr = lane.corr++;
    const [h, body] = b.template.parts(corr);
    const ok = lane.conn.write([h, opts.e2e ? restamp(b, Date.now()) : body]);
    if (cfg.acks === 0) {
      meter.records += b.records;
      meter.bytes += b.batchBytes;
      meter.requests++;
      return ok;
    }
    lane.inflight.push({ corr, since: since ?? performance.now(), records: b.records, bytes: b.batchBytes, partition: p, ...(dues ? { dues } : {}) });
    return ok;
  };

  /** Open loop: sends the lane's due records, a batch at a time, while it has free slots. */
  const flush = (lane: Lane) => {
    while (lane.backlog.length > 0 && lane.inflight.length - lane.head < cfg.maxInFlight && !stopping) {
      const p = lane.partitions[lane.nextPartition++ % lane.partitions.length]!;
      const b = payload.takeSync(p, lane.backlog.length);
      if (!b) return finish(new BenchError(`internal: no prepared batch of ${lane.backlog.length} records`));
      const dues = lane.backlog.splice(0, b.records);
      remaining -= b.records;
      write(lane, b, p, dues[0]!, dues);
    }
  };

  const onFrame = (lane: Lane, frame: Buffer) => {
    if (finished) return;
    const now = performance.now();
    const want = lane.inflight[lane.head++];
    if (lane.head > 1024) {
      lane.inflight.splice(0, lane.head);
      lane.head = 0;
    }
    try {
      const r = new Reader(frame);
      const h = ResponseHeader.decode(r, responseHeaderVersion(ProduceRequest.apiKey, version));
      if (!want || h.correlationId !== want.corr)
        throw new BenchError(`${formatAddress(lane.address)} answered correlation id ${h.correlationId}, expected ${want?.corr}`);
      const res = ProduceResponse.decode(r, version);
      const pr = res.responses[0]?.partitionResponses[0];
      if (!pr) throw new BenchError(`${formatAddress(lane.address)} answered a Produce request with no partition`);
      if (pr.errorCode !== 0) {
        const info = errorInfo(pr.errorCode);
        meter.error(info.name);
        // Checked before the run where the broker says its limits (limits.ts); this is for those that do not.
        const hint = info.name === 'MESSAGE_TOO_LARGE' ? " (lower --batch-size or --record-size, or raise the topic's max.message.bytes)" : '';
        if (!info.retriable)
          throw new BenchError(`the broker rejected Produce to ${cfg.topic}-${want.partition}: ${kafkaError(pr.errorCode, pr.errorMessage)}${hint}`);
      } else {
        meter.records += want.records;
        meter.bytes += want.bytes;
        meter.requests++;
        if (want.dues) for (const d of want.dues) meter.latencyUs((now - d) * 1000);
        else meter.latencyUs((now - want.since) * 1000, want.records);
      }
    } catch (err) {
      return finish(
        err instanceof BenchError ? err : new BenchError(`cannot read a Produce response from ${formatAddress(lane.address)}: ${(err as Error).message}`),
      );
    }
    if (cfg.rate) flush(lane);
    else if (!stopping) {
      while (lane.inflight.length - lane.head < cfg.maxInFlight && sendOne(lane, null));
    }
    maybeFinish();
  };

  for (const lane of lanes) {
    lane.conn.onFrame = (frame) => onFrame(lane, frame);
    lane.conn.onClose = (err) => {
      if (!finished)
        finish(
          new BenchError(
            `${formatAddress(lane.address)} closed the connection${err ? `: ${err.message}` : ''} (the broker may have rejected a request it could not parse)`,
          ),
        );
    };
  }

  const begin = () => {
    if (cfg.rate) {
      const perTick = Number.isFinite(rateBatch) ? rateBatch : 1;
      const intervalMs = (1000 * perTick) / cfg.rate;
      const start = performance.now() + 10;
      const total = cfg.records === null ? Infinity : Math.ceil(cfg.records / perTick);
      let laneIx = 0;
      let sent = 0;
      let queued = 0;
      ticker = startTicker(start, intervalMs, total);
      ticker.on('message', (i: number) => {
        if (finished) return;
        const now = performance.now();
        const step = 1000 / cfg.rate!;
        while (sent <= i && start + sent * intervalMs <= now + 0.001 && !stopping && queued < (cfg.records ?? Infinity)) {
          const due = start + sent * intervalMs;
          sent++;
          const lane = lanes[laneIx++ % lanes.length]!;
          // The tick's records were due one `step` apart, the last at the tick.
          const n = Math.min(perTick, (cfg.records ?? Infinity) - queued);
          for (let k = n - 1; k >= 0; k--) lane.backlog.push(due - k * step);
          queued += n;
          flush(lane);
        }
        maybeFinish();
      });
      ticker.on('error', (e) => finish(e));
      return;
    }
    if (cfg.acks === 0) {
      // No responses: write while the sockets take it, wait for drain, yield now and then.
      const pump = async () => {
        let loops = 0;
        while (!stopping && remaining > 0 && !finished) {
          let full = false;
          for (const lane of lanes) {
            for (let i = 0; i < 16 && remaining > 0 && !stopping; i++) {
              const p = lane.partitions[lane.nextPartition++ % lane.partitions.length]!;
              let b = payload.takeSync(p, remaining);
              if (!b) b = await payload.take(p, remaining);
              remaining -= b.records;
              if (!write(lane, b, p, null)) full = true;
            }
            if (full) await lane.conn.drain();
          }
          if (++loops % 32 === 0) await new Promise((r) => setImmediate(r));
        }
        // Let the socket buffers empty before calling it done.
        for (const lane of lanes) if (lane.conn.socket.writableLength > 0) await lane.conn.drain();
        finish();
      };
      pump().catch((e: Error) => finish(e));
      return;
    }
    for (const lane of lanes) while (lane.inflight.length - lane.head < cfg.maxInFlight && sendOne(lane, null));
    maybeFinish();
  };

  return {
    done,
    stop() {
      stopping = true;
      if (ticker) {
        void ticker.terminate();
        ticker = null;
      }
      for (const l of lanes) l.backlog.length = 0;
      maybeFinish();
    },
    begin,
  };
}
