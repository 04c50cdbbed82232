// InitProducerId (key 22). An idempotent producer (no transactional id) always gets a fresh
// producer id with epoch 0, as Kafka's coordinator does (KIP-360 bumps apply to transactional
// ids only); a transactional id goes to the transaction coordinator (src/txn/coordinator.ts). Ids come from durably reserved blocks, so none is ever reused across restarts.
import { InitProducerIdRequest } from '../protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../protocol/generated/init-producer-id-response.js';
import { ErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export const initProducerIdHandler = defineHandler({
  request: InitProducerIdRequest,
  response: InitProducerIdResponse,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    if (req.transactionalId !== null && req.transactionalId !== '') {
      // Transactional: the transaction coordinator assigns the id or bumps the epoch (fencing).
      const r = await ctx.broker.txnCoordinator.initProducerId(
        req.transactionalId,
        req.transactionTimeoutMs,
        ctx.apiVersion >= 3 ? req.producerId : -1,
        ctx.apiVersion >= 3 ? req.producerEpoch : -1,
      );
      // Clients before v4 do not know PRODUCER_FENCED (Kafka maps it the same way).
      if (r.errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 4) r.errorCode = ErrorCode.INVALID_PRODUCER_EPOCH;
      return { throttleTimeMs: 0, ...r };
    }
    const producerId = await ctx.broker.metadata.allocateProducerId();
    ctx.log.debug({ producerId, clientId: ctx.clientId }, 'allocated producer id');
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, producerId: -1, producerEpoch: -1 };
  },
});
