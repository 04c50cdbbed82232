// AddPartitionsToTxn (key 24). v0-v3: a client adds partitions to its ongoing transaction. v4:
// the batched form brokers send (KIP-890 part 1), with verifyOnly asking whether the partitions
// are already in the transaction. v5 (transaction version 2) is not served. Unknown partitions
// get UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, as Kafka answers.
import { AddPartitionsToTxnRequest, type AddPartitionsToTxnTopic } from '../protocol/generated/add-partitions-to-txn-request.js';
import { AddPartitionsToTxnResponse, type AddPartitionsToTxnTopicResult } from '../protocol/generated/add-partitions-to-txn-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode } from '../errors.js';
import { defineHandler, type RequestContext } from './types.js';

type Results = Input<AddPartitionsToTxnTopicResult>[];

function results(topics: AddPartitionsToTxnTopic[], code: (topic: string, partition: number, i: number) => number): Results {
  let i = 0;
  return topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code(t.name, p, i++) })) }));
}

async function one(
  ctx: RequestContext,
  transactionalId: string,
  producerId: number,
  producerEpoch: number,
  verifyOnly: boolean,
  topics: AddPartitionsToTxnTopic[],
): Promise<Results> {
  const md = ctx.broker.metadata;
  const txn = ctx.broker.txnCoordinator;
  const list = topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const unknown = list.map((p) => !md.topic(p.topic)?.partitions[p.partition]);
  if (unknown.some((u) => u)) return results(topics, (_t, _p, i) => (unknown[i] ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED));
  if (verifyOnly) {
    const codes = txn.verifyPartitions(transactionalId, producerId, producerEpoch, list);
    return results(topics, (_t, _p, i) => codes[i]!);
  }
  let code = await txn.addPartitions(transactionalId, producerId, producerEpoch, list);
  if (code === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2) code = ErrorCode.INVALID_PRODUCER_EPOCH;
  return results(topics, () => code);
}

export const addPartitionsToTxnHandler = defineHandler({
  request: AddPartitionsToTxnRequest,
  response: AddPartitionsToTxnResponse,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    if (ctx.apiVersion <= 3) {
      const r = await one(ctx, req.v3AndBelowTransactionalId, req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch, false, req.v3AndBelowTopics);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: r };
    }
    const resultsByTransaction = [];
    for (const t of req.transactions) {
      resultsByTransaction.push({
        transactionalId: t.transactionalId,
        topicResults: await one(ctx, t.transactionalId, t.producerId, t.producerEpoch, t.verifyOnly, t.topics),
      });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction };
  },
  errorResponse(req, errorCode, ctx) {
    if (ctx.apiVersion <= 3) return { errorCode, resultsByTopicV3AndBelow: results(req.v3AndBelowTopics, () => errorCode) };
    return {
      errorCode,
      resultsByTransaction: req.transactions.map((t) => ({ transactionalId: t.transactionalId, topicResults: results(t.topics, () => errorCode) })),
    };
  },
});
