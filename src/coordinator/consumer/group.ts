// KIP-848 consumer groups, after Kafka's modern/consumer/ConsumerGroup, ConsumerGroupMember and
// CurrentAssignmentBuilder. The group has an epoch (bumped on membership, subscription and topic
// metadata changes), a target assignment computed by a server-side assignor at an assignment
// epoch, and members that each reconcile toward their target incrementally: partitions to revoke
// first (UNREVOKED_PARTITIONS, the member epoch stays), then partitions no other member still
// owns (UNRELEASED_PARTITIONS while some are still held), and the member epoch advances to the
// assignment epoch once nothing is left to revoke. Each owned partition remembers the epoch it was
// assigned at (KIP-1251), which lets a commit with a slightly older member epoch through.
import type { Assignment } from './assignors.js';

export const ConsumerGroupState = {
  Empty: 'Empty',
  Assigning: 'Assigning',
  Reconciling: 'Reconciling',
  Stable: 'Stable',
  Dead: 'Dead',
} as const;
export type ConsumerGroupState = (typeof ConsumerGroupState)[keyof typeof ConsumerGroupState];

export const MemberState = {
  Stable: 'STABLE',
  UnrevokedPartitions: 'UNREVOKED_PARTITIONS',
  UnreleasedPartitions: 'UNRELEASED_PARTITIONS',
} as const;
export type MemberState = (typeof MemberState)[keyof typeof MemberState];

/** A static member that left with epoch -2 and may come back with its instance id. */
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

export class ConsumerGroupMember {
  instanceId: string | null = null;
  rackId: string | null = null;
  rebalanceTimeoutMs = 300_000;
  subscribedTopicNames: string[] = [];
  subscribedTopicRegex: string | null = null;
  serverAssignor: string | null = null;
  memberEpoch = 0;
  previousMemberEpoch = -1;
  state: MemberState = MemberState.Stable;
  assigned: Assignment = new Map();
  pendingRevocation: Assignment = new Map();
  /** topic id -> partition -> the epoch it was assigned at, for assigned and pending partitions. */
  assignmentEpochs = new Map<string, Map<number, number>>();

  constructor(
    readonly memberId: string,
    public clientId: string,
    public clientHost: string,
  ) {}

  /** The epoch a partition it owns (assigned or pending revocation) was assigned at. */
  assignmentEpoch(topicId: string, partition: number): number | undefined {
    return this.assignmentEpochs.get(topicId)?.get(partition);
  }

  /** A member that (re)joins with epoch 0 owns nothing. */
  resetAssignment(): void {
    this.assigned = new Map();
    this.pendingRevocation = new Map();
    this.assignmentEpochs = new Map();
    this.state = MemberState.Stable;
  }

  /** Records `epoch` for owned partitions without one and forgets partitions no longer owned. */
  syncAssignmentEpochs(epoch: number): void {
    const next = new Map<string, Map<number, number>>();
    for (const a of [this.assigned, this.pendingRevocation]) {
      for (const [t, ps] of a) {
        if (ps.size === 0) continue;
        let m = next.get(t);
        if (!m) next.set(t, (m = new Map()));
        for (const p of ps) m.set(p, this.assignmentEpochs.get(t)?.get(p) ?? epoch);
      }
    }
    this.assignmentEpochs = next;
  }
}

export function cloneAssignment(a: Assignment): Assignment {
  return new Map([...a].map(([t, s]) => [t, new Set(s)]));
}

export function sameAssignment(a: Assignment, b: Assignment): boolean {
  const nonEmpty = (x: Assignment) => [...x].filter(([, s]) => s.size > 0);
  const ea = nonEmpty(a);
  if (ea.length !== nonEmpty(b).length) return false;
  for (const [t, s] of ea) {
    const o = b.get(t);
    if (!o || o.size !== s.size) return false;
    for (const p of s) if (!o.has(p)) return false;
  }
  return true;
}

export function isSubset(a: Assignment, of: Assignment): boolean {
  for (const [t, s] of a) for (const p of s) if (!of.get(t)?.has(p)) return false;
  return true;
}

/** What a group's records in __consumer_offsets hold, so only changes are written (persist.ts). */
export interface LogImage {
  values: Map<string, Buffer>; // image key -> the value in the log
  members: Set<string>; // member ids with records in the log
  rewriteAll: boolean;
}

export const emptyLogImage = (): LogImage => ({ values: new Map(), members: new Set(), rewriteAll: false });

export class ConsumerGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerGroupMember>();
  /** member id -> target partitions. */
  targetAssignment = new Map<string, Assignment>();
  /** The assignor of the last target assignment computation. */
  assignorName = 'uniform';
  /** Fingerprint of the subscribed topics' metadata at the last epoch bump. */
  metadataFingerprint = '';
  stateTimestamp = Date.now();
  logImage: LogImage = emptyLogImage();

  constructor(readonly groupId: string) {}

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  staticMember(instanceId: string): ConsumerGroupMember | undefined {
    for (const m of this.members.values()) if (m.instanceId === instanceId) return m;
    return undefined;
  }

  /** Kafka's ConsumerGroup.state: derived from the epochs and the members' reconciliation. */
  get state(): ConsumerGroupState {
    if (this.members.size === 0) return ConsumerGroupState.Empty;
    if (this.groupEpoch !== this.assignmentEpoch) return ConsumerGroupState.Assigning;
    for (const m of this.members.values()) {
      if (m.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) continue;
      if (m.memberEpoch !== this.assignmentEpoch || m.state !== MemberState.Stable) return ConsumerGroupState.Reconciling;
    }
    return ConsumerGroupState.Stable;
  }

  /** Whether some member other than `except` holds (assigned or pending revocation) the partition. */
  ownedByOther(except: string, topicId: string, partition: number): boolean {
    for (const m of this.members.values()) {
      if (m.memberId === except) continue;
      if (m.assigned.get(topicId)?.has(partition) || m.pendingRevocation.get(topicId)?.has(partition)) return true;
    }
    return false;
  }

  /**
   * CurrentAssignmentBuilder: moves `m` toward its target at the assignment epoch, given the
   * partitions it reports owning (null: not reported). Returns true if anything changed.
   */
  reconcile(m: ConsumerGroupMember, owned: Assignment | null): boolean {
    const before = { epoch: m.memberEpoch, state: m.state, assigned: cloneAssignment(m.assigned), pending: cloneAssignment(m.pendingRevocation) };
    switch (m.state) {
      case MemberState.Stable:
        if (m.memberEpoch !== this.assignmentEpoch) this.computeNext(m);
        break;
      case MemberState.UnrevokedPartitions: {
        // Still owns some partition it must give up: wait for the member to report it revoked.
        const stillOwns = owned === null || [...m.pendingRevocation].some(([t, s]) => [...s].some((p) => owned.get(t)?.has(p)));
        if (!stillOwns) {
          m.pendingRevocation = new Map();
          this.computeNext(m);
        }
        break;
      }
      case MemberState.UnreleasedPartitions:
        this.computeNext(m);
        break;
    }
    return (
      before.epoch !== m.memberEpoch ||
      before.state !== m.state ||
      !sameAssignment(before.assigned, m.assigned) ||
      !sameAssignment(before.pending, m.pendingRevocation)
    );
  }

  private computeNext(m: ConsumerGroupMember): void {
    const target = this.targetAssignment.get(m.memberId) ?? new Map<string, Set<number>>();
    const kept: Assignment = new Map();
    const revoke: Assignment = new Map();
    const add = (a: Assignment, t: string, p: number) => {
      let s = a.get(t);
      if (!s) a.set(t, (s = new Set()));
      s.add(p);
    };
    for (const [t, s] of m.assigned) for (const p of s) add(target.get(t)?.has(p) ? kept : revoke, t, p);
    if (revoke.size > 0) {
      // Revocation first; the epoch stays until the member has let them go.
      m.assigned = kept;
      m.pendingRevocation = revoke;
      m.state = MemberState.UnrevokedPartitions;
      m.syncAssignmentEpochs(m.memberEpoch);
      return;
    }
    let unreleased = false;
    const next = cloneAssignment(kept);
    for (const [t, s] of target) {
      for (const p of s) {
        if (next.get(t)?.has(p)) continue;
        if (this.ownedByOther(m.memberId, t, p)) unreleased = true;
        else add(next, t, p);
      }
    }
    m.assigned = next;
    m.pendingRevocation = new Map();
    if (m.memberEpoch !== this.assignmentEpoch) {
      m.previousMemberEpoch = m.memberEpoch;
      m.memberEpoch = this.assignmentEpoch;
    }
    m.state = unreleased ? MemberState.UnreleasedPartitions : MemberState.Stable;
    // Partitions new to the member are assigned at its new epoch; the others keep theirs.
    m.syncAssignmentEpochs(m.memberEpoch);
  }
}
