// One replica fetcher per source broker (Kafka's ReplicaFetcherThread on AbstractFetcherThread):
// a loop that fetches every partition this broker follows on that leader in one Fetch request,
// as a replica (replica id / ReplicaState), with the leader epoch it believes current and the
// epoch of its last fetched batch, and appends the leader's batches unchanged.
// Divergence (KIP-320): a follower whose log ends in an epoch the leader's log does not end the
// same way gets a diverging epoch instead of records and truncates (truncation.ts), then fetches
// on. A log without any epoch truncates to its high watermark first (Kafka's
// truncateToHighWatermark for partitions without epochs). Offsets outside the leader's log are
// handled as Kafka's handleOutOfRangeError: start over at the leader's log start, or truncate.
import { ClientConnection } from '../client/connection.js';
import { FetchRequest, type FetchPartition, type FetchTopic } from '../protocol/generated/fetch-request.js';
import { FetchResponse, type PartitionData } from '../protocol/generated/fetch-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PartitionLog } from '../storage/partition-log.js';
import type { BrokerEndpoint } from '../cluster/topic.js';
import { offsetTruncationState } from './truncation.js';

export interface FetcherConfig {
  nodeId: number;
  maxWaitMs: number; // replica.fetch.wait.max.ms
  minBytes: number; // replica.fetch.min.bytes
  maxBytes: number; // replica.fetch.response.max.bytes
  partitionMaxBytes: number; // replica.fetch.max.bytes
  backoffMs: number; // replica.fetch.backoff.ms
  socketTimeoutMs: number; // replica.socket.timeout.ms
}

// Kafka's PartitionFetchState.
export interface PartitionFetchState {
  topic: string;
  topicId: string;
  partition: number;
  log: PartitionLog;
  fetchOffset: number;
  currentLeaderEpoch: number;
  // The epoch of the last batch in this log (-1: none, so truncate to the high watermark first).
  lastFetchedEpoch: number;
  // Not fetched before this time (an error's backoff).
  delayedUntil: number;
}

const FINAL_EPOCH = -1;

export class ReplicaFetcher {
  readonly partitions = new Map<string, PartitionFetchState>();
  private conn: ClientConnection | null = null;
  private stopped = false;
  private held = false;
  private wakeUp: (() => void) | null = null;
  private running: Promise<void> | null = null;
  // Resolved when the loop is between requests, held or without partitions (see hold).
  private idleWaiters: Array<() => void> = [];
  private busy = false;
  // The partitions the request in flight asks for, and whether it was cut short on purpose.
  private inFlight: ReadonlySet<string> | null = null;
  private cutShort = false;

  constructor(
    readonly sourceBroker: number,
    private readonly cfg: FetcherConfig,
    private readonly endpoint: (nodeId: number) => BrokerEndpoint | undefined,
    private readonly log: Logger,
  ) {}

  add(key: string, state: PartitionFetchState): void {
    this.partitions.set(key, state);
    this.running ??= this.run();
    // A long poll in flight does not ask for this partition, which would wait up to
    // replica.fetch.wait.max.ms (a moved leadership's acks=all writes with it): cut the poll short
    // by dropping its connection; nothing of it was applied, so the next request asks again.
    if (this.inFlight && !this.inFlight.has(key) && this.conn) {
      this.cutShort = true;
      this.conn.close();
      this.conn = null;
    }
    this.wake();
  }

  remove(key: string): void {
    this.partitions.delete(key);
  }

  // Holds fetching (no requests) until released: see ReplicaManager.holdFetching. Resolves once
  // no request is in flight, so nothing fetched before the hold is appended after it.
  hold(held: boolean): Promise<void> {
    this.held = held;
    this.wake();
    if (!held || !this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.conn?.close();
    this.wake();
    await this.running;
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.held || this.partitions.size === 0) {
        this.busy = false;
        for (const w of this.idleWaiters.splice(0)) w();
        await this.sleep(this.cfg.backoffMs);
        continue;
      }
      this.busy = true;
      try {
        await this.truncateWithoutEpochs();
        const now = Date.now();
        const ready = [...this.partitions.entries()].filter(([, s]) => s.delayedUntil <= now);
        if (ready.length === 0) {
          await this.sleep(Math.max(1, Math.min(...[...this.partitions.values()].map((s) => s.delayedUntil)) - now));
          continue;
        }
        const conn = await this.connection();
        const version = conn.pick(FetchRequest);
        // By the names the response uses (topic ids from v13): what was asked, under which key.
        const byId = version >= 13;
        const sent = new Map(
          ready.map(([k, s]) => [`${byId ? s.topicId : s.topic}:${s.partition}`, { key: k, fetchOffset: s.fetchOffset, epoch: s.currentLeaderEpoch }]),
        );
        this.inFlight = new Set(ready.map(([k]) => k));
        const res = await this.withTimeout(
          conn.send(
            FetchRequest,
            FetchResponse,
            version,
            this.request(
              ready.map(([, s]) => s),
              version,
            ),
          ),
        );
        this.inFlight = null;
        this.cutShort = false;
        if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, `fetch from broker ${this.sourceBroker} failed`);
        for (const t of res.responses) {
          for (const pd of t.partitions) {
            const asked = sent.get(`${byId ? t.topicId : t.topic}:${pd.partitionIndex}`);
            const st = asked ? this.partitions.get(asked.key) : undefined;
            // Moved on while the request was out (a new leader epoch, a truncation): stale.
            if (!st || !asked || st.fetchOffset !== asked.fetchOffset || st.currentLeaderEpoch !== asked.epoch) continue;
            await this.processPartition(asked.key, st, pd);
          }
        }
      } catch (err) {
        this.inFlight = null;
        if (this.stopped) break;
        if (this.cutShort) {
          this.cutShort = false;
          continue;
        }
        this.log.warn({ leader: this.sourceBroker, err: (err as Error).message }, 'replica fetch failed; backing off');
        this.conn?.close();
        this.conn = null;
        await this.sleep(this.cfg.backoffMs);
      }
    }
    this.conn?.close();
    this.conn = null;
    this.busy = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async connection(): Promise<ClientConnection> {
    if (this.conn && !this.conn.closed) return this.conn;
    const ep = this.endpoint(this.sourceBroker);
    if (!ep) throw new Error(`broker ${this.sourceBroker} is not live`);
    const conn = await ClientConnection.connect(ep.host, ep.port, { clientId: `replica-fetcher-${this.cfg.nodeId}`, timeoutMs: this.cfg.socketTimeoutMs });
    try {
      await this.withTimeout(conn.negotiate());
    } catch (err) {
      conn.close();
      throw err;
    }
    this.conn = conn;
    return conn;
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    const ms = this.cfg.socketTimeoutMs + this.cfg.maxWaitMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from broker ${this.sourceBroker} within ${ms} ms`)), ms)),
    );
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  private request(states: PartitionFetchState[], version: number): Input<FetchRequest> {
    const byTopic = new Map<string, Input<FetchTopic> & { partitions: Input<FetchPartition>[] }>();
    for (const s of states) {
      let t = byTopic.get(s.topic);
      if (!t) byTopic.set(s.topic, (t = { topic: s.topic, topicId: s.topicId, partitions: [] }));
      t.partitions.push({
        partition: s.partition,
        currentLeaderEpoch: s.currentLeaderEpoch,
        fetchOffset: s.fetchOffset,
        lastFetchedEpoch: s.lastFetchedEpoch,
        logStartOffset: s.log.logStartOffset,
        partitionMaxBytes: this.cfg.partitionMaxBytes,
      });
    }
    const replica = version <= 14 ? { replicaId: this.cfg.nodeId } : { replicaState: { replicaId: this.cfg.nodeId, replicaEpoch: -1 } };
    return {
      ...replica,
      maxWaitMs: this.cfg.maxWaitMs,
      minBytes: this.cfg.minBytes,
      maxBytes: this.cfg.maxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: FINAL_EPOCH,
      topics: [...byTopic.values()],
      forgottenTopicsData: [],
      rackId: '',
    };
  }

  // Partitions whose log has no leader epoch cannot name a last fetched epoch: Kafka truncates
  // them to the high watermark and fetches from there.
  private async truncateWithoutEpochs(): Promise<void> {
    for (const [key, s] of this.partitions) {
      if (s.lastFetchedEpoch >= 0 || s.fetchOffset === s.log.highWatermark) continue;
      await s.log.truncateTo(s.log.highWatermark);
      if (this.partitions.get(key) !== s) continue;
      s.fetchOffset = s.log.logEndOffset;
    }
  }

  private async processPartition(key: string, st: PartitionFetchState, pd: PartitionData): Promise<void> {
    const log = st.log;
    try {
      switch (pd.errorCode) {
        case ErrorCode.NONE: {
          if (pd.divergingEpoch && pd.divergingEpoch.endOffset >= 0) return await this.truncateOnDivergence(key, st, pd.divergingEpoch);
          const records = pd.records as Buffer | null;
          if (records && records.length > 0) {
            // Synchronous from the check to the append: a partition taken away meanwhile (this
            // broker became its leader) is not appended to.
            if (this.partitions.get(key) !== st) return;
            const info = log.appendAsFollower(records);
            st.fetchOffset = info.lastOffset + 1;
            st.lastFetchedEpoch = log.latestEpoch;
          }
          log.updateFollowerHighWatermark(pd.highWatermark);
          // Kafka's maybeIncrementLogStartOffset: the leader's log start (retention, DeleteRecords).
          if (pd.logStartOffset > log.logStartOffset && pd.logStartOffset <= log.highWatermark) log.deleteRecordsBefore(pd.logStartOffset, Date.now());
          return;
        }
        case ErrorCode.OFFSET_OUT_OF_RANGE:
          return await this.handleOutOfRange(key, st, pd);
        default:
          // NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH, unknown topic: the metadata has
          // moved or is about to; wait for it (the ReplicaManager moves the partition).
          this.log.debug({ partition: log.name, leader: this.sourceBroker, errorCode: pd.errorCode }, 'replica fetch error for a partition; backing off');
          st.delayedUntil = Date.now() + this.cfg.backoffMs;
      }
    } catch (err) {
      this.log.warn(
        { partition: log.name, leader: this.sourceBroker, err: (err as Error).message },
        'replica fetch: could not apply the response; backing off',
      );
      st.fetchOffset = log.logEndOffset;
      st.lastFetchedEpoch = log.latestEpoch;
      st.delayedUntil = Date.now() + this.cfg.backoffMs;
    }
  }

  private async truncateOnDivergence(key: string, st: PartitionFetchState, diverging: { epoch: number; endOffset: number }): Promise<void> {
    const log = st.log;
    const leader = { leaderEpoch: diverging.epoch, endOffset: diverging.endOffset };
    const follower = diverging.epoch >= 0 ? log.endOffsetForEpoch(diverging.epoch) : { leaderEpoch: -1, endOffset: -1 };
    const t = offsetTruncationState(leader, follower, log.logEndOffset, log.highWatermark);
    await this.truncate(key, st, t.offset);
    this.log.info(
      { partition: log.name, leader: this.sourceBroker, offset: t.offset, divergingEpoch: diverging.epoch, completed: t.completed },
      "truncated to the leader's log (diverging epoch)",
    );
  }

  private async handleOutOfRange(key: string, st: PartitionFetchState, pd: PartitionData): Promise<void> {
    const log = st.log;
    if (pd.logStartOffset > log.logEndOffset) {
      // The leader deleted what this log would fetch next: start over at its log start.
      await log.truncateFullyAndStartAt(pd.logStartOffset);
      if (this.partitions.get(key) !== st) return;
      st.fetchOffset = log.logEndOffset;
      st.lastFetchedEpoch = log.latestEpoch;
      return;
    }
    // This log reaches past the leader's end (Kafka: only after an unclean election): the
    // leader's high watermark is committed there, so truncate to it and fetch on.
    if (pd.highWatermark >= 0 && pd.highWatermark < log.logEndOffset) {
      this.log.warn(
        { partition: log.name, leader: this.sourceBroker, offset: pd.highWatermark, logEndOffset: log.logEndOffset },
        "fetch offset beyond the leader's log: truncating to its high watermark",
      );
      await this.truncate(key, st, pd.highWatermark);
      return;
    }
    st.delayedUntil = Date.now() + this.cfg.backoffMs;
  }

  private async truncate(key: string, st: PartitionFetchState, offset: number): Promise<void> {
    const log = st.log;
    await log.drainWrites();
    if (this.partitions.get(key) !== st) return;
    if (offset < log.highWatermark) {
      // Only after an unclean leader election can the leader's log end below what this replica
      // knew committed; the leader's log wins (as in Kafka).
      this.log.warn(
        { partition: log.name, offset, highWatermark: log.highWatermark },
        'truncating below the high watermark: records the old ISR had are lost (unclean leader election)',
      );
      await log.truncateTo(offset, true);
    } else await log.truncateTo(offset);
    st.fetchOffset = log.logEndOffset;
    st.lastFetchedEpoch = log.latestEpoch;
  }
}
