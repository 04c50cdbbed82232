// The rebalance core of a classic group: preparing a rebalance, completing the join phase into a
// new generation, handing out assignments, and expiring members (session timeout), pending
// members and members that never sync (rebalance timeout). Follows Kafka's
// GroupMetadataManager (prepareRebalance, maybeCompleteJoinElseSchedule,
// tryCompleteInitialRebalanceElseSchedule, completeClassicGroupJoin, propagateAssignment,
// expireClassicGroupMemberHeartbeat, expirePendingSync).
//
// One samsa rule differs, on purpose: with group.initial.rebalance.delay.ms=0 (samsa's default)
// the first rebalance of an empty group completes as soon as every known member (joined or told
// MEMBER_ID_REQUIRED) has joined, instead of on the next timer tick, so members that start
// together land in one generation; a member that never comes back is waited for at most
// INITIAL_JOIN_GRACE_MS.
import { EMPTY } from '../../protocol/primitives/index.js';
import { ErrorCode } from '../../errors.js';
import { GroupState, joinError, syncError, type ClassicGroup, type GroupMember } from './group.js';
import { joinKey, pendingKey, syncKey, type GroupRuntime } from '../runtime.js';

export const INITIAL_JOIN_GRACE_MS = 1000;

// ---- session timeouts ----

/** Moves the member's session deadline to now + timeoutMs (Kafka's rescheduleClassicGroupMemberHeartbeat). */
export function scheduleHeartbeat(rt: GroupRuntime, group: ClassicGroup, member: GroupMember, timeoutMs = member.sessionTimeoutMs): void {
  const now = Date.now();
  member.heartbeatDeadline = now + timeoutMs;
  // One timer per member, re-armed lazily: a heartbeat only moves the deadline, unless the new
  // deadline is earlier than the armed timer.
  if (member.heartbeatTimer !== null && member.heartbeatTimerAt <= member.heartbeatDeadline) return;
  armHeartbeat(rt, group, member, timeoutMs);
}

function armHeartbeat(rt: GroupRuntime, group: ClassicGroup, member: GroupMember, ms: number): void {
  if (member.heartbeatTimer !== null) clearTimeout(member.heartbeatTimer);
  member.heartbeatTimerAt = Date.now() + ms;
  member.heartbeatTimer = setTimeout(
    () => {
      member.heartbeatTimer = null;
      try {
        if (group.member(member.memberId) !== member) return; // left, expired or replaced
        const left = member.heartbeatDeadline - Date.now();
        if (left > 0) return armHeartbeat(rt, group, member, left);
        expireMember(rt, group, member);
      } catch (err) {
        rt.log.error({ err, groupId: group.groupId, memberId: member.memberId }, 'member expiration failed');
      }
    },
    Math.max(0, ms),
  );
  member.heartbeatTimer.unref();
}

export function cancelHeartbeat(member: GroupMember): void {
  if (member.heartbeatTimer !== null) clearTimeout(member.heartbeatTimer);
  member.heartbeatTimer = null;
}

function expireMember(rt: GroupRuntime, group: ClassicGroup, member: GroupMember): void {
  if (group.is(GroupState.Dead) || member.hasSatisfiedHeartbeat()) return;
  rt.log.info({ groupId: group.groupId, memberId: member.memberId }, 'group member session expired; removing it');
  removeMemberAndUpdateGroup(rt, group, member, `removing member ${member.memberId} on heartbeat expiration`);
}

/** A pending member (told MEMBER_ID_REQUIRED) gets one session timeout to come back. */
export function schedulePendingMember(rt: GroupRuntime, group: ClassicGroup, memberId: string, sessionTimeoutMs: number): void {
  rt.timers.schedule(pendingKey(group.groupId, memberId), sessionTimeoutMs, () => {
    if (group.is(GroupState.Dead) || !group.isPendingMember(memberId)) return;
    rt.log.info({ groupId: group.groupId, memberId }, 'pending group member did not rejoin; removing it');
    group.remove(memberId);
    if (group.is(GroupState.PreparingRebalance) && group.hasAllMembersJoined()) completeJoin(rt, group);
  });
}

/** Removes a member, answering whatever it waits for, and cancels its timers. */
export function dropMember(rt: GroupRuntime, group: ClassicGroup, member: GroupMember, errorCode: number = ErrorCode.UNKNOWN_MEMBER_ID): void {
  group.completeJoin(member, joinError(errorCode, ''));
  group.completeSync(member, syncError(errorCode));
  cancelHeartbeat(member);
  group.remove(member.memberId);
  rt.timers.cancel(pendingKey(group.groupId, member.memberId));
}

export function removeMemberAndUpdateGroup(rt: GroupRuntime, group: ClassicGroup, member: GroupMember, reason: string): void {
  dropMember(rt, group, member);
  if (group.is(GroupState.Stable) || group.is(GroupState.CompletingRebalance)) maybePrepareRebalanceOrCompleteJoin(rt, group, reason);
  else if (group.is(GroupState.PreparingRebalance) && group.hasAllMembersJoined()) completeJoin(rt, group);
}

// ---- join phase ----

export function maybePrepareRebalanceOrCompleteJoin(rt: GroupRuntime, group: ClassicGroup, reason: string): void {
  if (group.canRebalance()) prepareRebalance(rt, group, reason);
  else maybeCompleteJoinPhase(rt, group);
}

export function prepareRebalance(rt: GroupRuntime, group: ClassicGroup, reason: string): void {
  // Members waiting for their assignment must rejoin instead.
  if (group.is(GroupState.CompletingRebalance)) resetAndPropagateAssignmentWithError(rt, group, ErrorCode.REBALANCE_IN_PROGRESS);
  removeSyncExpiration(rt, group);
  const initial = group.is(GroupState.Empty);
  group.transitionTo(GroupState.PreparingRebalance);
  rt.log.info({ groupId: group.groupId, generationId: group.generationId, reason }, 'preparing to rebalance group');
  if (!initial) return maybeCompleteJoinElseSchedule(rt, group);
  const delay = rt.config.initialRebalanceDelayMs;
  if (delay === 0) {
    if (group.hasAllMembersJoined()) return completeJoin(rt, group);
    rt.timers.schedule(joinKey(group.groupId), Math.min(INITIAL_JOIN_GRACE_MS, group.rebalanceTimeoutMs()), () => completeJoin(rt, group));
    return;
  }
  const remaining = Math.max(group.rebalanceTimeoutMs() - delay, 0);
  rt.timers.schedule(joinKey(group.groupId), delay, () => tryCompleteInitialRebalance(rt, group, delay, remaining));
}

function tryCompleteInitialRebalance(rt: GroupRuntime, group: ClassicGroup, delayMs: number, remainingMs: number): void {
  if (!group.is(GroupState.PreparingRebalance)) return;
  if (group.newMemberAdded && remainingMs !== 0) {
    // A member joined during the delay: wait once more, within the rebalance timeout.
    group.newMemberAdded = false;
    const nextDelay = Math.min(rt.config.initialRebalanceDelayMs, remainingMs);
    const nextRemaining = Math.max(remainingMs - delayMs, 0);
    rt.timers.schedule(joinKey(group.groupId), nextDelay, () => tryCompleteInitialRebalance(rt, group, nextDelay, nextRemaining));
    return;
  }
  completeJoin(rt, group);
}

function maybeCompleteJoinElseSchedule(rt: GroupRuntime, group: ClassicGroup): void {
  if (group.hasAllMembersJoined()) return completeJoin(rt, group);
  rt.timers.schedule(joinKey(group.groupId), group.rebalanceTimeoutMs(), () => completeJoin(rt, group));
}

/** Completes the join phase if every member has joined (not before the initial delay). */
export function maybeCompleteJoinPhase(rt: GroupRuntime, group: ClassicGroup): void {
  if (!group.is(GroupState.PreparingRebalance)) return;
  if (group.previousState === GroupState.Empty && rt.config.initialRebalanceDelayMs !== 0) return; // the delay timer completes it
  if (!group.hasAllMembersJoined()) return;
  completeJoin(rt, group);
}

/**
 * Ends the join phase: dynamic members that did not rejoin are removed, the generation moves on,
 * and every joined member gets its JoinGroup answer (the leader with the member list).
 */
export function completeJoin(rt: GroupRuntime, group: ClassicGroup): void {
  rt.timers.cancel(joinKey(group.groupId));
  if (!group.is(GroupState.PreparingRebalance)) return;
  const gone = group.notYetRejoinedMembers().filter((m) => !m.isStatic);
  for (const m of gone) dropMember(rt, group, m);
  if (gone.length > 0) rt.log.info({ groupId: group.groupId, members: gone.map((m) => m.memberId) }, 'removed dynamic members that did not rejoin');
  if (!group.maybeElectNewJoinedLeader() && group.members.size > 0) {
    // Nobody rejoined: wait another rebalance timeout for the sessions to expire.
    rt.timers.schedule(joinKey(group.groupId), group.rebalanceTimeoutMs(), () => completeJoin(rt, group));
    return;
  }
  group.initNextGeneration();
  if (group.isEmpty) {
    rt.log.info({ groupId: group.groupId, generationId: group.generationId }, 'group is now empty');
    rt.persistGroup(group).catch((err: Error) => rt.log.warn({ groupId: group.groupId, err: err.message }, 'could not write the metadata of the empty group'));
    return;
  }
  rt.log.info(
    { groupId: group.groupId, generationId: group.generationId, members: group.members.size, protocol: group.protocolName },
    'group completed its join phase',
  );
  for (const m of group.members.values()) {
    group.completeJoin(m, group.joinResult(m, group.isLeader(m.memberId)));
    scheduleHeartbeat(rt, group, m);
    m.isNew = false;
    group.pendingSyncMembers.add(m.memberId);
  }
  const generation = group.generationId;
  rt.timers.schedule(syncKey(group.groupId), group.rebalanceTimeoutMs(), () => expirePendingSync(rt, group, generation));
}

// ---- sync phase ----

function expirePendingSync(rt: GroupRuntime, group: ClassicGroup, generation: number): void {
  if (generation !== group.generationId) return;
  if (!group.is(GroupState.CompletingRebalance) && !group.is(GroupState.Stable)) return;
  if (group.pendingSyncMembers.size === 0) return;
  const ids = [...group.pendingSyncMembers];
  for (const id of ids) {
    const m = group.member(id);
    if (m) dropMember(rt, group, m);
  }
  rt.log.info({ groupId: group.groupId, members: ids }, 'removed members that did not sync within the rebalance timeout');
  prepareRebalance(rt, group, `removing ${ids.join(', ')} on pending sync request expiration`);
}

export function removeSyncExpiration(rt: GroupRuntime, group: ClassicGroup): void {
  group.pendingSyncMembers.clear();
  rt.timers.cancel(syncKey(group.groupId));
}

export function removePendingSyncMember(rt: GroupRuntime, group: ClassicGroup, memberId: string): void {
  group.pendingSyncMembers.delete(memberId);
  if (group.pendingSyncMembers.size === 0 || !(group.is(GroupState.CompletingRebalance) || group.is(GroupState.Stable))) {
    rt.timers.cancel(syncKey(group.groupId));
  }
}

export function propagateAssignment(rt: GroupRuntime, group: ClassicGroup, errorCode: number): void {
  const ok = errorCode === ErrorCode.NONE;
  for (const m of group.members.values()) {
    const done = group.completeSync(m, {
      errorCode,
      protocolType: ok ? group.protocolType : null,
      protocolName: ok ? group.protocolName : null,
      assignment: m.assignment,
    });
    // The session restarts once the member has its assignment.
    if (done) scheduleHeartbeat(rt, group, m);
  }
}

export function resetAndPropagateAssignmentWithError(rt: GroupRuntime, group: ClassicGroup, errorCode: number): void {
  for (const m of group.members.values()) m.assignment = EMPTY;
  propagateAssignment(rt, group, errorCode);
}

export function setAndPropagateAssignment(rt: GroupRuntime, group: ClassicGroup, assignment: ReadonlyMap<string, Buffer>): void {
  for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY;
  propagateAssignment(rt, group, ErrorCode.NONE);
}
