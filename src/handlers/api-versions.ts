// ApiVersions (key 18): what samsa serves, derived from the handler registry. The KIP-511
// fallback for unknown versions lives in the request processor, which must answer before the
// request can even be parsed.
import { ApiVersionsRequest } from '../protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../protocol/generated/api-versions-response.js';
import { ErrorCode } from '../errors.js';
import { SUPPORTED_FEATURES, FINALIZED_FEATURES_EPOCH } from '../cluster/features.js';
import { defineHandler } from './types.js';

// KIP-511: client software name and version must match this pattern, else INVALID_REQUEST.
const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export const apiVersionsHandler = defineHandler({
  request: ApiVersionsRequest,
  response: ApiVersionsResponse,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const apiKeys = ctx.broker.registry.apiVersionsList();
    if (ctx.apiVersion >= 3) {
      if (!SOFTWARE_PATTERN.test(req.clientSoftwareName) || !SOFTWARE_PATTERN.test(req.clientSoftwareVersion)) {
        return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys };
      }
      ctx.client.clientSoftwareName = req.clientSoftwareName;
      ctx.client.clientSoftwareVersion = req.clientSoftwareVersion;
      ctx.log.debug({ conn: ctx.client.connectionId, software: `${req.clientSoftwareName}/${req.clientSoftwareVersion}` }, 'client software');
    }
    return {
      errorCode: ErrorCode.NONE,
      apiKeys,
      throttleTimeMs: 0,
      supportedFeatures: SUPPORTED_FEATURES.map((f) => ({ name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion })),
      finalizedFeaturesEpoch: FINALIZED_FEATURES_EPOCH,
      finalizedFeatures: [],
    };
  },
  errorResponse(_req, errorCode, ctx) {
    return { errorCode, apiKeys: ctx.broker.registry.apiVersionsList() };
  },
});
