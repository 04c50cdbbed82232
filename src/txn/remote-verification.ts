// KIP-890 part 1 across brokers (Kafka's AddPartitionsToTxnManager): before a transactional
// batch is appended to a partition whose producer has no transaction open there yet, the leader
// asks the producer's transaction coordinator, another broker, whether the partition is in the
// ongoing transaction (AddPartitionsToTxn v4, verifyOnly). The answers are kept per producer and
// partition until the append consumes them (TransactionCoordinator.verifyProduce). Only the first
// batch of a transaction on each partition pays the round trip; a produce without a transactional
// id, or on a single broker, or with verification off, costs nothing (no promise at all).
// Coordinator errors become NOT_ENOUGH_REPLICAS, which producers retry, as in Kafka.
import { ErrorCode } from '../errors.js';
import type { ClusterMetadata } from '../cluster/cluster-metadata.js';
import type { LogManager } from '../storage/log-manager.js';
import type { Logger } from '../log.js';
import type { Input, MessageCodec } from '../protocol/primitives/index.js';
import { readBatchHeader } from '../protocol/records/header.js';
import { AddPartitionsToTxnRequest } from '../protocol/generated/add-partitions-to-txn-request.js';
import { AddPartitionsToTxnResponse } from '../protocol/generated/add-partitions-to-txn-response.js';

/** Sends one request to another broker of the cluster (the broker's inter-broker connections). */
export type InterBrokerSend = <Req, Res>(
  nodeId: number,
  request: MessageCodec<Req>,
  response: MessageCodec<Res>,
  version: number,
  body: Input<Req>,
) => Promise<Res>;

/** The parts of a Produce request this needs. */
export interface ProduceToVerify {
  transactionalId: string | null;
  topicData: ReadonlyArray<{ name: string; topicId: string; partitionData: ReadonlyArray<{ index: number; records: unknown }> }>;
}

const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.CONCURRENT_TRANSACTIONS,
]);

// Answers are used by the appends of the same Produce request, right after the round trip.
const STALE_MS = 5_000;

const vkey = (producerId: number, topic: string, partition: number) => `${producerId}\u0000${topic}\u0000${partition}`;

export class RemoteVerification {
  private readonly verified = new Map<string, { producerEpoch: number; code: number; at: number }>();

  constructor(
    private readonly metadata: ClusterMetadata,
    private readonly logManager: LogManager,
    private readonly log: Logger,
    private readonly send: InterBrokerSend,
    // The broker leading the transactional id's __transaction_state partition (-1: none).
    private readonly coordinatorOf: (transactionalId: string) => number,
  ) {}

  /** Asks the coordinator about the partitions that need it; null when none does. */
  before(req: ProduceToVerify, useIds: boolean): Promise<void> | null {
    const transactionalId = req.transactionalId;
    if (!transactionalId) return null;
    const coordinator = this.coordinatorOf(transactionalId);
    if (coordinator === this.metadata.nodeId) return null;
    let producer: { producerId: number; producerEpoch: number } | null = null;
    const topics = new Map<string, number[]>();
    for (const td of req.topicData) {
      const topic = useIds ? this.metadata.topicById(td.topicId) : this.metadata.topic(td.name);
      if (!topic) continue;
      for (const pd of td.partitionData) {
        const log = this.logManager.get(topic.name, pd.index);
        if (!log || !Buffer.isBuffer(pd.records) || pd.records.length < 61) continue;
        const h = readBatchHeader(pd.records, 0);
        if (!h.isTransactional || h.producerId < 0) continue;
        if (log.producers.ongoingTxnFirstOffset(h.producerId) >= 0) continue; // open here: verified before
        producer ??= { producerId: h.producerId, producerEpoch: h.producerEpoch };
        let l = topics.get(topic.name);
        if (!l) topics.set(topic.name, (l = []));
        l.push(pd.index);
      }
    }
    if (!producer || topics.size === 0) return null;
    const p = producer;
    const record = (code: (topic: string, partition: number) => number) => {
      for (const [topic, partitions] of topics)
        for (const partition of partitions)
          this.verified.set(vkey(p.producerId, topic, partition), { producerEpoch: p.producerEpoch, code: code(topic, partition), at: Date.now() });
    };
    if (coordinator < 0) {
      record(() => ErrorCode.NOT_ENOUGH_REPLICAS);
      return null;
    }
    return this.send(coordinator, AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, 4, {
      transactions: [
        {
          transactionalId,
          producerId: p.producerId,
          producerEpoch: p.producerEpoch,
          verifyOnly: true,
          topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
        },
      ],
    }).then(
      (res) => {
        const codes = new Map<string, number>();
        for (const t of res.resultsByTransaction)
          for (const tr of t.topicResults) for (const r of tr.resultsByPartition) codes.set(`${tr.name}\u0000${r.partitionIndex}`, r.partitionErrorCode);
        record((topic, partition) => {
          const code = res.errorCode || (codes.get(`${topic}\u0000${partition}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR);
          return COORDINATOR_ERRORS.has(code) ? ErrorCode.NOT_ENOUGH_REPLICAS : code;
        });
      },
      (err: unknown) => {
        this.log.debug({ coordinator, transactionalId, err: (err as Error).message }, 'could not verify a transactional produce with its coordinator');
        record(() => ErrorCode.NOT_ENOUGH_REPLICAS);
      },
    );
  }

  /** The coordinator's answer for this batch (consumed), or null when it was not asked. */
  take(producerId: number, producerEpoch: number, topic: string, partition: number): number | null {
    const k = vkey(producerId, topic, partition);
    const v = this.verified.get(k);
    if (!v) return null;
    this.verified.delete(k);
    // An answer left by a request whose append never came is not one for this batch.
    if (Date.now() - v.at > STALE_MS) return null;
    if (v.producerEpoch !== producerEpoch) return ErrorCode.INVALID_TXN_STATE;
    return v.code;
  }
}
