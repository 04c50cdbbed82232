// AlterConfigs (key 33): replaces all explicit settings of a resource (topic overrides, or this
// broker's / the cluster's dynamic configs) with the given set. Each resource stands alone.
import { AlterConfigsRequest } from '../protocol/generated/alter-configs-request.js';
import { AlterConfigsResponse } from '../protocol/generated/alter-configs-response.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { alterResource } from '../cluster/config-resources.js';
import { defineHandler } from './types.js';

export const alterConfigsHandler = defineHandler({
  request: AlterConfigsRequest,
  response: AlterConfigsResponse,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const dup = duplicates(req.resources.map((r) => `${r.resourceType}:${r.resourceName}`));
    const responses = req.resources.map((r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (dup.has(`${r.resourceType}:${r.resourceName}`)) {
        return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate resource in request.' };
      }
      try {
        const entries: Record<string, string | null> = {};
        for (const c of r.configs) entries[c.name] = c.value;
        alterResource(ctx.broker, r.resourceType, r.resourceName, { kind: 'replace', entries }, req.validateOnly);
        if (!req.validateOnly) ctx.log.info({ resourceType: r.resourceType, resourceName: r.resourceName, configs: Object.keys(entries) }, 'configs replaced');
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err;
        return { ...base, errorCode: err.code, errorMessage: err.message };
      }
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(req, errorCode) {
    return { responses: req.resources.map((r) => ({ errorCode, resourceType: r.resourceType, resourceName: r.resourceName })) };
  },
});

export function duplicates(keys: string[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const k of keys) (seen.has(k) ? dup : seen).add(k);
  return dup;
}
