// FindCoordinator (key 10), v0-6: a single broker coordinates every group (key type 0) and
// every transactional id (key type 1), so the answer is this broker, as the listener the client
// came in on advertises it. v4+ batches keys. The first group lookup creates __consumer_offsets
// (Kafka creates it here too, and answers COORDINATOR_NOT_AVAILABLE until it exists; samsa
// creates it synchronously and answers at once). Share groups (key type 2) are not served.
// In a cluster the coordinator of a key is the leader of its partition of __consumer_offsets /
// __transaction_state (Kafka's KafkaApis.getCoordinator): COORDINATOR_NOT_AVAILABLE while the
// topic is being created through the quorum or the partition has no live leader.
import { FindCoordinatorRequest } from '../protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse, type Coordinator } from '../protocol/generated/find-coordinator-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode, errorInfo } from '../errors.js';
import { defineHandler, type RequestContext } from './types.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

interface Answer {
  errorCode: number;
  nodeId: number;
  host: string;
  port: number;
}

const none = (errorCode: number): Answer => ({ errorCode, nodeId: -1, host: '', port: -1 });

function find(keyType: number, key: string, ctx: RequestContext): Answer {
  if (keyType !== KEY_TYPE_GROUP && keyType !== KEY_TYPE_TRANSACTION) return none(ErrorCode.INVALID_REQUEST);
  if (ctx.broker.metadata.quorum) return findInCluster(keyType, key, ctx);
  const coordinator = ctx.broker.coordinator;
  if (keyType === KEY_TYPE_GROUP) {
    const problem = coordinator.availability() || coordinator.ensureOffsetsTopic();
    if (problem) return none(problem === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.COORDINATOR_NOT_AVAILABLE : problem);
  }
  const self = ctx.broker.selfEndpoint(ctx.listener.name, ctx.client.localAddress);
  return { errorCode: ErrorCode.NONE, nodeId: self.nodeId, host: self.host, port: self.port };
}

function findInCluster(keyType: number, key: string, ctx: RequestContext): Answer {
  const broker = ctx.broker;
  const state = keyType === KEY_TYPE_GROUP ? broker.coordinator.topic : broker.txnCoordinator.stateLog;
  const problem =
    broker.coordinator.availability() || (keyType === KEY_TYPE_GROUP ? broker.coordinator.ensureOffsetsTopic() : broker.txnCoordinator.ensureStateTopic());
  if (problem) return none(problem === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.COORDINATOR_NOT_AVAILABLE : problem);
  const leader = state.leaderOf(state.partitionFor(key));
  if (leader < 0) return none(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (leader === broker.nodeId) {
    const self = broker.selfEndpoint(ctx.listener.name, ctx.client.localAddress);
    return { errorCode: ErrorCode.NONE, nodeId: self.nodeId, host: self.host, port: self.port };
  }
  const b = broker.metadata.brokers().find((e) => e.nodeId === leader);
  if (!b) return none(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  return { errorCode: ErrorCode.NONE, nodeId: b.nodeId, host: b.host, port: b.port };
}

export const findCoordinatorHandler = defineHandler({
  request: FindCoordinatorRequest,
  response: FindCoordinatorResponse,
  minVersion: 0,
  maxVersion: 6,
  handle(req, ctx) {
    const v = ctx.apiVersion;
    const keyType = v >= 1 ? req.keyType : KEY_TYPE_GROUP;
    if (v >= 4) {
      const coordinators: Input<Coordinator>[] = req.coordinatorKeys.map((key) => ({ key, ...find(keyType, key, ctx), errorMessage: '' }));
      return { throttleTimeMs: 0, coordinators };
    }
    const a = find(keyType, req.key, ctx);
    // Kafka sets the message of the error, "NONE" included.
    return { throttleTimeMs: 0, ...a, errorMessage: a.errorCode === ErrorCode.NONE ? 'NONE' : errorInfo(a.errorCode).message };
  },
  errorResponse(req, errorCode, ctx) {
    if (ctx.apiVersion >= 4) return { coordinators: req.coordinatorKeys.map((key) => ({ key, errorCode, nodeId: -1, host: '', port: -1, errorMessage: '' })) };
    return { errorCode, errorMessage: errorInfo(errorCode).message, nodeId: -1, host: '', port: -1 };
  },
});
