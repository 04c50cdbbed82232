// Metadata (key 3): brokers, cluster id, controller, and topics with their partitions and leaders.
// Topics asked for by name are auto-created when both the request (v4+) and
// auto.create.topics.enable allow it; unlike Kafka, such a topic is answered ready at once, so
// clients need no LEADER_NOT_AVAILABLE retry.
import { MetadataRequest } from '../protocol/generated/metadata-request.js';
import { MetadataResponse, type MetadataResponseTopic } from '../protocol/generated/metadata-response.js';
import { ZERO_UUID, type Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS, TOPIC_OPERATIONS } from '../cluster/authorized-operations.js';
import { INTERNAL_TOPICS, topicNameProblem, type TopicState } from '../cluster/topic.js';
import type { RequestContext } from './types.js';
import { defineHandler } from './types.js';

// This broker alone (as reached by this client), or every live broker of the cluster.
function liveBrokers(ctx: RequestContext): Array<{ nodeId: number; host: string; port: number; rack: string | null }> {
  if (ctx.broker.metadata.quorum) return ctx.broker.metadata.brokers();
  const self = ctx.broker.selfEndpoint(ctx.listener.name, ctx.client.localAddress);
  return [{ nodeId: self.nodeId, host: self.host, port: self.port, rack: self.rack }];
}

export function topicMetadata(t: TopicState, includeOps: boolean, live?: ReadonlySet<number>): Input<MetadataResponseTopic> {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.id,
    isInternal: t.internal,
    partitions: t.partitions.map((p) => ({
      // LEADER_NOT_AVAILABLE while no replica can lead (Kafka: the partition is offline).
      errorCode: p.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: live ? p.replicas.filter((r) => !live.has(r)) : [],
    })),
    topicAuthorizedOperations: includeOps ? TOPIC_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
  };
}

// A topic that does not exist, auto-creation off: an illegal name ("", "..", too long, a bad
// character) is INVALID_TOPIC_EXCEPTION, any other UNKNOWN_TOPIC_OR_PARTITION (KafkaApis.getTopicMetadata).
function missing(name: string): Input<MetadataResponseTopic> {
  const errorCode = topicNameProblem(name) === null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION;
  return { errorCode, name, topicId: ZERO_UUID, isInternal: INTERNAL_TOPICS.has(name), partitions: [] };
}

function autoCreate(name: string, ctx: RequestContext): Input<MetadataResponseTopic> {
  try {
    const t = ctx.broker.metadata.createTopic({ name, numPartitions: -1, replicationFactor: -1 });
    ctx.log.info({ topic: name, partitions: t.partitions.length, clientId: ctx.clientId }, 'auto-created topic');
    return topicMetadata(t, false);
  } catch (err) {
    if (!(err instanceof KafkaError)) throw err;
    // e.g. INVALID_TOPIC_EXCEPTION for a bad name, INVALID_REPLICATION_FACTOR for a bad default.
    return { errorCode: err.code, name, topicId: ZERO_UUID, partitions: [] };
  }
}

export const metadataHandler = defineHandler({
  request: MetadataRequest,
  response: MetadataResponse,
  minVersion: 0,
  maxVersion: 13,
  handle(req, ctx) {
    const md = ctx.broker.metadata;
    const includeTopicOps = req.includeTopicAuthorizedOperations;
    // v0: an empty list means all topics; v1+: null means all, empty means none.
    const all = req.topics === null || (ctx.apiVersion === 0 && req.topics.length === 0);
    const allowCreate = (ctx.apiVersion < 4 || req.allowAutoTopicCreation) && ctx.broker.config.getBoolean('auto.create.topics.enable');
    const topics: Input<MetadataResponseTopic>[] = [];
    const live = ctx.broker.metadata.quorum ? new Set(md.brokers().map((b) => b.nodeId)) : undefined;
    if (all) {
      for (const t of md.topics()) topics.push(topicMetadata(t, includeTopicOps, live));
    } else {
      for (const rt of req.topics!) {
        if (rt.name === null) {
          // v12+: by topic id. ("" is a topic name, an invalid one: answered below as Kafka does.)
          if (ctx.apiVersion < 12) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Topic name can not be null for version ${ctx.apiVersion}`);
          const t = md.topicById(rt.topicId);
          if (t) topics.push(topicMetadata(t, includeTopicOps, live));
          else topics.push({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: rt.topicId, partitions: [] });
          continue;
        }
        const t = md.topic(rt.name);
        if (t) topics.push(topicMetadata(t, includeTopicOps, live));
        else if (allowCreate) topics.push(autoCreate(rt.name, ctx));
        else topics.push(missing(rt.name));
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: liveBrokers(ctx),
      clusterId: md.clusterId,
      controllerId: md.controllerId,
      topics,
      clusterAuthorizedOperations:
        ctx.apiVersion >= 8 && ctx.apiVersion <= 10 && req.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
      errorCode: ErrorCode.NONE,
    };
  },
  errorResponse(req, errorCode, ctx) {
    // Kafka answers every requested topic with the error (v13 also at the top level).
    return {
      errorCode: ctx.apiVersion >= 13 ? errorCode : 0,
      topics: (req.topics ?? []).map((t) => ({ errorCode, name: t.name, topicId: t.topicId, partitions: [] })),
    };
  },
});
