// DescribeTransactions (key 65), v0 (KIP-664): per transactional id its state as Kafka names it
// (Empty, Ongoing, PrepareCommit, ...), producer id and epoch, timeout, start time and the
// partitions of the current transaction, after TransactionCoordinator.handleDescribeTransactions.
// An unknown id (or one that is Dead, being expired) is TRANSACTIONAL_ID_NOT_FOUND.
import { DescribeTransactionsRequest } from '../protocol/generated/describe-transactions-request.js';
import { DescribeTransactionsResponse, type TransactionState, type TopicData } from '../protocol/generated/describe-transactions-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode } from '../errors.js';
import { TxnState } from '../txn/txn-log.js';
import { defineHandler } from './types.js';

const failed = (transactionalId: string, errorCode: number): Input<TransactionState> => ({
  errorCode,
  transactionalId,
  transactionState: '',
  transactionTimeoutMs: 0,
  transactionStartTimeMs: 0,
  producerId: 0,
  producerEpoch: 0,
  topics: [],
});

export const describeTransactionsHandler = defineHandler({
  request: DescribeTransactionsRequest,
  response: DescribeTransactionsResponse,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const coordinator = ctx.broker.txnCoordinator;
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id): Input<TransactionState> => {
        // In a cluster: NOT_COORDINATOR for an id whose partition another broker leads.
        const notHere = coordinator.coordinatorError(id);
        if (notHere) return failed(id, notHere);
        const m = coordinator.txns.get(id);
        if (!m || m.state === TxnState.Dead) return failed(id, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
        const byTopic = new Map<string, number[]>();
        for (const p of m.partitions.values()) {
          const list = byTopic.get(p.topic);
          if (list) list.push(p.partition);
          else byTopic.set(p.topic, [p.partition]);
        }
        return {
          errorCode: ErrorCode.NONE,
          transactionalId: id,
          transactionState: coordinator.stateName(m),
          transactionTimeoutMs: m.timeoutMs,
          transactionStartTimeMs: m.startMs,
          producerId: m.producerId,
          producerEpoch: m.producerEpoch,
          topics: [...byTopic].map(([topic, partitions]): Input<TopicData> => ({ topic, partitions })),
        };
      }),
    };
  },
  errorResponse(req, errorCode) {
    return { transactionStates: req.transactionalIds.map((id) => failed(id, errorCode)) };
  },
});
