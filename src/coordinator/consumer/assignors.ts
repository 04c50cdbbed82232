// Server-side assignors of the KIP-848 consumer protocol (group.consumer.assignors): `uniform`
// (Kafka's UniformAssignor: balanced and sticky, for homogeneous and heterogeneous subscriptions)
// and `range` (Kafka's RangeAssignor: per topic, contiguous ranges over the members subscribed to
// it, sorted by member id). Both are pure functions from the group's members, their
// subscriptions and the previous target assignment to the next target assignment.

/** topic id -> partitions. */
export type Assignment = Map<string, Set<number>>;

export interface AssignorMember {
  memberId: string;
  /** Ids of the topics the member is subscribed to (existing topics only). */
  topics: ReadonlySet<string>;
  /** The member's previous target assignment. */
  previous: Assignment;
}

export interface AssignorTopic {
  id: string;
  numPartitions: number;
}

export type Assignor = (members: readonly AssignorMember[], topics: ReadonlyMap<string, AssignorTopic>) => Map<string, Assignment>;

function add(a: Assignment, topicId: string, partition: number): void {
  let s = a.get(topicId);
  if (!s) a.set(topicId, (s = new Set()));
  s.add(partition);
}

function count(a: Assignment): number {
  let n = 0;
  for (const s of a.values()) n += s.size;
  return n;
}

/**
 * Uniform: every member keeps the partitions of its previous target that it is still subscribed
 * to (up to a fair share), free partitions go to the least loaded eligible member, then partitions
 * move from the most to the least loaded eligible member until no move narrows the spread.
 */
export const uniformAssignor: Assignor = (members, topics) => {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const out = new Map<string, Assignment>(sorted.map((m) => [m.memberId, new Map()]));
  const load = new Map<string, number>(sorted.map((m) => [m.memberId, 0]));
  const owner = new Map<string, string>(); // "topicId:partition" -> member
  const key = (t: string, p: number) => `${t}:${p}`;
  // Fair share of a member: the partitions of its topics over the members sharing them (an upper
  // bound used only to cap stickiness).
  const share = (m: AssignorMember): number => {
    let total = 0;
    for (const t of m.topics) total += topics.get(t)?.numPartitions ?? 0;
    const peers = sorted.filter((o) => [...o.topics].some((t) => m.topics.has(t))).length;
    return Math.ceil(total / Math.max(1, peers));
  };
  for (const m of sorted) {
    const cap = share(m);
    for (const [t, ps] of m.previous) {
      const topic = topics.get(t);
      if (!topic || !m.topics.has(t)) continue;
      for (const p of [...ps].sort((a, b) => a - b)) {
        if (p >= topic.numPartitions || owner.has(key(t, p)) || load.get(m.memberId)! >= cap) continue;
        owner.set(key(t, p), m.memberId);
        add(out.get(m.memberId)!, t, p);
        load.set(m.memberId, load.get(m.memberId)! + 1);
      }
    }
  }
  const eligible = (t: string) => sorted.filter((m) => m.topics.has(t));
  const leastLoaded = (cands: AssignorMember[]) => cands.reduce((best, m) => (load.get(m.memberId)! < load.get(best.memberId)! ? m : best));
  const topicIds = [...topics.keys()].sort();
  for (const t of topicIds) {
    const cands = eligible(t);
    if (cands.length === 0) continue;
    for (let p = 0; p < topics.get(t)!.numPartitions; p++) {
      if (owner.has(key(t, p))) continue;
      const m = leastLoaded(cands);
      owner.set(key(t, p), m.memberId);
      add(out.get(m.memberId)!, t, p);
      load.set(m.memberId, load.get(m.memberId)! + 1);
    }
  }
  // Balance: move a partition to a less loaded eligible member while that narrows the spread.
  for (let moved = true, rounds = 0; moved && rounds < 10_000; rounds++) {
    moved = false;
    for (const [k, from] of owner) {
      const i = k.lastIndexOf(':');
      const t = k.slice(0, i);
      const p = Number(k.slice(i + 1));
      const to = leastLoaded(eligible(t));
      if (load.get(from)! - load.get(to.memberId)! > 1) {
        out.get(from)!.get(t)!.delete(p);
        add(out.get(to.memberId)!, t, p);
        owner.set(k, to.memberId);
        load.set(from, load.get(from)! - 1);
        load.set(to.memberId, load.get(to.memberId)! + 1);
        moved = true;
      }
    }
  }
  for (const a of out.values()) for (const [t, s] of a) if (s.size === 0) a.delete(t);
  return out;
};

/** Range: per topic, the subscribed members in member id order get contiguous ranges. */
export const rangeAssignor: Assignor = (members, topics) => {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const out = new Map<string, Assignment>(sorted.map((m) => [m.memberId, new Map()]));
  for (const t of [...topics.keys()].sort()) {
    const cands = sorted.filter((m) => m.topics.has(t));
    if (cands.length === 0) continue;
    const n = topics.get(t)!.numPartitions;
    const base = Math.floor(n / cands.length);
    const extra = n % cands.length;
    let next = 0;
    cands.forEach((m, i) => {
      const size = base + (i < extra ? 1 : 0);
      for (let k = 0; k < size; k++) add(out.get(m.memberId)!, t, next++);
    });
  }
  return out;
};

export const ASSIGNORS: ReadonlyMap<string, Assignor> = new Map([
  ['uniform', uniformAssignor],
  ['range', rangeAssignor],
]);

export { count as assignmentSize };
