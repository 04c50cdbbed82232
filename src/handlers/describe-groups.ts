// DescribeGroups (key 15), v0-6 (src/coordinator/group-admin.ts): state, protocol and members of
// each group; member metadata and the protocol name only while the group is Stable, as Kafka
// does. An unknown group is "Dead" with no error before v6, GROUP_ID_NOT_FOUND from v6 (KIP-1043).
import { DescribeGroupsRequest } from '../protocol/generated/describe-groups-request.js';
import { DescribeGroupsResponse, type DescribedGroup } from '../protocol/generated/describe-groups-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode } from '../errors.js';
import { AUTHORIZED_OPERATIONS_OMITTED, GROUP_OPERATIONS } from '../cluster/authorized-operations.js';
import { defineHandler } from './types.js';

export const describeGroupsHandler = defineHandler({
  request: DescribeGroupsRequest,
  response: DescribeGroupsResponse,
  minVersion: 0,
  maxVersion: 6,
  handle(req, ctx) {
    const v = ctx.apiVersion;
    const coordinator = ctx.broker.coordinator;
    const ops = v >= 3 && req.includeAuthorizedOperations ? GROUP_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED;
    const groups = req.groups.map((groupId): Input<DescribedGroup> => {
      // In a cluster: NOT_COORDINATOR for a group another broker coordinates.
      const unavailable = coordinator.availability(groupId);
      if (unavailable)
        return {
          groupId,
          errorCode: unavailable,
          errorMessage: null,
          groupState: '',
          protocolType: '',
          protocolData: '',
          members: [],
          authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
        };
      const d = coordinator.describeGroup(groupId);
      if (!d.found && v >= 6) {
        return {
          groupId,
          errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
          errorMessage: `Group ${groupId} not found.`,
          groupState: d.state,
          protocolType: '',
          protocolData: '',
          members: [],
          authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
        };
      }
      return {
        groupId,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        groupState: d.state,
        protocolType: d.protocolType,
        protocolData: d.protocolName,
        members: d.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: v >= 4 ? m.groupInstanceId : null,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
        authorizedOperations: d.found ? ops : AUTHORIZED_OPERATIONS_OMITTED,
      };
    });
    return { throttleTimeMs: 0, groups };
  },
  errorResponse(req, errorCode) {
    return { groups: req.groups.map((groupId) => ({ groupId, errorCode, groupState: '', protocolType: '', protocolData: '', members: [] })) };
  },
});
