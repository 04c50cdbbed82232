// IncrementalAlterConfigs (key 44, KIP-339): SET, DELETE, APPEND and SUBTRACT (list configs only)
// on topic, broker and group configs; everything else a resource has stays as it is.
import { IncrementalAlterConfigsRequest } from '../protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../protocol/generated/incremental-alter-configs-response.js';
import { alterResource } from '../cluster/config-resources.js';
import { alterEachResource } from './alter-each-resource.js';
import { defineHandler } from './types.js';

export const incrementalAlterConfigsHandler = defineHandler({
  request: IncrementalAlterConfigsRequest,
  response: IncrementalAlterConfigsResponse,
  minVersion: 0,
  maxVersion: 1,
  async handle(req, ctx) {
    const responses = await alterEachResource(req.resources, async (r) => {
      const ops = r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value }));
      await alterResource(ctx.broker, r.resourceType, r.resourceName, { kind: 'incremental', ops }, req.validateOnly);
      if (!req.validateOnly)
        ctx.log.info({ resourceType: r.resourceType, resourceName: r.resourceName, ops: ops.map((o) => `${o.name}:${o.op}`) }, 'configs altered');
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(req, errorCode) {
    return { responses: req.resources.map((r) => ({ errorCode, resourceType: r.resourceType, resourceName: r.resourceName })) };
  },
});
