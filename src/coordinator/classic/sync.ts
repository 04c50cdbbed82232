// SyncGroup for classic groups, after Kafka's GroupMetadataManager.classicGroupSyncToClassicGroup:
// followers wait for the leader; the leader's assignments are written to __consumer_offsets
// (GroupMetadata record) and, once durable, handed to every member and the group is Stable. A
// member of an older generation gets ILLEGAL_GENERATION, a protocol type or name that differs
// from the group's INCONSISTENT_GROUP_PROTOCOL, and REBALANCE_IN_PROGRESS while members rejoin.
import { ErrorCode, KafkaError } from '../../errors.js';
import { GroupState, syncError, type ClassicGroup, type SyncResult } from './group.js';
import { maybePrepareRebalanceOrCompleteJoin, removePendingSyncMember, resetAndPropagateAssignmentWithError, setAndPropagateAssignment } from './rebalance.js';
import type { GroupRuntime } from '../runtime.js';

export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null; // v5+
  protocolName: string | null; // v5+
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

function inconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}

function validateSync(group: ClassicGroup, req: SyncRequest): number {
  if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  try {
    group.validateMember(req.memberId, req.groupInstanceId);
  } catch (err) {
    if (err instanceof KafkaError) return err.code;
    throw err;
  }
  if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  if (inconsistent(req.protocolType, group.protocolType) || inconsistent(req.protocolName, group.protocolName)) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
  return ErrorCode.NONE;
}

/** Handles one SyncGroup; `respond` is called exactly once (maybe later). */
export function classicGroupSync(rt: GroupRuntime, group: ClassicGroup | undefined, req: SyncRequest, respond: (r: SyncResult) => void): void {
  if (!group || group.isEmpty) return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
  const error = validateSync(group, req);
  if (error !== ErrorCode.NONE) return respond(syncError(error));
  switch (group.state) {
    case GroupState.PreparingRebalance:
      return respond(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    case GroupState.CompletingRebalance: {
      const member = group.member(req.memberId)!;
      if (member.awaitingSync) member.awaitingSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS)); // a second SyncGroup replaces the first
      member.awaitingSync = respond;
      removePendingSyncMember(rt, group, req.memberId);
      if (group.isLeader(req.memberId)) leaderSync(rt, group, req);
      return;
    }
    case GroupState.Stable: {
      removePendingSyncMember(rt, group, req.memberId);
      const member = group.member(req.memberId)!;
      return respond({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
    }
    default:
      return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
  }
}

function leaderSync(rt: GroupRuntime, group: ClassicGroup, req: SyncRequest): void {
  const assignment = new Map<string, Buffer>();
  for (const a of req.assignments) assignment.set(a.memberId, a.assignment);
  const missing: string[] = [];
  for (const id of group.members.keys()) {
    if (!assignment.has(id)) {
      assignment.set(id, Buffer.alloc(0));
      missing.push(id);
    }
  }
  if (missing.length > 0)
    rt.log.warn(
      { groupId: group.groupId, generationId: group.generationId, members: missing },
      'the leader sent no assignment for some members; they get an empty one',
    );
  rt.log.info(
    { groupId: group.groupId, generationId: group.generationId, leader: req.memberId, members: group.members.size },
    'assignment received from the group leader',
  );
  const generation = req.generationId;
  rt.persistGroup(group, assignment).then(
    () => {
      // Someone may have joined meanwhile: only the same generation, still waiting, completes.
      if (!group.is(GroupState.CompletingRebalance) || group.generationId !== generation) return;
      setAndPropagateAssignment(rt, group, assignment);
      group.transitionTo(GroupState.Stable);
      rt.log.info({ groupId: group.groupId, generationId: generation }, 'group is stable');
    },
    (err: unknown) => {
      if (!group.is(GroupState.CompletingRebalance) || group.generationId !== generation) return;
      const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
      rt.log.warn({ groupId: group.groupId, err: (err as Error).message }, 'could not store the group assignment');
      resetAndPropagateAssignmentWithError(rt, group, code);
      maybePrepareRebalanceOrCompleteJoin(rt, group, `error ${code} when storing the group assignment during SyncGroup (member: ${req.memberId})`);
    },
  );
}
