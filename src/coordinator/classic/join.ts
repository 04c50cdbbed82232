// JoinGroup for classic groups, after Kafka's GroupMetadataManager.classicGroupJoinToClassicGroup:
// new dynamic members get a member id (MEMBER_ID_REQUIRED from JoinGroup v4, so that a member
// whose first answer is lost does not leave a ghost behind), new static members replace the
// member id of their group.instance.id (fencing the old one), known members rejoin, and
// group.max.size caps the group. The answer comes when the join phase completes (rebalance.ts),
// or at once for errors and for members that only need the current generation.
import { ErrorCode, KafkaError } from '../../errors.js';
import { ClassicGroup, GroupMember, GroupState, joinError, type JoinResult, type Protocol } from './group.js';
import {
  dropMember,
  maybeCompleteJoinPhase,
  maybePrepareRebalanceOrCompleteJoin,
  prepareRebalance,
  scheduleHeartbeat,
  schedulePendingMember,
} from './rebalance.js';
import { pendingKey, type GroupRuntime } from '../runtime.js';

export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  reason: string | null;
  clientId: string;
  clientHost: string;
  apiVersion: number;
}

type Respond = (r: JoinResult) => void;

/** Handles one JoinGroup for an existing or just created group; `respond` is called exactly once. */
export function classicGroupJoin(rt: GroupRuntime, group: ClassicGroup, req: JoinRequest, respond: Respond): void {
  const isUnknown = req.memberId === '';
  if (!acceptJoiningMember(rt, group, req.memberId)) {
    const m = group.member(req.memberId);
    if (m) dropMember(rt, group, m, ErrorCode.GROUP_MAX_SIZE_REACHED);
    else group.remove(req.memberId); // a pending member
    respond(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, ''));
    maybeCompleteJoinPhase(rt, group);
    return;
  }
  if (group.is(GroupState.Dead)) return respond(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId));
  const names = new Set(req.protocols.map((p) => p.name));
  if (!group.supportsProtocols(req.protocolType, names)) return respond(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
  if (isUnknown) joinNewMember(rt, group, req, respond);
  else joinExistingMember(rt, group, req, respond);
}

// Kafka's acceptJoiningMember.
function acceptJoiningMember(rt: GroupRuntime, group: ClassicGroup, memberId: string): boolean {
  const max = rt.config.maxGroupSize;
  switch (group.state) {
    case GroupState.Empty:
    case GroupState.Dead:
      return true;
    case GroupState.PreparingRebalance:
      // Counting the members already waiting lets the last ones to rejoin be turned away when the
      // group is over the limit.
      return (group.member(memberId)?.isAwaitingJoin ?? false) || group.numAwaitingJoinResponse < max;
    default:
      return group.hasMember(memberId) || group.members.size < max;
  }
}

function joinNewMember(rt: GroupRuntime, group: ClassicGroup, req: JoinRequest, respond: Respond): void {
  const newMemberId = group.generateMemberId(req.clientId, req.groupInstanceId);
  if (req.groupInstanceId !== null) {
    const existing = group.staticMemberId(req.groupInstanceId);
    if (existing !== undefined) {
      rt.log.info(
        { groupId: group.groupId, groupInstanceId: req.groupInstanceId, oldMemberId: existing, newMemberId },
        'static member rejoined with an unknown member id; replacing its member id',
      );
      return updateStaticMember(rt, group, req, existing, newMemberId, respond);
    }
    return addMemberThenRebalanceOrCompleteJoin(rt, group, req, newMemberId, respond);
  }
  if (req.apiVersion >= 4) {
    // The member must come back with this id; until then it counts as a pending member.
    group.addPendingMember(newMemberId);
    schedulePendingMember(rt, group, newMemberId, req.sessionTimeoutMs);
    return respond(joinError(ErrorCode.MEMBER_ID_REQUIRED, newMemberId));
  }
  addMemberThenRebalanceOrCompleteJoin(rt, group, req, newMemberId, respond);
}

function joinExistingMember(rt: GroupRuntime, group: ClassicGroup, req: JoinRequest, respond: Respond): void {
  const memberId = req.memberId;
  if (group.isPendingMember(memberId)) {
    if (req.groupInstanceId !== null) return respond(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId)); // pending members are dynamic
    return addMemberThenRebalanceOrCompleteJoin(rt, group, req, memberId, respond);
  }
  try {
    group.validateMember(memberId, req.groupInstanceId);
  } catch (err) {
    if (!(err instanceof KafkaError)) throw err;
    return respond(joinError(err.code, memberId));
  }
  const member = group.member(memberId)!;
  const reason = `member ${memberId} rejoins group in state ${group.state}; client reason: ${req.reason ?? 'not provided'}`;
  switch (group.state) {
    case GroupState.PreparingRebalance:
      return updateMemberThenRebalanceOrCompleteJoin(rt, group, member, req, reason, respond);
    case GroupState.CompletingRebalance:
      // Same metadata: it missed its JoinGroup answer; give it the current generation again.
      if (member.matches(req.protocols)) return respond(group.joinResult(member, group.isLeader(memberId)));
      return updateMemberThenRebalanceOrCompleteJoin(rt, group, member, req, reason, respond);
    case GroupState.Stable:
      // The leader rejoining forces a rebalance (its view of the topics may have changed); so
      // does a follower with new metadata. Other followers just get the current generation.
      if (group.isLeader(memberId) || !member.matches(req.protocols)) return updateMemberThenRebalanceOrCompleteJoin(rt, group, member, req, reason, respond);
      return respond(group.joinResult(member, false));
    default:
      return respond(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
  }
}

function updateMemberThenRebalanceOrCompleteJoin(
  rt: GroupRuntime,
  group: ClassicGroup,
  member: GroupMember,
  req: JoinRequest,
  reason: string,
  respond: Respond,
): void {
  group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond);
  maybePrepareRebalanceOrCompleteJoin(rt, group, reason);
}

function addMemberThenRebalanceOrCompleteJoin(rt: GroupRuntime, group: ClassicGroup, req: JoinRequest, memberId: string, respond: Respond): void {
  const member = new GroupMember(
    memberId,
    req.groupInstanceId,
    req.clientId,
    req.clientHost,
    req.rebalanceTimeoutMs,
    req.sessionTimeoutMs,
    req.protocolType,
    req.protocols,
  );
  member.isNew = true;
  if (group.is(GroupState.PreparingRebalance) && group.previousState === GroupState.Empty) group.newMemberAdded = true;
  rt.timers.cancel(pendingKey(group.groupId, memberId));
  group.add(member, respond);
  // A parked JoinGroup of a new member cannot heartbeat; if the member vanishes, drop it after
  // the new-member join timeout.
  scheduleHeartbeat(rt, group, member, rt.config.newMemberJoinTimeoutMs);
  maybePrepareRebalanceOrCompleteJoin(
    rt,
    group,
    `adding new member ${memberId} with group instance id ${req.groupInstanceId}; client reason: ${req.reason ?? 'not provided'}`,
  );
}

function updateStaticMember(rt: GroupRuntime, group: ClassicGroup, req: JoinRequest, oldMemberId: string, newMemberId: string, respond: Respond): void {
  const currentLeader = group.leaderId ?? '';
  const member = group.replaceStaticMember(req.groupInstanceId!, oldMemberId, newMemberId);
  scheduleHeartbeat(rt, group, member);
  const old = { protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs };
  group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond);
  const reason = `static member ${newMemberId} with instance id ${req.groupInstanceId} rejoined; client reason: ${req.reason ?? 'not provided'}`;
  switch (group.state) {
    case GroupState.Stable: {
      // Same protocol for the next generation: no rebalance, persist the new member id and give
      // the member the current generation (the leader, from JoinGroup v9, with skipAssignment).
      if ((group.protocolName ?? '') !== group.selectProtocol()) return maybePrepareRebalanceOrCompleteJoin(rt, group, reason);
      const generation = group.generationId;
      rt.persistGroup(group).then(
        () => {
          if (group.member(newMemberId) !== member) return;
          const isLeader = group.isLeader(newMemberId);
          if (req.apiVersion >= 9) group.completeJoin(member, group.joinResult(member, isLeader, isLeader));
          else group.completeJoin(member, { ...group.joinResult(member, false), leader: currentLeader });
        },
        (err: unknown) => {
          const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
          rt.log.warn({ groupId: group.groupId, err: (err as Error).message }, 'could not persist a static member replacement; reverting it');
          if (group.member(newMemberId) !== member || group.generationId !== generation) return void group.completeJoin(member, joinError(code, ''));
          const cb = member.awaitingJoin;
          group.updateMember(member, old.protocols, old.rebalanceTimeoutMs, old.sessionTimeoutMs, null);
          const restored = group.replaceStaticMember(req.groupInstanceId!, newMemberId, oldMemberId);
          scheduleHeartbeat(rt, group, restored);
          cb?.({
            ...joinError(code, ''),
            generationId: group.generationId,
            protocolType: group.protocolType,
            protocolName: group.protocolName,
            leader: currentLeader,
          });
        },
      );
      return;
    }
    case GroupState.CompletingRebalance:
      // The leader may already be assigning to the old member id: rebalance again.
      return prepareRebalance(rt, group, reason);
    default:
      return maybeCompleteJoinPhase(rt, group);
  }
}
