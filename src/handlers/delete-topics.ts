// DeleteTopics (key 20): by name (every version) and, from v6, by topic id. Follows Kafka's
// KRaft controller (ControllerApis.deleteTopics): the whole request fails when
// delete.topic.enable=false (INVALID_REQUEST before v3, TOPIC_DELETION_DISABLED from v3);
// a name or id given twice is answered once with INVALID_REQUEST; an entry with both or neither
// of name and id is INVALID_REQUEST; unknown names get UNKNOWN_TOPIC_OR_PARTITION and unknown ids
// UNKNOWN_TOPIC_ID, with Kafka's default messages (v5+). v6 answers with both name and id.
// Unlike Kafka, which shuffles the results, samsa answers in request order. The committed offsets
// of deleted topics are tombstoned in every group before the answer (GroupCoordinator.onPartitionsDeleted).
import { DeleteTopicsRequest } from '../protocol/generated/delete-topics-request.js';
import { DeleteTopicsResponse, type DeletableTopicResult } from '../protocol/generated/delete-topics-response.js';
import { ZERO_UUID, type Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError, errorInfo } from '../errors.js';
import type { TopicState } from '../cluster/topic.js';
import { defineHandler } from './types.js';

interface Entry {
  name: string | null;
  topicId: string;
}

function entries(req: DeleteTopicsRequest, version: number): Entry[] {
  return version >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
}

const result = (name: string | null, topicId: string, errorCode: number, errorMessage: string | null): Input<DeletableTopicResult> => ({
  name,
  topicId,
  errorCode,
  errorMessage,
});

export const deleteTopicsHandler = defineHandler({
  request: DeleteTopicsRequest,
  response: DeleteTopicsResponse,
  minVersion: 0,
  maxVersion: 6,
  async handle(req, ctx) {
    const md = ctx.broker.metadata;
    const asked = entries(req, ctx.apiVersion);
    if (!ctx.broker.config.getBoolean('delete.topic.enable')) {
      // Kafka throws before looking at any topic; getErrorResponse carries no message.
      const code = ctx.apiVersion < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED;
      return { throttleTimeMs: 0, responses: asked.map((e) => result(e.name, e.topicId, code, null)) };
    }

    // How often each name and id is asked for (by-name and by-id entries counted apart).
    const nameCount = new Map<string, number>();
    const idCount = new Map<string, number>();
    for (const e of asked) {
      if (e.name !== null && e.topicId === ZERO_UUID) nameCount.set(e.name, (nameCount.get(e.name) ?? 0) + 1);
      else if (e.name === null && e.topicId !== ZERO_UUID) idCount.set(e.topicId, (idCount.get(e.topicId) ?? 0) + 1);
    }
    // A topic asked for by name whose id is also in the request: the name's entry fails. If the
    // id was given once, Kafka also drops the id's entry from the response; samsa answers it with
    // the same error instead.
    const idsAlsoNamed = new Set<string>();
    for (const [name, n] of nameCount) {
      const t = md.topic(name);
      if (n === 1 && t && idCount.has(t.id)) idsAlsoNamed.add(t.id);
    }

    const responses: Input<DeletableTopicResult>[] = [];
    const answeredNames = new Set<string>();
    const answeredIds = new Set<string>();
    const toDelete: Array<{ topic: TopicState; res: Input<DeletableTopicResult> }> = [];
    for (const e of asked) {
      if (e.name === null && e.topicId === ZERO_UUID) {
        responses.push(result(null, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'));
        continue;
      }
      if (e.name !== null && e.topicId !== ZERO_UUID) {
        responses.push(result(e.name, e.topicId, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'));
        continue;
      }
      if (e.name !== null) {
        if (answeredNames.has(e.name)) continue;
        answeredNames.add(e.name);
        if (nameCount.get(e.name)! > 1) {
          responses.push(result(e.name, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'));
          continue;
        }
        const t = md.topic(e.name);
        if (!t) {
          responses.push(result(e.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).message));
        } else if (idsAlsoNamed.has(t.id)) {
          responses.push(result(e.name, t.id, ErrorCode.INVALID_REQUEST, 'The provided topic name maps to an ID that was already supplied.'));
        } else {
          const res = result(t.name, t.id, ErrorCode.NONE, null);
          toDelete.push({ topic: t, res });
          responses.push(res);
        }
        continue;
      }
      if (answeredIds.has(e.topicId)) continue;
      answeredIds.add(e.topicId);
      if (idCount.get(e.topicId)! > 1) {
        responses.push(result(null, e.topicId, ErrorCode.INVALID_REQUEST, 'Duplicate topic id.'));
        continue;
      }
      const t = md.topicById(e.topicId);
      if (!t) {
        responses.push(result(null, e.topicId, ErrorCode.UNKNOWN_TOPIC_ID, errorInfo(ErrorCode.UNKNOWN_TOPIC_ID).message));
      } else if (idsAlsoNamed.has(t.id)) {
        responses.push(result(t.name, t.id, ErrorCode.INVALID_REQUEST, 'The provided topic name maps to an ID that was already supplied.'));
      } else {
        const res = result(t.name, t.id, ErrorCode.NONE, null);
        toDelete.push({ topic: t, res });
        responses.push(res);
      }
    }

    // Delete last, so that a name and an id naming one topic are judged before either goes.
    const deleted: string[] = [];
    for (const { topic: t, res } of toDelete) {
      try {
        await md.deleteTopic(t);
        deleted.push(t.name);
        ctx.log.info({ topic: t.name, topicId: t.id, partitions: t.partitions.length, clientId: ctx.clientId }, 'deleted topic');
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err;
        res.errorCode = err.code;
        res.errorMessage = err.message;
      }
    }
    if (deleted.length > 0) await ctx.broker.coordinator.onTopicsDeleted(deleted);
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(req, errorCode, ctx) {
    return { responses: entries(req, ctx.apiVersion).map((e) => result(e.name, e.topicId, errorCode, null)) };
  },
});
