// AddOffsetsToTxn (key 25), v0-v4: adds the group's __consumer_offsets partition to the ongoing
// transaction, so that TxnOffsetCommit may follow and EndTxn writes its marker there.
import { AddOffsetsToTxnRequest } from '../protocol/generated/add-offsets-to-txn-request.js';
import { AddOffsetsToTxnResponse } from '../protocol/generated/add-offsets-to-txn-response.js';
import { ErrorCode } from '../errors.js';
import { OFFSETS_TOPIC } from '../coordinator/coordinator.js';
import { defineHandler } from './types.js';

export const addOffsetsToTxnHandler = defineHandler({
  request: AddOffsetsToTxnRequest,
  response: AddOffsetsToTxnResponse,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    const c = ctx.broker.coordinator;
    if (req.groupId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID };
    const problem = c.availability() || c.ensureOffsetsTopic();
    if (problem) return { throttleTimeMs: 0, errorCode: problem };
    const partition = c.topic.partitionFor(req.groupId);
    let code = await ctx.broker.txnCoordinator.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, [{ topic: OFFSETS_TOPIC, partition }]);
    if (code === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2) code = ErrorCode.INVALID_PRODUCER_EPOCH;
    return { throttleTimeMs: 0, errorCode: code };
  },
  errorResponse(_req, errorCode) {
    return { errorCode };
  },
});
