// Fetch (key 1), v4-v18: whole stored batches from each partition's log, long polling completed
// by appends (max_wait_ms / min_bytes), Kafka's size rules (the first batch of the response is
// returned whole even above max_bytes / partition_max_bytes), incremental fetch sessions
// (KIP-227), topic ids (v13+), and isolation levels (read_committed reads to the last stable
// offset, the first offset of the earliest open transaction, and gets the aborted transactions
// that overlap the records returned).
// In a cluster (src/replication/): consumers are served by the leader only (no KIP-392 follower
// fetching); a fetch with a replica id is a follower's, served up to the leader's written log
// end, that moves the follower's position and with it the high watermark and the ISR; a replica
// id that is not a live broker holding a replica is refused. KIP-951: errors that mean the leader
// moved name the current leader (v12+) and its endpoint (v16+).
import { FetchRequest, type FetchPartition } from '../protocol/generated/fetch-request.js';
import { FetchResponse, type PartitionData, type FetchableTopicResponse } from '../protocol/generated/fetch-response.js';
import { EMPTY, RecordsChunks, ZERO_UUID, type Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { FINAL_EPOCH, INITIAL_EPOCH, type FetchSession, type SessionPartition } from '../fetch/session-cache.js';
import type { PartitionLog } from '../storage/partition-log.js';
import type { RequestContext } from './types.js';
import { defineHandler } from './types.js';
import { currentLeaderOf, LeaderEndpoints, movedLeader } from './leader-hint.js';

const READ_COMMITTED = 1;

interface Wanted extends SessionPartition {
  errorCode: number; // resolution error (unknown topic), checked before reading
}

interface PartitionOutcome {
  want: Wanted;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  records: Buffer[];
  bytes: number;
  divergingEpoch?: { epoch: number; endOffset: number };
  currentLeader?: { leaderId: number; leaderEpoch: number };
  abortedTransactions: Array<{ producerId: number; firstOffset: number }>;
}

function resolveRequested(p: FetchPartition, topic: string, topicId: string, ctx: RequestContext): Wanted {
  const md = ctx.broker.metadata;
  const useIds = ctx.apiVersion >= 13;
  const t = useIds ? md.topicById(topicId) : md.topic(topic);
  let errorCode: number = ErrorCode.NONE;
  if (!t) errorCode = useIds ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  else if (!t.partitions[p.partition]) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  return {
    topic: t?.name ?? topic,
    topicId: t?.id ?? topicId,
    partition: p.partition,
    fetchOffset: p.fetchOffset,
    partitionMaxBytes: p.partitionMaxBytes,
    currentLeaderEpoch: p.currentLeaderEpoch,
    lastFetchedEpoch: p.lastFetchedEpoch,
    lastHighWatermark: -1,
    lastStableOffset: -1,
    lastLogStartOffset: -1,
    errorCode,
  };
}

// -1 from a consumer; a follower's broker id (replicaId before v15, ReplicaState from v15).
function replicaIdOf(req: { replicaId: number; replicaState: { replicaId: number } }, v: number): number {
  return v <= 14 ? req.replicaId : req.replicaState.replicaId;
}

async function readPartition(
  w: Wanted,
  budget: number,
  minOneBatch: boolean,
  isolation: number,
  ctx: RequestContext,
  replicaId: number,
): Promise<PartitionOutcome> {
  const out: PartitionOutcome = {
    want: w,
    errorCode: w.errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    records: [],
    bytes: 0,
    abortedTransactions: [],
  };
  if (w.errorCode !== ErrorCode.NONE) return out;
  const log = ctx.broker.logManager.get(w.topic, w.partition);
  const state = ctx.broker.metadata.topic(w.topic)?.partitions[w.partition];
  if (!log || !state) {
    out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return out;
  }
  out.highWatermark = log.highWatermark;
  out.lastStableOffset = log.lastStableOffset;
  out.logStartOffset = log.logStartOffset;
  const replicas = ctx.broker.replicaManager;
  // A single broker (no ReplicaManager) serves every fetch as before: it leads everything.
  if (replicas && (replicaId >= 0 || state.leader !== ctx.broker.nodeId)) {
    const check = replicaId < 0 ? null : replicas.checkReplica(w.topic, w.partition, replicaId);
    if (check === null || !check.ok) {
      if (check)
        ctx.log[check.expected ? 'info' : 'warn'](
          { partition: `${w.topic}-${w.partition}`, replicaId, remote: ctx.client.remoteAddress, reason: check.reason },
          'replica fetch refused',
        );
      out.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
      out.currentLeader = currentLeaderOf(state);
      return out;
    }
  }
  // KIP-320: the client's view of the leader epoch must match ours.
  if (w.currentLeaderEpoch >= 0 && w.currentLeaderEpoch !== state.leaderEpoch) {
    out.errorCode = w.currentLeaderEpoch < state.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
    out.currentLeader = currentLeaderOf(state);
    return out;
  }
  // KIP-595/KIP-320 truncation detection: the epoch the client last fetched must end at or
  // after its fetch offset here, else tell it where that epoch ends. As Kafka's
  // Partition.readRecords: an epoch the log cannot place (newer than any it knows), or a fetch
  // offset below the log start, is OFFSET_OUT_OF_RANGE rather than a diverging epoch of -1.
  if (w.lastFetchedEpoch >= 0) {
    const end = log.endOffsetForEpoch(w.lastFetchedEpoch, state.leaderEpoch);
    if (end.leaderEpoch < 0 || end.endOffset < 0 || w.fetchOffset < log.logStartOffset) {
      out.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
      return out;
    }
    if (end.leaderEpoch !== w.lastFetchedEpoch || end.endOffset < w.fetchOffset) {
      out.divergingEpoch = { epoch: end.leaderEpoch, endOffset: end.endOffset };
      return out;
    }
  }
  // A follower's fetch offset is its log end offset (Kafka's updateFollowerFetchState), and it
  // reads what the leader has written, past the high watermark.
  const follower = replicaId >= 0 && replicas ? replicas.leaderPartition(w.topic, w.partition) : undefined;
  try {
    const limit = Math.min(budget, w.partitionMaxBytes);
    const end = follower ? log.writtenEndOffset : isolation === READ_COMMITTED ? log.lastStableOffset : log.highWatermark;
    const r = await log.read(w.fetchOffset, limit, minOneBatch, end);
    // Kafka's collectAbortedTxns: the aborted transactions overlapping the returned range.
    if (isolation === READ_COMMITTED && r.nextOffset > w.fetchOffset) out.abortedTransactions = log.abortedTxns.collect(w.fetchOffset, r.nextOffset);
    out.records = r.buffers;
    out.bytes = r.bytes;
    out.highWatermark = r.highWatermark;
    // Only a fetch offset inside the leader's log counts (the read checked it).
    if (follower) {
      replicas!.followerFetched(follower, replicaId, w.fetchOffset);
      out.highWatermark = log.highWatermark;
    }
    out.lastStableOffset = r.lastStableOffset;
    out.logStartOffset = r.logStartOffset;
  } catch (err) {
    if (!(err instanceof KafkaError)) throw err;
    out.errorCode = err.code;
  }
  return out;
}

// Reads every wanted partition in order within the response budget. Only the first partition
// that returns data may exceed the limits (Kafka's minOneMessage rule for fetch v3+).
async function readAll(
  wanted: Wanted[],
  maxBytes: number,
  isolation: number,
  ctx: RequestContext,
  replicaId: number,
): Promise<{ outcomes: PartitionOutcome[]; bytes: number; errors: boolean }> {
  const outcomes: PartitionOutcome[] = [];
  let bytes = 0;
  let errors = false;
  for (const w of wanted) {
    const budget = Math.max(0, maxBytes - bytes);
    const o =
      budget > 0 || bytes === 0
        ? await readPartition(w, budget, bytes === 0, isolation, ctx, replicaId)
        : await readPartition(w, 0, false, isolation, ctx, replicaId);
    bytes += o.bytes;
    if (o.errorCode !== ErrorCode.NONE || o.divergingEpoch) errors = true;
    outcomes.push(o);
  }
  return { outcomes, bytes, errors };
}

// readAll within what the broker-wide response budget (samsa.queued.max.response.bytes) has
// left, counting the bytes while they are read: responses that clients have not read leave less
// room, down to the first batch alone (minOneMessage), so every reader is still served while the
// data in flight and waiting stays bounded for all connections together.
async function readWithinBudget(wanted: Wanted[], maxBytes: number, isolation: number, ctx: RequestContext, replicaId: number): ReturnType<typeof readAll> {
  const budget = ctx.broker.networkUsage.responseBudget;
  if (budget.limit <= 0) return readAll(wanted, maxBytes, isolation, ctx, replicaId);
  // At least 1 byte: a read limited to 0 returns nothing, one of 1 returns the first batch.
  const reserved = Math.min(maxBytes, Math.max(1, budget.limit - budget.used));
  budget.add(reserved);
  try {
    return await readAll(wanted, reserved, isolation, ctx, replicaId);
  } finally {
    budget.remove(reserved);
  }
}

function sessionKey(p: { topic: string; topicId: string; partition: number }, useIds: boolean): string {
  return `${useIds ? p.topicId : p.topic}:${p.partition}`;
}

export const fetchHandler = defineHandler({
  request: FetchRequest,
  response: FetchResponse,
  minVersion: 4,
  maxVersion: 18,
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    const useIds = v >= 13;
    const broker = ctx.broker;
    const now = Date.now();
    const cache = broker.fetchSessions;
    let session: FetchSession | null = null;
    let incremental = false;
    if (v >= 7) {
      try {
        if (req.sessionId === 0) {
          if (req.sessionEpoch !== INITIAL_EPOCH && req.sessionEpoch !== FINAL_EPOCH) {
            throw new KafkaError(ErrorCode.INVALID_FETCH_SESSION_EPOCH, `epoch ${req.sessionEpoch} without a session`);
          }
        } else if (req.sessionEpoch === FINAL_EPOCH || req.sessionEpoch === INITIAL_EPOCH) {
          cache.remove(req.sessionId);
        } else {
          session = cache.get(req.sessionId, req.sessionEpoch, now);
          incremental = true;
        }
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err;
        return { throttleTimeMs: 0, errorCode: err.code, sessionId: 0, responses: [] };
      }
    }

    // The partitions this request reads, in order.
    let wanted: Wanted[] = [];
    for (const t of req.topics) for (const p of t.partitions) wanted.push(resolveRequested(p, t.topic, t.topicId, ctx));
    if (incremental) {
      const s = session!;
      for (const f of req.forgottenTopicsData) {
        for (const p of f.partitions) s.partitions.delete(sessionKey({ topic: f.topic, topicId: f.topicId, partition: p }, s.usesTopicIds));
      }
      for (const w of wanted) {
        const key = sessionKey(w, s.usesTopicIds);
        const prev = s.partitions.get(key);
        s.partitions.set(key, {
          ...w,
          lastHighWatermark: prev?.lastHighWatermark ?? -1,
          lastStableOffset: prev?.lastStableOffset ?? -1,
          lastLogStartOffset: prev?.lastLogStartOffset ?? -1,
        });
      }
      const errors = new Map(wanted.map((w) => [sessionKey(w, s.usesTopicIds), w.errorCode]));
      wanted = [...s.partitions.entries()].map(([k, p]) => ({
        ...p,
        errorCode: errors.get(k) ?? resolveRequested(p as unknown as FetchPartition, p.topic, p.topicId, ctx).errorCode,
      }));
    } else if (v >= 7 && req.sessionEpoch === INITIAL_EPOCH) {
      session = cache.create(wanted.length, useIds, now);
      if (session) for (const w of wanted) session.partitions.set(sessionKey(w, useIds), { ...w });
    }

    const maxBytes = Math.min(req.maxBytes, broker.config.getInt('fetch.max.bytes'));
    const isolation = req.isolationLevel;
    const replicaId = replicaIdOf(req, v);
    let result = await readWithinBudget(wanted, maxBytes, isolation, ctx, replicaId);
    // Long poll: wait for appends until min_bytes are there or max_wait_ms passes.
    const deadline = now + req.maxWaitMs;
    while (result.bytes < req.minBytes && !result.errors && Date.now() < deadline && !broker.closing && wanted.length > 0) {
      const logs = wanted.map((w) => broker.logManager.get(w.topic, w.partition)).filter((l): l is PartitionLog => l !== undefined);
      const woken = await broker.fetchWaiters.wait(logs, deadline - Date.now());
      if (!woken && Date.now() < deadline) continue;
      result = await readWithinBudget(wanted, maxBytes, isolation, ctx, replicaId);
      if (!woken) break;
    }

    // Group by topic in request order; incremental responses leave out partitions with no news.
    const topics: Input<FetchableTopicResponse>[] = [];
    const byTopic = new Map<string, Input<PartitionData>[]>();
    const leaders = new LeaderEndpoints();
    for (const o of result.outcomes) {
      const w = o.want;
      if (incremental || session) {
        const sp = session!.partitions.get(sessionKey(w, session!.usesTopicIds));
        const changed =
          o.bytes > 0 ||
          o.errorCode !== ErrorCode.NONE ||
          o.divergingEpoch !== undefined ||
          !sp ||
          sp.lastHighWatermark !== o.highWatermark ||
          sp.lastStableOffset !== o.lastStableOffset ||
          sp.lastLogStartOffset !== o.logStartOffset;
        if (sp) {
          sp.lastHighWatermark = o.highWatermark;
          sp.lastStableOffset = o.lastStableOffset;
          sp.lastLogStartOffset = o.logStartOffset;
        }
        if (incremental && !changed) continue;
      }
      const key = useIds ? w.topicId : w.topic;
      let parts = byTopic.get(key);
      if (!parts) {
        parts = [];
        byTopic.set(key, parts);
        topics.push({ topic: w.topic, topicId: useIds ? w.topicId : ZERO_UUID, partitions: parts });
      }
      parts.push({
        partitionIndex: w.partition,
        errorCode: o.errorCode,
        highWatermark: o.highWatermark,
        lastStableOffset: o.lastStableOffset,
        logStartOffset: o.logStartOffset,
        divergingEpoch: o.divergingEpoch,
        currentLeader: o.currentLeader && movedLeader(o.errorCode) && v >= 12 ? o.currentLeader : undefined,
        abortedTransactions: isolation === READ_COMMITTED ? o.abortedTransactions : null,
        preferredReadReplica: -1,
        // Kafka sends an empty record set, never null: librdkafka rejects a -1 size.
        records: o.records.length === 0 ? EMPTY : o.records.length === 1 ? o.records[0]! : new RecordsChunks(o.records),
      });
    }
    if (v >= 16) for (const o of result.outcomes) if (o.currentLeader && movedLeader(o.errorCode)) leaders.add(o.currentLeader.leaderId);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: session?.id ?? 0, responses: topics, nodeEndpoints: leaders.endpoints(ctx) };
  },
  errorResponse(req, errorCode) {
    return {
      errorCode,
      sessionId: 0,
      responses: req.topics.map((t) => ({
        topic: t.topic,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partition,
          errorCode,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          records: EMPTY,
        })),
      })),
    };
  },
});
