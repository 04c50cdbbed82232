// ListPartitionReassignments (key 46, KIP-455). samsa never moves replicas between brokers, so
// no reassignment is ever in progress: the answer lists none. kafka-topics.sh --describe asks.
import { ListPartitionReassignmentsRequest } from '../protocol/generated/list-partition-reassignments-request.js';
import { ListPartitionReassignmentsResponse } from '../protocol/generated/list-partition-reassignments-response.js';
import { ErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export const listPartitionReassignmentsHandler = defineHandler({
  request: ListPartitionReassignmentsRequest,
  response: ListPartitionReassignmentsResponse,
  minVersion: 0,
  maxVersion: 0,
  handle() {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, topics: [] };
  },
});
