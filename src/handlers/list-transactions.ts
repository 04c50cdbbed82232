// ListTransactions (key 66), v0-v2 (KIP-664), after TransactionStateManager.listTransactionStates:
// every transactional id except Dead ones, filtered by state names (names that are no state are
// echoed in unknownStateFilters; with state filters given only matching states are listed),
// producer ids, v1+ DurationFilter (KIP-994: >= 0 keeps transactions started more than that many
// ms ago) and v2+ TransactionalIdPattern (KIP-1152: a Java regex that must match the whole id;
// null or empty means no filter). The pattern is compiled as a JS RegExp with the `u` flag: a
// syntax error is INVALID_REGULAR_EXPRESSION. Java-only syntax (possessive quantifiers, \Q..\E,
// embedded flags) is not translated.
import { ListTransactionsRequest } from '../protocol/generated/list-transactions-request.js';
import { ListTransactionsResponse } from '../protocol/generated/list-transactions-response.js';
import { ErrorCode } from '../errors.js';
import { TxnState, TXN_STATE_NAMES } from '../txn/txn-log.js';
import { defineHandler } from './types.js';

export const listTransactionsHandler = defineHandler({
  request: ListTransactionsRequest,
  response: ListTransactionsResponse,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const coordinator = ctx.broker.txnCoordinator;
    const names: readonly string[] = TXN_STATE_NAMES;
    const states = new Set<number>();
    const unknownStateFilters: string[] = [];
    for (const name of req.stateFilters) {
      const i = names.indexOf(name);
      if (i >= 0) states.add(i);
      else unknownStateFilters.push(name);
    }
    let pattern: RegExp | null = null;
    const source = ctx.apiVersion >= 2 ? req.transactionalIdPattern : null;
    if (source !== null && source !== '') {
      try {
        pattern = new RegExp(`^(?:${source})$`, 'u');
      } catch {
        return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, unknownStateFilters, transactionStates: [] };
      }
    }
    const producerIds = new Set(req.producerIdFilters);
    const duration = ctx.apiVersion >= 1 ? req.durationFilter : -1;
    const now = Date.now();
    const transactionStates = [];
    for (const m of coordinator.txns.values()) {
      if (m.state === TxnState.Dead) continue;
      if (producerIds.size > 0 && !producerIds.has(m.producerId)) continue;
      if (req.stateFilters.length > 0 && !states.has(m.state)) continue;
      if (duration >= 0 && now - m.startMs <= duration) continue;
      if (pattern && !pattern.test(m.transactionalId)) continue;
      transactionStates.push({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: coordinator.stateName(m) });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, unknownStateFilters: [], transactionStates: [] };
  },
});
