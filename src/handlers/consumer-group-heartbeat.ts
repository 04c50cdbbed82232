// ConsumerGroupHeartbeat (key 68), v0-1: the KIP-848 consumer group protocol
// (src/coordinator/consumer/heartbeat.ts). v0: the coordinator may name the member; v1 (KIP-1082):
// the client names it, and subscriptions may be a regular expression.
import { ConsumerGroupHeartbeatRequest } from '../protocol/generated/consumer-group-heartbeat-request.js';
import { ConsumerGroupHeartbeatResponse } from '../protocol/generated/consumer-group-heartbeat-response.js';
import { defineHandler } from './types.js';

export const consumerGroupHeartbeatHandler = defineHandler({
  request: ConsumerGroupHeartbeatRequest,
  response: ConsumerGroupHeartbeatResponse,
  minVersion: 0,
  maxVersion: 1,
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    const r = await ctx.broker.coordinator.consumerHeartbeat({
      groupId: req.groupId,
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      instanceId: req.instanceId,
      rackId: req.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      subscribedTopicNames: req.subscribedTopicNames,
      subscribedTopicRegex: v >= 1 ? req.subscribedTopicRegex : null,
      serverAssignor: req.serverAssignor,
      topicPartitions: req.topicPartitions,
      clientId: ctx.clientId ?? '',
      clientHost: `/${ctx.client.remoteAddress.replace(/^::ffff:/, '')}`,
      apiVersion: v,
    });
    return { throttleTimeMs: 0, ...r };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
  },
});
