// SyncGroup (key 14), v0-5, classic groups (src/coordinator/classic/sync.ts). Followers' responses wait
// for the leader's assignment; the leader's waits until the assignment is durable. v3+ carries
// group.instance.id; v5 carries the protocol type and name both ways (checked against the group's).
import { SyncGroupRequest } from '../protocol/generated/sync-group-request.js';
import { SyncGroupResponse } from '../protocol/generated/sync-group-response.js';
import type { Input } from '../protocol/primitives/index.js';
import type { SyncResult } from '../coordinator/coordinator.js';
import { defineHandler } from './types.js';

function toResponse(r: SyncResult, v: number): Input<SyncGroupResponse> {
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    protocolType: v >= 5 ? r.protocolType : null,
    protocolName: v >= 5 ? r.protocolName : null,
    assignment: r.assignment,
  };
}

export const syncGroupHandler = defineHandler({
  request: SyncGroupRequest,
  response: SyncGroupResponse,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    const result = await ctx.broker.coordinator.sync({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: v >= 3 ? req.groupInstanceId : null,
      protocolType: v >= 5 ? req.protocolType : null,
      protocolName: v >= 5 ? req.protocolName : null,
      // Copies: the assignments outlive the request frame.
      assignments: req.assignments.map((a) => ({ memberId: a.memberId, assignment: Buffer.from(a.assignment) })),
    });
    return toResponse(result, v);
  },
  errorResponse(_req, errorCode, ctx) {
    return toResponse({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) }, ctx.apiVersion);
  },
});
