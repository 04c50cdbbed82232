// LeaveGroup (key 13), v0-5, classic groups (src/coordinator/classic/membership.ts). v0-2 name one member
// and answer with one error code; v3+ name a batch of members (a static member may be named by
// its group.instance.id alone) and answer per member; v5 adds a reason.
import { LeaveGroupRequest } from '../protocol/generated/leave-group-request.js';
import { LeaveGroupResponse } from '../protocol/generated/leave-group-response.js';
import { ErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

export const leaveGroupHandler = defineHandler({
  request: LeaveGroupRequest,
  response: LeaveGroupResponse,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const v = ctx.apiVersion;
    const leaving =
      v >= 3
        ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: v >= 5 ? m.reason : null }))
        : [{ memberId: req.memberId, groupInstanceId: null, reason: null }];
    const result = ctx.broker.coordinator.leave(req.groupId, leaving);
    if (v >= 3) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
    // Kafka's LeaveGroupResponse for v0-2: the group error, else the member's.
    const memberError = result.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
    return { throttleTimeMs: 0, errorCode: result.errorCode !== ErrorCode.NONE ? result.errorCode : memberError };
  },
  errorResponse(req, errorCode, ctx) {
    if (ctx.apiVersion < 3) return { errorCode };
    return { errorCode, members: req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode })) };
  },
});
