// DescribeCluster (key 60): brokers, cluster id, controller id, cluster authorized operations.
// v1 adds the endpoint type (KIP-919): 1 = brokers, 2 = controllers. Kafka answers 2 only on a
// controller listener (a broker listener says MISMATCHED_ENDPOINT_TYPE); samsa has no separate
// controller listener, so it answers 2 as a combined-mode node's controller listener would:
// with itself as the controller and as the controller id. Any other type is
// UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST at v0), as in Kafka's computeDescribeClusterResponse.
// v2 adds includeFencedBrokers (KIP-1073): samsa never fences a broker, so isFenced is false.
import { DescribeClusterRequest } from '../protocol/generated/describe-cluster-request.js';
import { DescribeClusterResponse } from '../protocol/generated/describe-cluster-response.js';
import { ErrorCode } from '../errors.js';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS } from '../cluster/authorized-operations.js';
import { defineHandler } from './types.js';

const BROKERS = 1;
const CONTROLLERS = 2;

export const describeClusterHandler = defineHandler({
  request: DescribeClusterRequest,
  response: DescribeClusterResponse,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const endpointType = ctx.apiVersion >= 1 ? req.endpointType : BROKERS;
    if (endpointType !== BROKERS && endpointType !== CONTROLLERS) {
      return {
        throttleTimeMs: 0,
        errorCode: ctx.apiVersion === 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: `Unsupported endpoint type ${endpointType}`,
      };
    }
    const md = ctx.broker.metadata;
    // This broker as the client sees it (the listener it came in on), others as registered.
    const self = ctx.broker.selfEndpoint(ctx.listener.name, ctx.client.localAddress);
    const registered = md.brokers().map((b) => (b.nodeId === self.nodeId ? self : b));
    // Controllers: the active controller, which is a broker too (combined mode).
    const nodes = endpointType === CONTROLLERS ? registered.filter((b) => b.nodeId === md.controllerId) : registered;
    // Kafka answers -1 rather than a controller id missing from the node list.
    const controllerId = nodes.some((b) => b.nodeId === md.controllerId) ? md.controllerId : -1;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType,
      clusterId: md.clusterId,
      controllerId,
      brokers: nodes.map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack, isFenced: false })),
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, errorMessage: null };
  },
});
