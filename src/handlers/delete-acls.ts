// DeleteAcls (key 31). Without an authorizer Kafka fails every filter with SECURITY_DISABLED
// (kafka.server.AclApis, DeleteAclsRequest.getErrorResponse); samsa has none yet, so it does too.
import { DeleteAclsRequest } from '../protocol/generated/delete-acls-request.js';
import { DeleteAclsResponse } from '../protocol/generated/delete-acls-response.js';
import { ErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export const deleteAclsHandler = defineHandler({
  request: DeleteAclsRequest,
  response: DeleteAclsResponse,
  minVersion: 0,
  maxVersion: 3,
  handle(req) {
    return {
      throttleTimeMs: 0,
      filterResults: req.filters.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.', matchingAcls: [] })),
    };
  },
  errorResponse(req, errorCode) {
    return { filterResults: req.filters.map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })) };
  },
});
