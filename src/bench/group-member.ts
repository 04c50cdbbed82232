// A classic-protocol consumer group member for `samsa bench consume --group` (Kafka's
// AbstractCoordinator / ConsumerCoordinator reduced to what a bench needs), on samsa's generated
// codecs: FindCoordinator, JoinGroup (protocol type "consumer", the "range" assignor, v4+
// MEMBER_ID_REQUIRED handshake of KIP-394), SyncGroup (the leader assigns every member from their
// subscriptions with Kafka's RangeAssignor), heartbeats every heartbeat interval in the
// background, OffsetFetch / OffsetCommit for the member's partitions, and LeaveGroup.
import { JoinGroupRequest } from '../protocol/generated/join-group-request.js';
import { JoinGroupResponse, type JoinGroupResponseMember } from '../protocol/generated/join-group-response.js';
import { SyncGroupRequest } from '../protocol/generated/sync-group-request.js';
import { SyncGroupResponse } from '../protocol/generated/sync-group-response.js';
import { HeartbeatRequest } from '../protocol/generated/heartbeat-request.js';
import { HeartbeatResponse } from '../protocol/generated/heartbeat-response.js';
import { LeaveGroupRequest } from '../protocol/generated/leave-group-request.js';
import { LeaveGroupResponse } from '../protocol/generated/leave-group-response.js';
import { OffsetCommitRequest } from '../protocol/generated/offset-commit-request.js';
import { OffsetCommitResponse } from '../protocol/generated/offset-commit-response.js';
import { OffsetFetchRequest } from '../protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../protocol/generated/offset-fetch-response.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  encodeAssignment,
  encodeSubscription,
  subscriptionTopics,
} from '../coordinator/classic/consumer-protocol.js';
import { rangeAssignor, type AssignorMember, type AssignorTopic } from '../coordinator/consumer/assignors.js';
import { ErrorCode, errorInfo } from '../errors.js';
import { Session, formatAddress, kafkaError } from './session.js';
import { BenchError } from './types.js';

export const RANGE_ASSIGNOR = 'range';
/** The consumer's max.poll.interval.ms plays this part in Kafka; a bench member rejoins within a heartbeat. */
const REBALANCE_TIMEOUT_MS = 60_000;
/** Kafka's JoinGroup request timeout: the rebalance timeout plus a lapse (AbstractCoordinator.JOIN_GROUP_TIMEOUT_LAPSE). */
const JOIN_GROUP_LAPSE_MS = 5_000;
const RETRY_BACKOFF_MS = 100;

const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);
/** Answers that mean "rejoin": the group rebalances, or this member's generation is gone. */
const REJOIN_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.FENCED_INSTANCE_ID,
]);

export interface Generation {
  generationId: number;
  leader: boolean;
  /** This member's partitions of the bench topic, ascending. */
  partitions: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class GroupMember {
  memberId = '';
  generationId = -1;
  /** A heartbeat or commit answer asked this member to rejoin (the fetchers stop, offsets are committed, join() again). */
  onRejoin: (reason: string) => void = () => {};
  /** A heartbeat failed for good. */
  onFatal: (err: Error) => void = () => {};
  readonly heartbeatIntervalMs: number;
  private coordinator: Session | null = null;
  private heartbeating = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bootstrap: Session,
    readonly groupId: string,
    readonly topic: string,
    private readonly timeoutMs: number,
    readonly sessionTimeoutMs = 45_000,
  ) {
    // heartbeat.interval.ms defaults to 3 s and must stay below a third of the session timeout.
    this.heartbeatIntervalMs = Math.max(1, Math.min(3000, Math.floor(sessionTimeoutMs / 3)));
  }

  /** Whether the member still holds a generation its commits are accepted under. */
  get inGeneration(): boolean {
    return this.memberId !== '' && this.generationId >= 0;
  }

  /** Joins (or rejoins) the group and returns this generation's assignment; heartbeats start. */
  async join(reason = 'samsa bench joins'): Promise<Generation> {
    this.stopHeartbeats();
    const deadline = Date.now() + REBALANCE_TIMEOUT_MS + this.timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      const c = await this.coordinatorSession();
      const join = await c.send(
        JoinGroupRequest,
        JoinGroupResponse,
        () => ({
          groupId: this.groupId,
          sessionTimeoutMs: this.sessionTimeoutMs,
          rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocols: [{ name: RANGE_ASSIGNOR, metadata: encodeSubscription([this.topic]) }],
          reason,
        }),
        undefined,
        REBALANCE_TIMEOUT_MS + JOIN_GROUP_LAPSE_MS,
      );
      last = `JoinGroup: ${kafkaError(join.errorCode)}`;
      if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = join.memberId; // KIP-394: join again with the id the coordinator handed out
        continue;
      }
      if (join.errorCode !== ErrorCode.NONE) {
        await this.retryOrThrow(join.errorCode, 'JoinGroup');
        continue;
      }
      this.memberId = join.memberId;
      this.generationId = join.generationId;
      const leader = join.leader === join.memberId;
      const protocolName = join.protocolName ?? RANGE_ASSIGNOR;
      const assignments = leader ? await this.assign(join.members, protocolName) : [];
      const sync = await c.send(SyncGroupRequest, SyncGroupResponse, () => ({
        groupId: this.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocolName,
        assignments,
      }));
      last = `SyncGroup: ${kafkaError(sync.errorCode)}`;
      if (sync.errorCode !== ErrorCode.NONE) {
        await this.retryOrThrow(sync.errorCode, 'SyncGroup');
        continue;
      }
      const decoded = decodeAssignment(sync.assignment);
      if (decoded === null) throw new BenchError(`group ${this.groupId}: SyncGroup handed out an assignment that is not in the consumer protocol format`);
      const partitions = decoded.filter((t) => t.topic === this.topic).flatMap((t) => t.partitions);
      partitions.sort((a, b) => a - b);
      this.startHeartbeats();
      return { generationId: this.generationId, leader, partitions };
    }
    throw new BenchError(`could not join group ${this.groupId} within ${REBALANCE_TIMEOUT_MS + this.timeoutMs} ms (last: ${last})`);
  }

  /** Committed offsets of `partitions` (OffsetFetch); partitions with none are absent. */
  async committed(partitions: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (partitions.length === 0) return out;
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const c = await this.coordinatorSession();
      const v = c.version(OffsetFetchRequest as never, 9); // v10 names topics by id
      const topics = [{ name: this.topic, partitionIndexes: partitions }];
      const res = await c.send(
        OffsetFetchRequest,
        OffsetFetchResponse,
        () =>
          v >= 8
            ? { groups: [{ groupId: this.groupId, memberId: null, memberEpoch: -1, topics }], requireStable: false }
            : { groupId: this.groupId, topics, requireStable: false },
        9,
      );
      const group = v >= 8 ? res.groups[0] : { errorCode: res.errorCode, topics: res.topics };
      if (!group) throw new BenchError(`OffsetFetch for group ${this.groupId} returned no group`);
      let code = group.errorCode;
      for (const t of group.topics) for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) code ||= p.errorCode;
      if (code === ErrorCode.NONE) {
        for (const t of group.topics)
          for (const p of t.partitions) if (t.name === this.topic && p.committedOffset >= 0) out.set(p.partitionIndex, p.committedOffset);
        return out;
      }
      if (!(COORDINATOR_ERRORS.has(code) || code === ErrorCode.UNSTABLE_OFFSET_COMMIT) || Date.now() > deadline)
        throw new BenchError(`OffsetFetch for group ${this.groupId}: ${kafkaError(code)}`);
      if (COORDINATOR_ERRORS.has(code)) this.dropCoordinator();
      await sleep(RETRY_BACKOFF_MS);
    }
  }

  /**
   * Commits `positions` (partition -> next offset to read) under the current generation. Returns
   * the error name when the coordinator refused them because the member must rejoin (then
   * onRejoin has been called), null when they are committed.
   */
  async commit(positions: ReadonlyMap<number, number>): Promise<string | null> {
    if (positions.size === 0) return null;
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const c = await this.coordinatorSession();
      const res = await c.send(
        OffsetCommitRequest,
        OffsetCommitResponse,
        () => ({
          groupId: this.groupId,
          generationIdOrMemberEpoch: this.generationId,
          memberId: this.memberId,
          groupInstanceId: null,
          retentionTimeMs: -1,
          topics: [
            {
              name: this.topic,
              partitions: [...positions].map(([partitionIndex, committedOffset]) => ({
                partitionIndex,
                committedOffset,
                committedLeaderEpoch: -1,
                commitTimestamp: -1,
                committedMetadata: '',
              })),
            },
          ],
        }),
        9, // v10 names topics by id
      );
      let code = 0;
      for (const t of res.topics) for (const p of t.partitions) code ||= p.errorCode;
      if (code === ErrorCode.NONE) return null;
      if (REJOIN_ERRORS.has(code)) {
        this.lose(code);
        this.onRejoin(`OffsetCommit: ${errorInfo(code).name}`);
        return errorInfo(code).name;
      }
      if (!COORDINATOR_ERRORS.has(code) || Date.now() > deadline) throw new BenchError(`OffsetCommit for group ${this.groupId}: ${kafkaError(code)}`);
      this.dropCoordinator();
      await sleep(RETRY_BACKOFF_MS);
    }
  }

  /** Stops heartbeating and leaves the group (LeaveGroup), so the others rebalance at once. */
  async leave(reason = 'samsa bench done'): Promise<void> {
    this.stopHeartbeats();
    if (this.memberId === '' || this.coordinator === null || this.coordinator.conn.closed) return;
    const memberId = this.memberId;
    await this.coordinator
      .send(LeaveGroupRequest, LeaveGroupResponse, (v) =>
        v >= 3 ? { groupId: this.groupId, members: [{ memberId, groupInstanceId: null, reason }] } : { groupId: this.groupId, memberId },
      )
      .catch(() => null); // leaving is best effort: the session timeout removes the member anyway
    this.generationId = -1;
  }

  close(): void {
    this.stopHeartbeats();
    this.dropCoordinator();
  }

  /** The leader's part: Kafka's RangeAssignor over every member's subscription. */
  private async assign(members: JoinGroupResponseMember[], protocolName: string): Promise<{ memberId: string; assignment: Buffer }[]> {
    if (protocolName !== RANGE_ASSIGNOR) throw new BenchError(`group ${this.groupId} chose assignor ${protocolName}; samsa bench only runs ${RANGE_ASSIGNOR}`);
    const subscribers: AssignorMember[] = members.map((m) => ({
      memberId: m.memberId,
      topics: new Set(subscriptionTopics(m.metadata) ?? []),
      previous: new Map(),
    }));
    const names = [...new Set(subscribers.flatMap((m) => [...m.topics]))];
    const topics = new Map<string, AssignorTopic>([...(await this.bootstrap.partitionCounts(names))].map(([id, numPartitions]) => [id, { id, numPartitions }]));
    const plan = rangeAssignor(subscribers, topics);
    return members.map((m) => ({
      memberId: m.memberId,
      assignment: encodeAssignment(
        [...(plan.get(m.memberId) ?? new Map<string, Set<number>>())].map(([topic, ps]) => ({ topic, partitions: [...ps].sort((a, b) => a - b) })),
      ),
    }));
  }

  /** After a JoinGroup / SyncGroup error: adjust and return to retry, or throw. */
  private async retryOrThrow(code: number, what: string): Promise<void> {
    if (COORDINATOR_ERRORS.has(code)) {
      this.dropCoordinator();
      await sleep(RETRY_BACKOFF_MS);
      return;
    }
    if (REJOIN_ERRORS.has(code)) {
      this.lose(code);
      await sleep(code === ErrorCode.REBALANCE_IN_PROGRESS ? 0 : RETRY_BACKOFF_MS);
      return;
    }
    throw new BenchError(`${what} for group ${this.groupId}: ${kafkaError(code)}`);
  }

  /** What a rejoin error takes away: the member id (unknown / fenced) or the generation (REBALANCE_IN_PROGRESS keeps both). */
  private lose(code: number): void {
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.FENCED_INSTANCE_ID) this.memberId = '';
    if (code !== ErrorCode.REBALANCE_IN_PROGRESS) this.generationId = -1;
  }

  private startHeartbeats(): void {
    this.heartbeating = true;
    const generation = this.generationId;
    const beat = async () => {
      this.heartbeatTimer = null;
      if (!this.heartbeating || generation !== this.generationId) return;
      let code: number;
      try {
        const c = await this.coordinatorSession();
        code = (
          await c.send(HeartbeatRequest, HeartbeatResponse, () => ({
            groupId: this.groupId,
            generationId: generation,
            memberId: this.memberId,
            groupInstanceId: null,
          }))
        ).errorCode;
      } catch (err) {
        if (this.heartbeating) this.onFatal(err as Error);
        return;
      }
      if (!this.heartbeating || generation !== this.generationId) return;
      if (code === ErrorCode.NONE || COORDINATOR_ERRORS.has(code)) {
        if (code !== ErrorCode.NONE) this.dropCoordinator(); // the next beat finds it again
        this.heartbeatTimer = setTimeout(() => void beat(), code === ErrorCode.NONE ? this.heartbeatIntervalMs : RETRY_BACKOFF_MS);
        return;
      }
      this.heartbeating = false;
      if (REJOIN_ERRORS.has(code)) {
        this.lose(code);
        this.onRejoin(`Heartbeat: ${errorInfo(code).name}`);
      } else this.onFatal(new BenchError(`Heartbeat for group ${this.groupId}: ${kafkaError(code)}`));
    };
    this.heartbeatTimer = setTimeout(() => void beat(), this.heartbeatIntervalMs);
  }

  private stopHeartbeats(): void {
    this.heartbeating = false;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async coordinatorSession(): Promise<Session> {
    if (this.coordinator && !this.coordinator.conn.closed) return this.coordinator;
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const found = await this.bootstrap.findCoordinator(this.groupId);
      if (found.errorCode === ErrorCode.NONE) {
        this.coordinator = await Session.open([found.address], this.timeoutMs).catch((err: Error) => {
          throw new BenchError(`group ${this.groupId}: coordinator ${formatAddress(found.address)}: ${err.message}`);
        });
        return this.coordinator;
      }
      if (!COORDINATOR_ERRORS.has(found.errorCode) || Date.now() > deadline)
        throw new BenchError(`cannot find the coordinator of group ${this.groupId}: ${kafkaError(found.errorCode, found.errorMessage)}`);
      await sleep(RETRY_BACKOFF_MS);
    }
  }

  private dropCoordinator(): void {
    this.coordinator?.close();
    this.coordinator = null;
  }
}
