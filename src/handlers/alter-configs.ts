// AlterConfigs (key 33): replaces all explicit settings of a resource (topic overrides, or this
// broker's / the cluster's dynamic configs) with the given set. Each resource stands alone.
import { AlterConfigsRequest } from '../protocol/generated/alter-configs-request.js';
import { AlterConfigsResponse } from '../protocol/generated/alter-configs-response.js';
import { alterResource } from '../cluster/config-resources.js';
import { alterEachResource } from './alter-each-resource.js';
import { defineHandler } from './types.js';

export const alterConfigsHandler = defineHandler({
  request: AlterConfigsRequest,
  response: AlterConfigsResponse,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const responses = await alterEachResource(req.resources, async (r) => {
      const entries: Record<string, string | null> = {};
      for (const c of r.configs) entries[c.name] = c.value;
      await alterResource(ctx.broker, r.resourceType, r.resourceName, { kind: 'replace', entries }, req.validateOnly);
      if (!req.validateOnly) ctx.log.info({ resourceType: r.resourceType, resourceName: r.resourceName, configs: Object.keys(entries) }, 'configs replaced');
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(req, errorCode) {
    return { responses: req.resources.map((r) => ({ errorCode, resourceType: r.resourceType, resourceName: r.resourceName })) };
  },
});
