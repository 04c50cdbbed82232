// ListGroups (key 16), v0-5 (src/coordinator/group-admin.ts): every group this coordinator holds,
// with its protocol type; v4+ adds the state and a state filter (KIP-518), v5 the group type and
// a type filter (KIP-848). Filters are case-insensitive; empty filters match everything. All
// groups are classic until the KIP-848 consumer protocol arrives.
import { ListGroupsRequest } from '../protocol/generated/list-groups-request.js';
import { ListGroupsResponse } from '../protocol/generated/list-groups-response.js';
import { ErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export const listGroupsHandler = defineHandler({
  request: ListGroupsRequest,
  response: ListGroupsResponse,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const v = ctx.apiVersion;
    const coordinator = ctx.broker.coordinator;
    const unavailable = coordinator.availability();
    if (unavailable) return { throttleTimeMs: 0, errorCode: unavailable, groups: [] };
    const groups = coordinator.listGroups(v >= 4 ? req.statesFilter : [], v >= 5 ? req.typesFilter : []);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: g.type })),
    };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, groups: [] };
  },
});
