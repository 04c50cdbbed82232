// InitProducerId (key 22). An idempotent producer (no transactional id) always gets a fresh
// producer id with epoch 0, as Kafka's coordinator does (KIP-360 bumps apply to transactional
// ids only). Ids come from durably reserved blocks, so none is ever reused across restarts.
import { InitProducerIdRequest } from '../protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../protocol/generated/init-producer-id-response.js';
import { ErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export const initProducerIdHandler = defineHandler({
  request: InitProducerIdRequest,
  response: InitProducerIdResponse,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    if (req.transactionalId !== null && req.transactionalId !== '') {
      // Transactions are not served yet: fail fast and say so, rather than let the client retry.
      ctx.log.warn({ transactionalId: req.transactionalId, clientId: ctx.clientId }, 'InitProducerId for a transactional id: samsa does not support transactions yet');
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1, producerEpoch: -1 };
    }
    const producerId = ctx.broker.metadata.allocateProducerId();
    ctx.log.debug({ producerId, clientId: ctx.clientId }, 'allocated producer id');
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, producerId: -1, producerEpoch: -1 };
  },
});
