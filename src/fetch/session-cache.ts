// Incremental fetch sessions (KIP-227). A consumer that fetches the same partitions over and over
// registers them once (full fetch with epoch 0); later requests (epoch 1, 2, ...) list only what
// changed, and responses carry only partitions with news. The cache is bounded
// (max.incremental.fetch.session.cache.slots); when full, a new session may evict one that has been
// idle longer than min.incremental.fetch.session.eviction.ms, or else one with fewer partitions
// (Kafka's FetchSessionCache rules: a bigger session is worth more).
import { ErrorCode, KafkaError } from '../errors.js';

export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;

export interface SessionPartition {
  topic: string;
  topicId: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  lastFetchedEpoch: number;
  // What the client last heard, to decide whether an incremental response must include it.
  lastHighWatermark: number;
  lastStableOffset: number;
  lastLogStartOffset: number;
}

export class FetchSession {
  epoch = 1; // the epoch the next incremental request must carry
  lastUsedMs: number;
  // key: `${topicId or topic}:${partition}` in request order (Map keeps insertion order)
  readonly partitions = new Map<string, SessionPartition>();

  constructor(
    readonly id: number,
    readonly usesTopicIds: boolean,
    now: number,
  ) {
    this.lastUsedMs = now;
  }
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  private nextId = 1 + Math.floor(Math.random() * 0x3fffffff);

  constructor(
    private readonly maxSessions: number,
    private readonly evictionMs: number,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  // Resolves an incremental request's session, checking the epoch; advances it.
  get(id: number, epoch: number, now: number): FetchSession {
    const s = this.sessions.get(id);
    if (!s) throw new KafkaError(ErrorCode.FETCH_SESSION_ID_NOT_FOUND, `Fetch session ${id} not found`);
    if (s.epoch !== epoch) {
      throw new KafkaError(ErrorCode.INVALID_FETCH_SESSION_EPOCH, `Fetch session ${id} expected epoch ${s.epoch}, but got ${epoch}`);
    }
    s.epoch = s.epoch === 0x7fffffff ? 1 : s.epoch + 1;
    s.lastUsedMs = now;
    return s;
  }

  remove(id: number): void {
    this.sessions.delete(id);
  }

  // Creates a session for a full fetch of `size` partitions, or returns null when the cache is
  // full of sessions worth more (the client then simply fetches without a session).
  create(size: number, usesTopicIds: boolean, now: number): FetchSession | null {
    if (this.maxSessions <= 0) return null;
    if (this.sessions.size >= this.maxSessions && !this.evictOne(size, now)) return null;
    let id = this.nextId;
    while (id === 0 || this.sessions.has(id)) id = (id % 0x7fffffff) + 1;
    this.nextId = (id % 0x7fffffff) + 1;
    const s = new FetchSession(id, usesTopicIds, now);
    this.sessions.set(id, s);
    return s;
  }

  private evictOne(newSize: number, now: number): boolean {
    let stale: FetchSession | null = null;
    let smallest: FetchSession | null = null;
    for (const s of this.sessions.values()) {
      if (now - s.lastUsedMs > this.evictionMs && (!stale || s.lastUsedMs < stale.lastUsedMs)) stale = s;
      if (!smallest || s.partitions.size < smallest.partitions.size || (s.partitions.size === smallest.partitions.size && s.lastUsedMs < smallest.lastUsedMs))
        smallest = s;
    }
    const victim = stale ?? (smallest && smallest.partitions.size < newSize ? smallest : null);
    if (!victim) return false;
    this.sessions.delete(victim.id);
    return true;
  }
}
