// Heartbeat and LeaveGroup for classic groups, after Kafka's GroupMetadataManager
// classicGroupHeartbeatToClassicGroup and classicGroupLeaveToClassicGroup. A heartbeat keeps the
// member's session and tells it to rejoin (REBALANCE_IN_PROGRESS) while the group rebalances; a
// LeaveGroup removes members (batched from v3, static members by group.instance.id alone) and
// starts a rebalance for the others.
import { ErrorCode, KafkaError } from '../../errors.js';
import { GroupState, joinError, type ClassicGroup } from './group.js';
import { cancelHeartbeat, dropMember, maybeCompleteJoinPhase, maybePrepareRebalanceOrCompleteJoin, scheduleHeartbeat } from './rebalance.js';
import { pendingKey, type GroupRuntime } from '../runtime.js';

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/** The Heartbeat error code. */
export function classicGroupHeartbeat(rt: GroupRuntime, group: ClassicGroup | undefined, req: HeartbeatRequest): number {
  if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  try {
    group.validateMember(req.memberId, req.groupInstanceId);
  } catch (err) {
    if (err instanceof KafkaError) return err.code;
    throw err;
  }
  if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  const member = group.member(req.memberId)!;
  switch (group.state) {
    case GroupState.Empty:
      return ErrorCode.UNKNOWN_MEMBER_ID;
    case GroupState.PreparingRebalance:
      scheduleHeartbeat(rt, group, member);
      return ErrorCode.REBALANCE_IN_PROGRESS;
    default:
      // CompletingRebalance too: members may heartbeat between their JoinGroup and SyncGroup.
      scheduleHeartbeat(rt, group, member);
      return ErrorCode.NONE;
  }
}

export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
  reason: string | null;
}

export interface LeaveResult {
  errorCode: number; // group level
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

export function classicGroupLeave(rt: GroupRuntime, group: ClassicGroup | undefined, leaving: readonly LeavingMember[]): LeaveResult {
  if (!group) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] };
  if (group.is(GroupState.Dead)) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
  const results: LeaveResult['members'] = [];
  let removed = 0;
  for (const l of leaving) {
    const answer = (errorCode: number) => results.push({ memberId: l.memberId, groupInstanceId: l.groupInstanceId, errorCode });
    const why = l.reason ?? 'not provided';
    if (l.memberId === '') {
      // Administrative removal of a static member by its group.instance.id alone.
      const id = l.groupInstanceId !== null ? group.staticMemberId(l.groupInstanceId) : undefined;
      if (id === undefined) {
        answer(ErrorCode.UNKNOWN_MEMBER_ID);
        continue;
      }
      removeCurrentMember(rt, group, id, why);
      removed++;
      answer(ErrorCode.NONE);
    } else if (group.isPendingMember(l.memberId)) {
      group.remove(l.memberId);
      rt.timers.cancel(pendingKey(group.groupId, l.memberId));
      rt.log.info({ groupId: group.groupId, memberId: l.memberId, reason: why }, 'pending member left the group');
      removed++;
      answer(ErrorCode.NONE);
    } else {
      try {
        group.validateMember(l.memberId, l.groupInstanceId);
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err;
        answer(err.code);
        continue;
      }
      removeCurrentMember(rt, group, l.memberId, why);
      removed++;
      answer(ErrorCode.NONE);
    }
  }
  if (removed > 0) {
    const reason = `explicit LeaveGroup request for ${results
      .filter((r) => r.errorCode === ErrorCode.NONE)
      .map((r) => r.memberId)
      .join(', ')}`;
    if (group.is(GroupState.Stable) || group.is(GroupState.CompletingRebalance)) maybePrepareRebalanceOrCompleteJoin(rt, group, reason);
    else if (group.is(GroupState.PreparingRebalance)) maybeCompleteJoinPhase(rt, group);
  }
  return { errorCode: ErrorCode.NONE, members: results };
}

function removeCurrentMember(rt: GroupRuntime, group: ClassicGroup, memberId: string, reason: string): void {
  const member = group.member(memberId);
  if (!member) return;
  rt.log.info({ groupId: group.groupId, memberId, reason }, 'member left the group');
  cancelHeartbeat(member);
  // A parked JoinGroup of the leaving member is answered, so that a live consumer rejoins.
  group.completeJoin(member, joinError(ErrorCode.UNKNOWN_MEMBER_ID, ''));
  dropMember(rt, group, member);
}
