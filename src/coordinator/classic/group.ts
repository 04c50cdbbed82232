// A classic group's state: the state machine, members, static members, pending members and the
// protocol bookkeeping, after Kafka's group-coordinator classic/ClassicGroup.java,
// ClassicGroupMember.java and ClassicGroupState.java. Pure state, no timers and no I/O: the
// protocol flows (join.ts, sync.ts, membership.ts) drive it.
//
//   Empty ──join──► PreparingRebalance ──all joined──► CompletingRebalance ──leader sync──► Stable
//     ▲                 ▲    │ (nobody left)                 │                                │
//     └─────────────────┼────┘                               │                                │
//                       └────────── member joins, leaves, expires, metadata changes ◄─────────┘
//   Dead: the group was deleted (any state may go there).
import { randomUUID } from 'node:crypto';
import { EMPTY } from '../../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../../errors.js';
import { CONSUMER_PROTOCOL_TYPE, subscriptionTopics } from './consumer-protocol.js';

export enum GroupState {
  Empty = 'Empty',
  PreparingRebalance = 'PreparingRebalance',
  CompletingRebalance = 'CompletingRebalance',
  Stable = 'Stable',
  Dead = 'Dead',
}

// Kafka's ClassicGroupState.validPreviousStates.
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  [GroupState.Empty]: [GroupState.PreparingRebalance],
  [GroupState.PreparingRebalance]: [GroupState.Stable, GroupState.CompletingRebalance, GroupState.Empty],
  [GroupState.CompletingRebalance]: [GroupState.PreparingRebalance],
  [GroupState.Stable]: [GroupState.CompletingRebalance],
  [GroupState.Dead]: [GroupState.Stable, GroupState.PreparingRebalance, GroupState.CompletingRebalance, GroupState.Empty, GroupState.Dead],
};

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface JoinMemberInfo {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

/** What a JoinGroup answers, before the version-specific response shape. */
export interface JoinResult {
  errorCode: number;
  memberId: string;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  members: JoinMemberInfo[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export function joinError(errorCode: number, memberId: string): JoinResult {
  return { errorCode, memberId, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, members: [] };
}

export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export class GroupMember {
  assignment: Buffer = EMPTY;
  awaitingJoin: ((r: JoinResult) => void) | null = null;
  awaitingSync: ((r: SyncResult) => void) | null = null;
  // A member added in the current rebalance: its session may expire even while it waits to join.
  isNew = false;
  // Session expiry (membership.ts): the deadline and the time its timer fires.
  heartbeatDeadline = 0;
  heartbeatTimerAt = 0;
  heartbeatTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public protocols: Protocol[],
  ) {}

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }

  metadata(protocolName: string): Buffer {
    const p = this.protocols.find((x) => x.name === protocolName);
    if (!p) throw new Error(`member ${this.memberId} does not support protocol ${protocolName}`);
    return p.metadata;
  }

  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return false;
    // Members waiting in a rebalance satisfy the heartbeat expectation.
    return this.isAwaitingJoin || this.isAwaitingSync;
  }

  /** Same protocols, in the same order, with the same metadata. */
  matches(protocols: readonly Protocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata));
  }

  /** The member's most preferred protocol among the candidates. */
  vote(candidates: ReadonlySet<string>): string {
    const p = this.protocols.find((x) => candidates.has(x.name));
    if (!p) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return p.name;
  }
}

export class ClassicGroup {
  state = GroupState.Empty;
  previousState = GroupState.Dead;
  stateTimestamp: number;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  readonly members = new Map<string, GroupMember>();
  private readonly staticMembers = new Map<string, string>(); // group.instance.id -> member id
  readonly pendingJoinMembers = new Set<string>(); // told MEMBER_ID_REQUIRED, not yet rejoined
  readonly pendingSyncMembers = new Set<string>();
  private numAwaitingJoin = 0;
  private readonly supportedProtocols = new Map<string, number>();
  // Topics the members subscribe to (consumer protocol only), null when unknown.
  subscribedTopics: Set<string> | null = null;
  // Set when a member joins during the initial (delayed) rebalance.
  newMemberAdded = false;
  // Whether a GroupMetadata record of this group is in the log (a tombstone is due on delete).
  persisted = false;

  constructor(
    readonly groupId: string,
    now: number,
  ) {
    this.stateTimestamp = now;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  get isEmpty(): boolean {
    return this.state === GroupState.Empty;
  }

  /** A group that only stores offsets for standalone consumers. */
  get isSimple(): boolean {
    return this.protocolType === null && this.isEmpty && this.pendingJoinMembers.size === 0;
  }

  get numAwaitingJoinResponse(): number {
    return this.numAwaitingJoin;
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  member(memberId: string): GroupMember | undefined {
    return this.members.get(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  hasStaticMember(groupInstanceId: string): boolean {
    return this.staticMembers.has(groupInstanceId);
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingJoinMembers.has(memberId);
  }

  addPendingMember(memberId: string): void {
    if (this.members.has(memberId)) throw new Error(`pending member ${memberId} is already a member of group ${this.groupId}`);
    this.pendingJoinMembers.add(memberId);
  }

  /** Kafka's format: `<clientId or group.instance.id>-<uuid>`. */
  generateMemberId(clientId: string, groupInstanceId: string | null): string {
    return `${groupInstanceId ?? clientId}-${randomUUID()}`;
  }

  add(member: GroupMember, onJoin: ((r: JoinResult) => void) | null = null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) throw new Error(`static member ${member.groupInstanceId} is already in group ${this.groupId}`);
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.protocolType !== member.protocolType) throw new Error('the group and member protocol types differ');
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.countProtocols(member, 1);
    member.awaitingJoin = onJoin;
    if (onJoin) this.numAwaitingJoin++;
    this.pendingJoinMembers.delete(member.memberId);
  }

  remove(memberId: string): GroupMember | undefined {
    const m = this.members.get(memberId);
    if (m) {
      this.members.delete(memberId);
      this.countProtocols(m, -1);
      if (m.isAwaitingJoin) this.numAwaitingJoin--;
      if (m.groupInstanceId !== null) this.staticMembers.delete(m.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    this.pendingJoinMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
    return m;
  }

  /** Makes a joined member leader if the leader did not rejoin; false when nobody joined. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader?.isAwaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /**
   * A static member rejoined with an unknown member id: the old member id is fenced (its pending
   * join and sync get FENCED_INSTANCE_ID) and the member continues under the new id.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): GroupMember {
    const old = this.members.get(oldMemberId);
    if (!old) throw new Error(`cannot replace unknown member ${oldMemberId}`);
    this.members.delete(oldMemberId);
    if (old.awaitingJoin) {
      const cb = old.awaitingJoin;
      old.awaitingJoin = null;
      this.numAwaitingJoin--;
      cb(joinError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId));
    }
    if (old.awaitingSync) {
      const cb = old.awaitingSync;
      old.awaitingSync = null;
      cb(syncError(ErrorCode.FENCED_INSTANCE_ID));
    }
    const m = new GroupMember(
      newMemberId,
      old.groupInstanceId,
      old.clientId,
      old.clientHost,
      old.rebalanceTimeoutMs,
      old.sessionTimeoutMs,
      old.protocolType,
      old.protocols,
    );
    m.assignment = old.assignment;
    this.members.set(newMemberId, m);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    return m;
  }

  /** Kafka's ClassicGroup.validateMember: FENCED_INSTANCE_ID or UNKNOWN_MEMBER_ID, as a KafkaError. */
  validateMember(memberId: string, groupInstanceId: string | null): void {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId);
      if (existing === undefined)
        throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `no static member with group.instance.id ${groupInstanceId} in group ${this.groupId}`);
      if (existing !== memberId)
        throw new KafkaError(ErrorCode.FENCED_INSTANCE_ID, `member ${memberId} with group.instance.id ${groupInstanceId} is fenced by member ${existing}`);
    }
    if (!this.members.has(memberId)) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `member ${memberId} is not in group ${this.groupId}`);
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.numAwaitingJoin && this.pendingJoinMembers.size === 0;
  }

  notYetRejoinedMembers(): GroupMember[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin);
  }

  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  canRebalance(): boolean {
    return VALID_PREVIOUS[GroupState.PreparingRebalance].includes(this.state);
  }

  transitionTo(next: GroupState, now = Date.now()): void {
    if (!VALID_PREVIOUS[next].includes(this.state)) throw new Error(`group ${this.groupId}: invalid transition from ${this.state} to ${next}`);
    this.previousState = this.state;
    this.state = next;
    this.stateTimestamp = now;
  }

  /** Whether a joining member's protocols fit the group (Kafka's supportsProtocols). */
  supportsProtocols(protocolType: string, names: ReadonlySet<string>): boolean {
    if (this.isEmpty) return protocolType !== '' && names.size > 0;
    if (this.protocolType !== protocolType) return false;
    for (const n of names) if ((this.supportedProtocols.get(n) ?? 0) === this.members.size) return true;
    return false;
  }

  /** The protocol every member supports with the most votes (each member votes its favourite). */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    const candidates = new Set<string>();
    for (const [name, count] of this.supportedProtocols) if (count === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best;
  }

  updateMember(
    member: GroupMember,
    protocols: Protocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    onJoin: ((r: JoinResult) => void) | null,
  ): void {
    this.countProtocols(member, -1);
    member.protocols = protocols;
    this.countProtocols(member, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (onJoin && !member.isAwaitingJoin) this.numAwaitingJoin++;
    else if (!onJoin && member.isAwaitingJoin) this.numAwaitingJoin--;
    // A second JoinGroup while the first still waits: the first gets an answer too (samsa
    // answers every request; Kafka drops the older callback).
    const previous = member.awaitingJoin;
    member.awaitingJoin = onJoin;
    if (previous && onJoin) previous(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
  }

  completeJoin(member: GroupMember, result: JoinResult): boolean {
    const cb = member.awaitingJoin;
    if (!cb) return false;
    member.awaitingJoin = null;
    this.numAwaitingJoin--;
    cb(result);
    return true;
  }

  completeSync(member: GroupMember, result: SyncResult): boolean {
    const cb = member.awaitingSync;
    if (!cb) return false;
    member.awaitingSync = null;
    cb(result);
    return true;
  }

  initNextGeneration(now = Date.now()): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(GroupState.CompletingRebalance, now);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(GroupState.Empty, now);
    }
    this.pendingSyncMembers.clear();
  }

  /** The member list the leader receives in its JoinGroup response. */
  currentMembers(): JoinMemberInfo[] {
    const name = this.protocolName ?? '';
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(name) }));
  }

  joinResult(member: GroupMember, withMembers: boolean, skipAssignment = false): JoinResult {
    return {
      errorCode: ErrorCode.NONE,
      memberId: member.memberId,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? '',
      skipAssignment,
      members: withMembers ? this.currentMembers() : [],
    };
  }

  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const all = new Set<string>();
    for (const m of this.members.values()) {
      const topics = subscriptionTopics(m.metadata(this.protocolName));
      if (topics === null) return null;
      for (const t of topics) all.add(t);
    }
    return all;
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics !== null ? this.subscribedTopics.has(topic) : this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  private countProtocols(member: GroupMember, delta: number): void {
    for (const p of member.protocols) this.supportedProtocols.set(p.name, (this.supportedProtocols.get(p.name) ?? 0) + delta);
  }
}
