// CreateAcls (key 30). Without an authorizer Kafka fails every creation with SECURITY_DISABLED
// (kafka.server.AclApis, CreateAclsRequest.getErrorResponse); samsa has none yet, so it does too.
import { CreateAclsRequest } from '../protocol/generated/create-acls-request.js';
import { CreateAclsResponse } from '../protocol/generated/create-acls-response.js';
import { ErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export const createAclsHandler = defineHandler({
  request: CreateAclsRequest,
  response: CreateAclsResponse,
  minVersion: 0,
  maxVersion: 3,
  handle(req) {
    return { throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' })) };
  },
  errorResponse(req, errorCode) {
    return { results: req.creations.map(() => ({ errorCode, errorMessage: null })) };
  },
});
