// DeleteGroups (key 42), v0-2 (src/coordinator/group-admin.ts): deletes empty groups and their
// committed offsets (tombstones in __consumer_offsets, durable before the answer). A group with
// members gets NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND.
import { DeleteGroupsRequest } from '../protocol/generated/delete-groups-request.js';
import { DeleteGroupsResponse } from '../protocol/generated/delete-groups-response.js';
import { defineHandler } from './types.js';

export const deleteGroupsHandler = defineHandler({
  request: DeleteGroupsRequest,
  response: DeleteGroupsResponse,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    // A group named twice is deleted (and answered) once.
    const results = await Promise.all(
      [...new Set(req.groupsNames)].map(async (groupId) => ({ groupId, errorCode: await ctx.broker.coordinator.deleteGroup(groupId) })),
    );
    return { throttleTimeMs: 0, results };
  },
  errorResponse(req, errorCode) {
    return { results: req.groupsNames.map((groupId) => ({ groupId, errorCode })) };
  },
});
