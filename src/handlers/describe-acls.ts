// DescribeAcls (key 29). samsa has no authorizer yet, so it answers as a Kafka broker without
// `authorizer.class.name` does (kafka.server.AclApis): SECURITY_DISABLED with Kafka's message.
// Served rather than left out so ACL-syncing tools (MirrorMaker 2) get an answer they expect.
import { DescribeAclsRequest } from '../protocol/generated/describe-acls-request.js';
import { DescribeAclsResponse } from '../protocol/generated/describe-acls-response.js';
import { ErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export const describeAclsHandler = defineHandler({
  request: DescribeAclsRequest,
  response: DescribeAclsResponse,
  minVersion: 0,
  maxVersion: 3,
  handle() {
    return { throttleTimeMs: 0, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker', resources: [] };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, errorMessage: null, resources: [] };
  },
});
