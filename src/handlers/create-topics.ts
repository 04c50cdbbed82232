// CreateTopics (key 19). Each topic succeeds or fails on its own; a created topic has its leader
// and partition logs in place before the response is sent, so it is writable at once.
// v5+ echoes the partition count, replication factor and the topic's full config.
// A request adding more than 10,000 partitions is refused as a whole with POLICY_VIOLATION, as
// Kafka 4 does (see cluster/partition-limits.ts): the topics are validated first, and created
// only when the request passes.
import { CreateTopicsRequest } from '../protocol/generated/create-topics-request.js';
import { CreateTopicsResponse, type CreatableTopicResult } from '../protocol/generated/create-topics-response.js';
import { ZERO_UUID, type Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { resolveTopicConfig, configSourceCode } from '../config/index.js';
import { defineHandler } from './types.js';
import { MAX_PARTITIONS_PER_BATCH, MAX_RECORDS_PER_USER_OP, TOO_MANY_PARTITIONS, TOO_MANY_RECORDS, requestedPartitions } from '../cluster/partition-limits.js';
import type { CreateTopicSpec } from '../cluster/cluster-metadata.js';

export const createTopicsHandler = defineHandler({
  request: CreateTopicsRequest,
  response: CreateTopicsResponse,
  minVersion: 0,
  maxVersion: 7,
  async handle(req, ctx) {
    const md = ctx.broker.metadata;
    const seen = new Map<string, number>();
    for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
    const refuse = (message: string) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.POLICY_VIOLATION, errorMessage: message, configs: null })),
    });
    // Kafka's broker drops topics named twice before the controller counts.
    const unique = req.topics.filter((t) => seen.get(t.name) === 1);
    if (requestedPartitions(unique, ctx.broker.config.getInt('num.partitions')) > MAX_PARTITIONS_PER_BATCH) return refuse(TOO_MANY_PARTITIONS);
    const specs = new Map<string, CreateTopicSpec>();
    let records = 0;
    for (const t of unique) {
      const configs: Record<string, string | null> = {};
      for (const c of t.configs) configs[c.name] = c.value;
      const spec: CreateTopicSpec = {
        name: t.name,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        assignments: t.assignments.map((a) => ({ partition: a.partitionIndex, brokerIds: a.brokerIds })),
        configs,
      };
      specs.set(t.name, spec);
      try {
        const topic = md.createTopic(spec, true);
        records += 1 + topic.partitions.length + Object.keys(topic.configs).length;
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err;
      }
    }
    if (records > MAX_RECORDS_PER_USER_OP) return refuse(TOO_MANY_RECORDS);

    const results: Input<CreatableTopicResult>[] = [];
    for (const t of req.topics) {
      if (seen.get(t.name)! > 1) {
        results.push({ name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });
        continue;
      }
      try {
        const created = await md.createTopicAsync(specs.get(t.name)!, req.validateOnly);
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
