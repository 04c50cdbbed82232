// ConsumerGroupDescribe (key 69), v0-1: state, epochs, assignor and members (with their current
// and target assignments) of KIP-848 consumer groups (src/coordinator/consumer/heartbeat.ts).
// A classic group by that id is GROUP_ID_NOT_FOUND ("not a consumer group"), as in Kafka.
import { ConsumerGroupDescribeRequest } from '../protocol/generated/consumer-group-describe-request.js';
import { ConsumerGroupDescribeResponse } from '../protocol/generated/consumer-group-describe-response.js';
import { ErrorCode } from '../errors.js';
import { GroupState } from '../coordinator/coordinator.js';
import { AUTHORIZED_OPERATIONS_OMITTED, GROUP_OPERATIONS } from '../cluster/authorized-operations.js';
import { defineHandler } from './types.js';

const none = (groupId: string, errorCode: number, errorMessage: string | null) => ({
  errorCode,
  errorMessage,
  groupId,
  groupState: '',
  groupEpoch: 0,
  assignmentEpoch: 0,
  assignorName: '',
  members: [],
  authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
});

export const consumerGroupDescribeHandler = defineHandler({
  request: ConsumerGroupDescribeRequest,
  response: ConsumerGroupDescribeResponse,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const coordinator = ctx.broker.coordinator;
    const groups = req.groupIds.map((groupId) => {
      // In a cluster: NOT_COORDINATOR for a group another broker coordinates.
      const unavailable = coordinator.availability(groupId);
      if (unavailable) return none(groupId, unavailable, null);
      const d = coordinator.describeConsumerGroup(groupId);
      if (!d.found) {
        const classic = coordinator.group(groupId);
        const msg = classic && !classic.is(GroupState.Dead) ? `Group ${groupId} is not a consumer group.` : `Group ${groupId} not found.`;
        return none(groupId, ErrorCode.GROUP_ID_NOT_FOUND, msg);
      }
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        groupId,
        groupState: d.state,
        groupEpoch: d.groupEpoch,
        assignmentEpoch: d.assignmentEpoch,
        assignorName: d.assignorName,
        members: d.members.map((m) => ({
          memberId: m.memberId,
          instanceId: m.instanceId,
          rackId: m.rackId,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: m.subscribedTopicNames,
          subscribedTopicRegex: m.subscribedTopicRegex,
          assignment: { topicPartitions: m.assignment },
          targetAssignment: { topicPartitions: m.targetAssignment },
          memberType: 1, // v1: 1 = consumer protocol member (0 classic, -1 unknown)
        })),
        authorizedOperations: req.includeAuthorizedOperations ? GROUP_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
      };
    });
    return { throttleTimeMs: 0, groups };
  },
  errorResponse(req, errorCode) {
    return { groups: req.groupIds.map((groupId) => none(groupId, errorCode, null)) };
  },
});
