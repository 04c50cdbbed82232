// JoinGroup (key 11), v0-9, classic groups (src/coordinator/classic/join.ts). The response is
// held until the group's join phase completes, which is why this handler may take a while; the
// connection's other requests wait behind it, as they do in Kafka. v0 has no rebalance timeout
// (the session timeout serves), v4+ asks new members to rejoin with an assigned id
// (MEMBER_ID_REQUIRED), v5+ carries group.instance.id, v7+ returns the protocol type, v9 may tell
// a rejoining static leader to skip the assignment.
import { JoinGroupRequest } from '../protocol/generated/join-group-request.js';
import { JoinGroupResponse } from '../protocol/generated/join-group-response.js';
import type { Input } from '../protocol/primitives/index.js';
import type { JoinResult } from '../coordinator/coordinator.js';
import { defineHandler } from './types.js';

function toResponse(r: JoinResult, v: number): Input<JoinGroupResponse> {
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: v >= 7 ? r.protocolType : null,
    // Before v7 the protocol name is not nullable: Kafka sends "".
    protocolName: v >= 7 ? r.protocolName : (r.protocolName ?? ''),
    leader: r.leader,
    skipAssignment: v >= 9 ? r.skipAssignment : false,
    memberId: r.memberId,
    members: r.members.map((m) => ({ memberId: m.memberId, groupInstanceId: v >= 5 ? m.groupInstanceId : null, metadata: m.metadata })),
  };
}

export const joinGroupHandler = defineHandler({
  request: JoinGroupRequest,
  response: JoinGroupResponse,
  minVersion: 0,
  maxVersion: 9,
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    const result = await ctx.broker.coordinator.join({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: v >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      reason: req.reason,
      clientId: ctx.clientId ?? '',
      // Kafka's InetAddress.toString(): "/127.0.0.1".
      clientHost: `/${ctx.client.remoteAddress.replace(/^::ffff:/, '')}`,
      apiVersion: v,
    });
    return toResponse(result, v);
  },
  errorResponse(req, errorCode, ctx) {
    return toResponse(
      { errorCode, memberId: req.memberId, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, members: [] },
      ctx.apiVersion,
    );
  },
});
