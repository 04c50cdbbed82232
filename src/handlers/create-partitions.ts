// CreatePartitions (key 37): grows topics, each on its own. Follows Kafka's KRaft controller
// (ControllerApis.createPartitions, ReplicationControlManager.createPartitions): a topic named
// twice is answered once, INVALID_REQUEST "Duplicate topic name."; an unknown topic gets
// UNKNOWN_TOPIC_OR_PARTITION with no message; the other checks (count, assignments) and their
// messages come from ClusterMetadata. As Kafka's ApiError.fromThrowable does, a message equal to
// the error's default message is sent as null. validateOnly changes nothing. A request whose
// valid topics would add more than 10,000 partitions is refused as a whole with
// POLICY_VIOLATION, as Kafka 4's controller does (see cluster/partition-limits.ts).
import { CreatePartitionsRequest } from '../protocol/generated/create-partitions-request.js';
import { CreatePartitionsResponse, type CreatePartitionsTopicResult } from '../protocol/generated/create-partitions-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError, errorInfo } from '../errors.js';
import { defineHandler } from './types.js';
import { MAX_RECORDS_PER_USER_OP, TOO_MANY_RECORDS } from '../cluster/partition-limits.js';

export const createPartitionsHandler = defineHandler({
  request: CreatePartitionsRequest,
  response: CreatePartitionsResponse,
  minVersion: 0,
  maxVersion: 3,
  async handle(req, ctx) {
    const md = ctx.broker.metadata;
    const count = new Map<string, number>();
    for (const t of req.topics) count.set(t.name, (count.get(t.name) ?? 0) + 1);
    let adding = 0;
    for (const t of req.topics) {
      const topic = count.get(t.name) === 1 ? md.topic(t.name) : undefined;
      if (topic) adding += md.partitionsToAdd(topic, t.count, t.assignments === null ? null : t.assignments.map((a) => a.brokerIds));
    }
    if (adding > MAX_RECORDS_PER_USER_OP) {
      return { throttleTimeMs: 0, results: req.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.POLICY_VIOLATION, errorMessage: TOO_MANY_RECORDS })) };
    }
    const answered = new Set<string>();
    const results: Input<CreatePartitionsTopicResult>[] = [];
    for (const t of req.topics) {
      if (answered.has(t.name)) continue;
      answered.add(t.name);
      if (count.get(t.name)! > 1) {
        results.push({ name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });
        continue;
      }
      const topic = md.topic(t.name);
      if (!topic) {
        results.push({ name: t.name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null });
        continue;
      }
      try {
        const before = topic.partitions.length;
        await md.createPartitions(topic, t.count, t.assignments === null ? null : t.assignments.map((a) => a.brokerIds), req.validateOnly);
        if (!req.validateOnly) {
          ctx.log.info({ topic: t.name, from: before, to: topic.partitions.length, clientId: ctx.clientId }, 'added partitions');
        }
        results.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err;
        const message = err.message === errorInfo(err.code).message ? null : err.message;
        results.push({ name: t.name, errorCode: err.code, errorMessage: message });
      }
    }
    return { throttleTimeMs: 0, results };
  },
  errorResponse(req, errorCode) {
    return { results: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })) };
  },
});
