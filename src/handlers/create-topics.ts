// CreateTopics (key 19). Each topic succeeds or fails on its own; a created topic has its leader
// and partition logs in place before the response is sent, so it is writable at once.
// v5+ echoes the partition count, replication factor and the topic's full config.
import { CreateTopicsRequest } from '../protocol/generated/create-topics-request.js';
import { CreateTopicsResponse, type CreatableTopicResult } from '../protocol/generated/create-topics-response.js';
import { ZERO_UUID, type Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { resolveTopicConfig, configSourceCode } from '../broker/config/index.js';
import { defineHandler } from './types.js';

export const createTopicsHandler = defineHandler({
  request: CreateTopicsRequest,
  response: CreateTopicsResponse,
  minVersion: 0,
  maxVersion: 7,
  handle(req, ctx) {
    const seen = new Map<string, number>();
    for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
    const results: Input<CreatableTopicResult>[] = [];
    for (const t of req.topics) {
      if (seen.get(t.name)! > 1) {
        results.push({ name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });
        continue;
      }
      try {
        const configs: Record<string, string | null> = {};
        for (const c of t.configs) configs[c.name] = c.value;
        const created = ctx.broker.metadata.createTopic(
          {
            name: t.name,
            numPartitions: t.numPartitions,
            replicationFactor: t.replicationFactor,
            assignments: t.assignments.map((a) => ({ partition: a.partitionIndex, brokerIds: a.brokerIds })),
            configs,
          },
          req.validateOnly,
        );
        if (!req.validateOnly) ctx.log.info({ topic: t.name, partitions: created.partitions.length, clientId: ctx.clientId }, 'created topic');
        results.push({
          name: t.name,
          topicId: req.validateOnly ? ZERO_UUID : created.id,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          numPartitions: created.partitions.length,
          replicationFactor: created.partitions[0]?.replicas.length ?? -1,
          configs: resolveTopicConfig(ctx.broker.config, created.configs).map((c) => ({
            name: c.name,
            value: c.sensitive ? null : c.value,
            readOnly: c.readOnly,
            configSource: configSourceCode(c.source),
            isSensitive: c.sensitive,
          })),
        });
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err;
        results.push({ name: t.name, errorCode: err.code, errorMessage: err.message, configs: null });
      }
    }
    return { throttleTimeMs: 0, topics: results };
  },
  errorResponse(req, errorCode) {
    return { topics: req.topics.map((t) => ({ name: t.name, errorCode, configs: null })) };
  },
});
