// EndTxn (key 26), v0-v4: commits or aborts the ongoing transaction; the coordinator writes the
// markers to every partition of it (src/txn/coordinator.ts). v5 (transaction version 2, an epoch
// bump per transaction) is not served.
import { EndTxnRequest } from '../protocol/generated/end-txn-request.js';
import { EndTxnResponse } from '../protocol/generated/end-txn-response.js';
import { ErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export const endTxnHandler = defineHandler({
  request: EndTxnRequest,
  response: EndTxnResponse,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    let code = await ctx.broker.txnCoordinator.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
    if (code === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2) code = ErrorCode.INVALID_PRODUCER_EPOCH;
    return { throttleTimeMs: 0, errorCode: code, producerId: -1, producerEpoch: -1 };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, producerId: -1, producerEpoch: -1 };
  },
});
