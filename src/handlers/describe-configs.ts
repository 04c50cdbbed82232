// DescribeConfigs (key 32): topic, broker and group configs with Kafka's names, values, sources,
// synonyms (v1+), types and documentation (v3+). v0 has isDefault instead of a source.
import { DescribeConfigsRequest } from '../protocol/generated/describe-configs-request.js';
import { DescribeConfigsResponse, type DescribeConfigsResult } from '../protocol/generated/describe-configs-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { describeResource } from '../cluster/config-resources.js';
import { defineHandler } from './types.js';

export const describeConfigsHandler = defineHandler({
  request: DescribeConfigsRequest,
  response: DescribeConfigsResponse,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const results: Input<DescribeConfigsResult>[] = req.resources.map((r) => {
      try {
        const entries = describeResource(
          ctx.broker,
          r.resourceType,
          r.resourceName,
          r.configurationKeys,
          ctx.apiVersion >= 1 && req.includeSynonyms,
          ctx.apiVersion >= 3 && req.includeDocumentation,
        );
        return {
          errorCode: ErrorCode.NONE,
          // Kafka sends an empty message, not null, on success.
          errorMessage: '',
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          configs: entries.map((e) => ({
            name: e.name,
            value: e.value,
            readOnly: e.readOnly,
            isDefault: ctx.apiVersion === 0 ? e.isDefault : false,
            configSource: ctx.apiVersion >= 1 ? e.source : -1,
            isSensitive: e.sensitive,
            synonyms: e.synonyms,
            configType: ctx.apiVersion >= 3 ? e.type : 0,
            documentation: e.documentation,
          })),
        };
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err;
        return { errorCode: err.code, errorMessage: err.message, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] };
      }
    });
    return { throttleTimeMs: 0, results };
  },
  errorResponse(req, errorCode) {
    return { results: req.resources.map((r) => ({ errorCode, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })) };
  },
});
