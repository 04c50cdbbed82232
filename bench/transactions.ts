// Idempotence and transactions (issue 6), against a separate samsa process in disk mode:
//   (a) produce throughput, idempotent vs plain: the same 16 KiB batches of 100-byte records, one
//       partition, acks=all, one connection, BENCH_INFLIGHT (5, the idempotent producer's limit)
//       requests in flight. Plain batches carry producer id -1; idempotent ones this run's producer
//       id, epoch 0 and consecutive sequences. Both paths restamp the header and recompute the CRC
//       per batch, so the client does the same work. Plain and idempotent runs alternate
//       (BENCH_ROUNDS rounds of BENCH_SECONDS each), each into a fresh topic. Goal: idempotent
//       within 10% of plain.
//   (b) commit latency of small transactions: BENCH_TXNS times AddPartitionsToTxn, Produce of 10
//       records, EndTxn(commit), one after another: p50/p99 of the EndTxn round trip and of the
//       whole transaction.
//
// Reproduce: npm run build && npm run bench:txn
// Knobs: BENCH_SECONDS (5), BENCH_ROUNDS (3), BENCH_INFLIGHT (5), BENCH_TXNS (2000), BENCH_JSON=1.
import { ClientConnection } from '../src/client/connection.js';
import { buildBatch } from '../src/protocol/records/build.js';
import { computeBatchCrc } from '../src/protocol/records/stamp.js';
import { CRC_OFFSET, PRODUCER_ID_OFFSET, PRODUCER_EPOCH_OFFSET, BASE_SEQUENCE_OFFSET } from '../src/protocol/records/layout.js';
import { ProduceRequest } from '../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../src/protocol/generated/produce-response.js';
import { InitProducerIdRequest } from '../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../src/protocol/generated/init-producer-id-response.js';
import { CreateTopicsRequest } from '../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../src/protocol/generated/create-topics-response.js';
import { AddPartitionsToTxnRequest } from '../src/protocol/generated/add-partitions-to-txn-request.js';
import { AddPartitionsToTxnResponse } from '../src/protocol/generated/add-partitions-to-txn-response.js';
import { EndTxnRequest } from '../src/protocol/generated/end-txn-request.js';
import { EndTxnResponse } from '../src/protocol/generated/end-txn-response.js';
import { startSamsa } from './lib/samsa.js';
import { banner, env, fmt, json, table } from './lib/report.js';

const SECONDS = env('BENCH_SECONDS', 5);
const ROUNDS = env('BENCH_ROUNDS', 3);
const INFLIGHT = env('BENCH_INFLIGHT', 5);
const TXNS = env('BENCH_TXNS', 2000);
const RECORD_BYTES = 100;
const BATCH_BYTES = 16 * 1024;

banner('idempotent vs plain produce, and small-transaction commit latency (disk mode, separate samsa process)', 'bench:txn');

const samsa = await startSamsa({ storage: 'disk' });
const c = await ClientConnection.connect('127.0.0.1', samsa.port, { clientId: 'bench-txn' });
await c.negotiate();

async function createTopic(name: string): Promise<void> {
  const r = await c.send(CreateTopicsRequest, CreateTopicsResponse, 7, { topics: [{ name, numPartitions: 1, replicationFactor: 1 }], timeoutMs: 5000 });
  if (r.topics[0]!.errorCode !== 0) throw new Error(`create ${name}: error ${r.topics[0]!.errorCode}`);
}

async function initProducerId(transactionalId: string | null): Promise<{ producerId: number; producerEpoch: number }> {
  const r = await c.send(InitProducerIdRequest, InitProducerIdResponse, 4, { transactionalId, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
  if (r.errorCode !== 0) throw new Error(`InitProducerId: error ${r.errorCode}`);
  return r;
}

const perBatch = Math.floor((BATCH_BYTES - 61) / (RECORD_BYTES + 12));
const template = buildBatch(Array.from({ length: perBatch }, (_, i) => ({ key: null, value: Buffer.alloc(RECORD_BYTES, 97 + (i % 26)) })));

// The template restamped: producer id / epoch / base sequence, and a fresh CRC.
function stamp(buf: Buffer, producerId: number, producerEpoch: number, baseSequence: number): Buffer {
  buf.writeBigInt64BE(BigInt(producerId), PRODUCER_ID_OFFSET);
  buf.writeInt16BE(producerEpoch, PRODUCER_EPOCH_OFFSET);
  buf.writeInt32BE(baseSequence, BASE_SEQUENCE_OFFSET);
  buf.writeUInt32BE(computeBatchCrc(buf, 0) >>> 0, CRC_OFFSET);
  return buf;
}

async function throughput(
  kind: 'plain' | 'idempotent',
  topic: string,
  seconds = SECONDS,
): Promise<{ recordsPerSec: number; mbPerSec: number; p50Ms: number; p99Ms: number }> {
  await createTopic(topic);
  const pid = kind === 'idempotent' ? await initProducerId(null) : { producerId: -1, producerEpoch: -1 };
  let seq = 0;
  let acked = 0;
  const rtts: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  const t0 = process.hrtime.bigint();
  const lane = async () => {
    while (Date.now() < deadline) {
      const batch = stamp(Buffer.from(template), pid.producerId, pid.producerEpoch, kind === 'idempotent' ? seq : -1);
      if (kind === 'idempotent') seq += perBatch;
      const s = process.hrtime.bigint();
      const r = await c.send(ProduceRequest, ProduceResponse, 9, {
        acks: -1,
        timeoutMs: 10000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
      });
      rtts.push(Number(process.hrtime.bigint() - s) / 1e6);
      const code = r.responses[0]!.partitionResponses[0]!.errorCode;
      if (code !== 0) throw new Error(`${kind} produce: error ${code}`);
      acked += perBatch;
    }
  };
  await Promise.all(Array.from({ length: INFLIGHT }, lane));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  rtts.sort((a, b) => a - b);
  return { recordsPerSec: acked / secs, mbPerSec: (acked * RECORD_BYTES) / secs / 1e6, p50Ms: q(rtts, 0.5), p99Ms: q(rtts, 0.99) };
}

function q(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

try {
  console.log(
    `(a) batches of ${perBatch} x ${RECORD_BYTES} B records (${template.length} B), acks=all, ${INFLIGHT} in flight, ${ROUNDS} rounds x ${SECONDS} s each, alternating`,
  );
  const results: Record<'plain' | 'idempotent', Array<{ recordsPerSec: number; mbPerSec: number; p50Ms: number; p99Ms: number }>> = {
    plain: [],
    idempotent: [],
  };
  // Warm-up (JIT, page cache) that is not counted.
  await throughputWarmup();
  for (let r = 0; r < ROUNDS; r++) {
    const order: Array<'plain' | 'idempotent'> = r % 2 === 0 ? ['plain', 'idempotent'] : ['idempotent', 'plain'];
    for (const kind of order) results[kind].push(await throughput(kind, `bench-${kind}-${r}`));
  }
  const rows = (['plain', 'idempotent'] as const).map((k) => {
    const xs = results[k];
    const mean = xs.reduce((a, x) => a + x.recordsPerSec, 0) / xs.length;
    return { k, mean, xs };
  });
  table(
    ['kind', 'records/s (mean)', 'MB/s', 'per round records/s', 'request p50 ms', 'request p99 ms'],
    rows.map(({ k, mean, xs }) => [
      k,
      fmt(mean),
      fmt((mean * RECORD_BYTES) / 1e6, 1),
      xs.map((x) => fmt(x.recordsPerSec)).join(' / '),
      fmt(xs[xs.length - 1]!.p50Ms, 2),
      fmt(xs[xs.length - 1]!.p99Ms, 2),
    ]),
  );
  const ratio = rows[1]!.mean / rows[0]!.mean;
  console.log(`idempotent / plain = ${(ratio * 100).toFixed(1)}% (goal: >= 90%) ${ratio >= 0.9 ? 'OK' : 'BELOW GOAL'}`);

  // ---- (b) small transactions ----
  const topic = 'bench-txn';
  await createTopic(topic);
  const pid = await initProducerId('bench-txn-latency');
  const ten = Array.from({ length: 10 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(RECORD_BYTES, 120) }));
  const endTxn: number[] = [];
  const whole: number[] = [];
  let seq = 0;
  const warm = Math.min(100, Math.floor(TXNS / 10));
  for (let i = 0; i < TXNS + warm; i++) {
    const t0 = process.hrtime.bigint();
    const add = await c.send(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, 3, {
      v3AndBelowTransactionalId: 'bench-txn-latency',
      v3AndBelowProducerId: pid.producerId,
      v3AndBelowProducerEpoch: pid.producerEpoch,
      v3AndBelowTopics: [{ name: topic, partitions: [0] }],
    });
    const addCode = add.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode;
    if (addCode !== 0) throw new Error(`AddPartitionsToTxn: error ${addCode}`);
    const pr = await c.send(ProduceRequest, ProduceResponse, 9, {
      transactionalId: 'bench-txn-latency',
      acks: -1,
      timeoutMs: 10000,
      topicData: [
        {
          name: topic,
          partitionData: [
            { index: 0, records: buildBatch(ten, { producerId: pid.producerId, producerEpoch: pid.producerEpoch, baseSequence: seq, transactional: true }) },
          ],
        },
      ],
    });
    const prCode = pr.responses[0]!.partitionResponses[0]!.errorCode;
    if (prCode !== 0) throw new Error(`transactional produce: error ${prCode}`);
    seq += 10;
    const e0 = process.hrtime.bigint();
    const end = await c.send(EndTxnRequest, EndTxnResponse, 3, {
      transactionalId: 'bench-txn-latency',
      producerId: pid.producerId,
      producerEpoch: pid.producerEpoch,
      committed: true,
    });
    const t1 = process.hrtime.bigint();
    if (end.errorCode !== 0) throw new Error(`EndTxn: error ${end.errorCode}`);
    if (i >= warm) {
      endTxn.push(Number(t1 - e0) / 1e6);
      whole.push(Number(t1 - t0) / 1e6);
    }
  }
  endTxn.sort((a, b) => a - b);
  whole.sort((a, b) => a - b);
  console.log(`\n(b) ${TXNS} transactions (after ${warm} not counted): AddPartitionsToTxn + Produce(10 records, acks=all) + EndTxn(commit), sequential`);
  table(
    ['', 'p50 ms', 'p99 ms', 'max ms', 'mean ms'],
    [
      [
        'EndTxn round trip',
        fmt(q(endTxn, 0.5), 2),
        fmt(q(endTxn, 0.99), 2),
        fmt(endTxn[endTxn.length - 1]!, 2),
        fmt(endTxn.reduce((a, b) => a + b, 0) / endTxn.length, 2),
      ],
      [
        'whole transaction',
        fmt(q(whole, 0.5), 2),
        fmt(q(whole, 0.99), 2),
        fmt(whole[whole.length - 1]!, 2),
        fmt(whole.reduce((a, b) => a + b, 0) / whole.length, 2),
      ],
    ],
  );
  console.log(`transactions/s (sequential): ${fmt(1000 / (whole.reduce((a, b) => a + b, 0) / whole.length))}`);
  json({
    plainRecordsPerSec: rows[0]!.mean,
    idempotentRecordsPerSec: rows[1]!.mean,
    ratio,
    endTxnP50Ms: q(endTxn, 0.5),
    endTxnP99Ms: q(endTxn, 0.99),
    txnP50Ms: q(whole, 0.5),
    txnP99Ms: q(whole, 0.99),
  });
} finally {
  c.close();
  await samsa.destroy();
}

async function throughputWarmup(): Promise<void> {
  await throughput('plain', 'bench-warmup-plain', 1);
  await throughput('idempotent', 'bench-warmup-idem', 1);
}
