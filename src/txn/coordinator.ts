// The transaction coordinator (KIP-98), after Kafka's TransactionCoordinator,
// TransactionMetadata and TransactionMarkerChannelManager. A single broker coordinates every
// transactional id and leads every partition; in a cluster this broker coordinates the ids whose
// __transaction_state partition it leads (onElection loads a partition, onResignation drops it,
// state-partitions.ts), and markers for partitions led elsewhere go out in WriteTxnMarkers
// (marker-channel.ts):
//   Empty/CompleteCommit/CompleteAbort --AddPartitions/AddOffsets--> Ongoing
//   Ongoing --EndTxn--> PrepareCommit | PrepareAbort --markers durable--> CompleteCommit | CompleteAbort
// Every state change is written to __transaction_state (txn-log.ts) and applied once durable. A
// transaction with a state change in flight answers CONCURRENT_TRANSACTIONS. Markers are written
// straight into the local partition logs (markers.ts) and EndTxn answers once they are durable
// (Kafka answers after PrepareX is written; waiting longer is allowed and makes the commit
// visible to read_committed consumers when the producer hears of it). Transactional ids idle for
// transactional.id.expiration.ms are removed (removeExpiredTransactionalIds).
import type { StateTopicServices } from '../coordinator/offsets-topic.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { OFFSETS_TOPIC } from '../coordinator/offsets-topic.js';
import { TxnState, TxnStateLog, TXN_STATE_NAMES, TRANSACTION_STATE_TOPIC, type TxnLogValue, type TxnStateId } from './txn-log.js';
import { appendMarker } from './markers.js';
import { PendingTxnOffsets, type TxnGroupCoordinator } from './txn-offsets.js';
import { StatePartitions } from '../coordinator/state-partitions.js';
import { MarkerChannel } from './marker-channel.js';
import { RemoteVerification, type InterBrokerSend, type ProduceToVerify } from './remote-verification.js';
import { WriteTxnMarkersRequest } from '../protocol/generated/write-txn-markers-request.js';
import { WriteTxnMarkersResponse } from '../protocol/generated/write-txn-markers-response.js';

const MAX_EPOCH = 32767;
const EXPIRABLE: ReadonlySet<number> = new Set([TxnState.Empty, TxnState.CompleteCommit, TxnState.CompleteAbort]);

export interface TxnMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnStateId;
  partitions: Map<string, { topic: string; partition: number }>;
  lastUpdateMs: number;
  startMs: number;
  // A state change being written (its markers too): other requests get CONCURRENT_TRANSACTIONS.
  busy: boolean;
}

export interface InitResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/** What the transaction coordinator uses: the broker's services and the group coordinator's offsets. */
export interface TransactionCoordinatorServices extends StateTopicServices {
  readonly groups: TxnGroupCoordinator;
  /** Sends requests to other brokers of the cluster (WriteTxnMarkers, AddPartitionsToTxn); cluster mode only. */
  readonly interBroker?: InterBrokerSend;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class TransactionCoordinator {
  readonly txns = new Map<string, TxnMetadata>();
  private readonly byProducer = new Map<number, TxnMetadata>();
  readonly stateLog: TxnStateLog;
  readonly pendingOffsets: PendingTxnOffsets;
  private timer: NodeJS.Timeout | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** In a cluster: the __transaction_state partitions this broker leads (null on a single broker). */
  readonly partitions: StatePartitions | null;
  private readonly markers: MarkerChannel | null;
  private readonly remoteVerification: RemoteVerification | null;

  constructor(private readonly services: TransactionCoordinatorServices) {
    this.stateLog = new TxnStateLog(services);
    this.pendingOffsets = new PendingTxnOffsets(services, services.groups);
    const md = services.metadata;
    this.partitions = md.quorum
      ? new StatePartitions(md, TRANSACTION_STATE_TOPIC, { load: (p) => this.loadPartition(p), unload: (p) => this.unloadPartition(p) }, services.log)
      : null;
    const send = md.quorum ? services.interBroker : undefined;
    // WriteTxnMarkers v1: the first version Kafka 4 serves.
    this.markers = send ? new MarkerChannel(md, services.log, (to, body) => send(to, WriteTxnMarkersRequest, WriteTxnMarkersResponse, 1, body)) : null;
    this.remoteVerification = send
      ? new RemoteVerification(md, services.logManager, services.log, send, (id) => this.stateLog.leaderOf(this.stateLog.partitionFor(id)))
      : null;
    if (this.partitions) {
      const partitions = this.partitions;
      this.stateLog.leaderGuard = (p) => partitions.leads(p);
    }
  }

  // ---- lifecycle ----

  // Start-up: a single broker replays all of __transaction_state; a cluster follows leadership
  // (each partition this broker leads is loaded on election).
  async load(): Promise<void> {
    if (this.partitions) this.partitions.start();
    else await this.loadPartition(undefined);
    const interval = Math.max(10, this.services.config.getInt('transaction.abort.timed.out.transaction.cleanup.interval.ms'));
    this.timer = setInterval(() => this.abortTimedOut(Date.now()), interval);
    this.timer.unref();
    const expiryInterval = Math.max(10, this.services.config.getInt('transaction.remove.expired.transaction.cleanup.interval.ms'));
    this.expiryTimer = setInterval(() => void this.removeExpiredTransactionalIds(Date.now()), expiryInterval);
    this.expiryTimer.unref();
  }

  // Replays the transactions of one partition (a cluster's onElection) or all (start-up).
  // Transactions that were completing when their coordinator stopped or moved finish their
  // markers now (Kafka's TransactionStateManager load: PrepareCommit/PrepareAbort are completed);
  // ongoing ones stay open, and time out as usual.
  private async loadPartition(partition: number | undefined): Promise<void> {
    const loaded = await this.stateLog.load(partition);
    const fresh: TxnMetadata[] = [];
    for (const [id, v] of loaded) {
      const m: TxnMetadata = {
        transactionalId: id,
        producerId: v.producerId,
        producerEpoch: v.producerEpoch,
        timeoutMs: v.timeoutMs,
        state: v.state,
        partitions: new Map(),
        lastUpdateMs: v.lastUpdateMs,
        startMs: v.startMs,
        busy: false,
      };
      for (const p of v.partitions) m.partitions.set(key(p.topic, p.partition), p);
      this.put(m);
      fresh.push(m);
    }
    for (const m of fresh) {
      if (m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort) {
        m.busy = true;
        void this.completeMarkers(m, m.state === TxnState.PrepareCommit).catch((err: unknown) =>
          this.services.log.error({ transactionalId: m.transactionalId, err: (err as Error).message }, 'could not complete a loaded transaction'),
        );
      }
    }
    if (loaded.size > 0) this.services.log.info({ transactions: loaded.size, ...(partition !== undefined ? { partition } : {}) }, 'loaded transaction state');
  }

  // Kafka's TransactionCoordinator.onResignation: the partition's transactions leave memory; a
  // marker write in flight for one of them stops retrying (the new coordinator completes it).
  private unloadPartition(partition: number): void {
    let n = 0;
    for (const m of [...this.txns.values()]) {
      if (this.stateLog.partitionFor(m.transactionalId) !== partition) continue;
      this.txns.delete(m.transactionalId);
      if (this.byProducer.get(m.producerId) === m) this.byProducer.delete(m.producerId);
      n++;
    }
    if (n > 0) this.services.log.info({ partition, transactions: n }, 'unloaded the transactions of a resigned partition');
  }

  close(): void {
    this.closed = true;
    this.partitions?.stop();
    this.markers?.close();
    if (this.timer) clearInterval(this.timer);
    if (this.expiryTimer) clearInterval(this.expiryTimer);
  }

  /** Creates __transaction_state if needed: NONE, or COORDINATOR_NOT_AVAILABLE meanwhile. */
  ensureStateTopic(): number {
    try {
      this.stateLog.ensure();
      return ErrorCode.NONE;
    } catch (err) {
      if (!(err instanceof KafkaError && err.code === ErrorCode.COORDINATOR_NOT_AVAILABLE))
        this.services.log.error({ err: (err as Error).message }, 'cannot create the transaction state topic');
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }

  /**
   * Whether this broker coordinates a transactional id now: NONE; in a cluster NOT_COORDINATOR
   * (another broker leads its partition), COORDINATOR_LOAD_IN_PROGRESS or COORDINATOR_NOT_AVAILABLE.
   */
  coordinatorError(transactionalId: string): number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (!this.partitions) return ErrorCode.NONE;
    if (!this.stateLog.exists) return this.ensureStateTopic();
    return this.partitions.errorFor(this.stateLog.partitionFor(transactionalId));
  }

  // Kafka's coordinator epoch: the leader epoch of the id's __transaction_state partition when
  // this broker was elected (0 on a single broker). Markers carry it; partitions fence older ones.
  private coordinatorEpoch(transactionalId: string): number {
    return this.partitions ? Math.max(0, this.partitions.leaderEpoch(this.stateLog.partitionFor(transactionalId))) : 0;
  }

  private put(m: TxnMetadata): void {
    this.txns.set(m.transactionalId, m);
    this.byProducer.set(m.producerId, m);
  }

  private value(m: TxnMetadata, state: TxnStateId, overrides: Partial<TxnLogValue> = {}): TxnLogValue {
    return {
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      timeoutMs: m.timeoutMs,
      state,
      partitions: [...m.partitions.values()],
      lastUpdateMs: Date.now(),
      startMs: m.startMs,
      ...overrides,
    };
  }

  // Writes the new state durably, then applies it to `m`.
  private async transition(m: TxnMetadata, v: TxnLogValue): Promise<void> {
    await this.stateLog.write(m.transactionalId, v);
    if (v.producerId !== m.producerId) {
      this.byProducer.delete(m.producerId);
      this.byProducer.set(v.producerId, m);
    }
    m.producerId = v.producerId;
    m.producerEpoch = v.producerEpoch;
    m.timeoutMs = v.timeoutMs;
    m.state = v.state;
    m.lastUpdateMs = v.lastUpdateMs;
    m.startMs = v.startMs;
    m.partitions = new Map(v.partitions.map((p) => [key(p.topic, p.partition), p]));
  }

  // Runs `fn` with the transaction marked busy (CONCURRENT_TRANSACTIONS for others meanwhile).
  private async exclusive<T>(m: TxnMetadata, fn: () => Promise<T>): Promise<T> {
    m.busy = true;
    try {
      return await fn();
    } finally {
      m.busy = false;
    }
  }

  // ---- InitProducerId ----

  async initProducerId(transactionalId: string, timeoutMs: number, producerId: number, producerEpoch: number): Promise<InitResult> {
    const fail = (errorCode: number): InitResult => ({ errorCode, producerId: -1, producerEpoch: -1 });
    if (timeoutMs <= 0 || timeoutMs > this.services.config.getInt('transaction.max.timeout.ms')) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const notHere = this.coordinatorError(transactionalId);
    if (notHere) return fail(notHere);
    let m = this.txns.get(transactionalId);
    const now = Date.now();
    try {
      // The id is reserved first; another request may have created the transactional id meanwhile.
      const newId = m ? -1 : await this.services.metadata.allocateProducerId();
      m ??= this.txns.get(transactionalId);
      if (!m) {
        const id = newId;
        m = {
          transactionalId,
          producerId: id,
          producerEpoch: -1,
          timeoutMs,
          state: TxnState.Empty,
          partitions: new Map(),
          lastUpdateMs: now,
          startMs: -1,
          busy: false,
        };
        const fresh = m;
        this.put(fresh);
        await this.exclusive(fresh, () => this.transition(fresh, this.value(fresh, TxnState.Empty, { producerEpoch: 0, lastUpdateMs: now })));
        return { errorCode: ErrorCode.NONE, producerId: fresh.producerId, producerEpoch: fresh.producerEpoch };
      }
      if (m.busy || m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort || m.state === TxnState.PrepareEpochFence)
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      // KIP-360: a producer that names its current id and epoch must be the current one.
      if (producerId >= 0 && producerId !== m.producerId) return fail(ErrorCode.PRODUCER_FENCED);
      if (producerId >= 0 && producerEpoch >= 0 && producerEpoch !== m.producerEpoch) return fail(ErrorCode.PRODUCER_FENCED);
      const txn = m;
      return await this.exclusive(txn, async () => {
        if (txn.state === TxnState.Ongoing) {
          // Fence the old producer: its transaction is aborted with a bumped epoch first.
          const fenced = await this.bumped(txn);
          await this.transition(txn, this.value(txn, TxnState.PrepareAbort, { producerId: fenced.producerId, producerEpoch: fenced.producerEpoch }));
          await this.writeMarkers(txn, false);
          await this.transition(txn, this.value(txn, TxnState.CompleteAbort, { partitions: [] }));
        }
        const next = await this.bumped(txn);
        await this.transition(
          txn,
          this.value(txn, TxnState.Empty, { producerId: next.producerId, producerEpoch: next.producerEpoch, timeoutMs, partitions: [], startMs: -1 }),
        );
        return { errorCode: ErrorCode.NONE, producerId: txn.producerId, producerEpoch: txn.producerEpoch };
      });
    } catch (err) {
      if (err instanceof KafkaError) return fail(err.code);
      throw err;
    }
  }

  // The next (producerId, epoch): an epoch bump, or a new producer id when epochs run out.
  private async bumped(m: TxnMetadata): Promise<{ producerId: number; producerEpoch: number }> {
    if (m.producerEpoch + 1 >= MAX_EPOCH) return { producerId: await this.services.metadata.allocateProducerId(), producerEpoch: 0 };
    return { producerId: m.producerId, producerEpoch: m.producerEpoch + 1 };
  }

  // ---- validation shared by AddPartitions, AddOffsets, EndTxn ----

  // Kafka's checks in order: unknown id or producer id -> INVALID_PRODUCER_ID_MAPPING; another
  // epoch -> PRODUCER_FENCED; a state change in flight -> CONCURRENT_TRANSACTIONS.
  private validate(transactionalId: string, producerId: number, producerEpoch: number): TxnMetadata {
    const notHere = this.coordinatorError(transactionalId);
    if (notHere) throw new KafkaError(notHere, `this broker does not coordinate transactional id ${transactionalId}`);
    const m = this.txns.get(transactionalId);
    if (!m || m.producerId !== producerId)
      throw new KafkaError(ErrorCode.INVALID_PRODUCER_ID_MAPPING, `producer id ${producerId} is not assigned to transactional id ${transactionalId}`);
    if (m.producerEpoch !== producerEpoch)
      throw new KafkaError(ErrorCode.PRODUCER_FENCED, `producer epoch ${producerEpoch} is not the current epoch ${m.producerEpoch} of ${transactionalId}`);
    if (m.busy || m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort || m.state === TxnState.PrepareEpochFence) {
      throw new KafkaError(ErrorCode.CONCURRENT_TRANSACTIONS, `transaction ${transactionalId} is completing`);
    }
    return m;
  }

  // AddPartitionsToTxn (and AddOffsetsToTxn's offsets partition). Partitions must exist (the
  // handler checks). Returns an error code for all of them.
  async addPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: Array<{ topic: string; partition: number }>,
  ): Promise<number> {
    try {
      const m = this.validate(transactionalId, producerId, producerEpoch);
      if (m.state === TxnState.Ongoing && partitions.every((p) => m.partitions.has(key(p.topic, p.partition)))) return ErrorCode.NONE;
      const all = new Map(m.partitions);
      for (const p of partitions) all.set(key(p.topic, p.partition), p);
      const now = Date.now();
      const startMs = m.state === TxnState.Ongoing ? m.startMs : now;
      await this.exclusive(m, () => this.transition(m, this.value(m, TxnState.Ongoing, { partitions: [...all.values()], startMs, lastUpdateMs: now })));
      return ErrorCode.NONE;
    } catch (err) {
      if (err instanceof KafkaError) return err.code;
      throw err;
    }
  }

  // KIP-890 part 1 (AddPartitionsToTxn v4+ verifyOnly): is each partition in the ongoing
  // transaction? NONE or INVALID_TXN_STATE per partition; a producer problem for all.
  verifyPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: Array<{ topic: string; partition: number }>): number[] {
    const m = this.txns.get(transactionalId);
    let all: number = this.coordinatorError(transactionalId);
    if (all !== ErrorCode.NONE) return partitions.map(() => all);
    if (!m || m.producerId !== producerId) all = ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    else if (m.producerEpoch !== producerEpoch) all = ErrorCode.PRODUCER_FENCED;
    if (all !== ErrorCode.NONE) return partitions.map(() => all);
    return partitions.map((p) =>
      m!.state === TxnState.Ongoing && m!.partitions.has(key(p.topic, p.partition)) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE,
    );
  }

  // Produce of a transactional batch: the partition must be in the producer's ongoing
  // transaction (Kafka 3.6+ verifies this with the coordinator, KIP-890 part 1).
  // transaction.partition.verification.enable=false skips the check as Kafka's ReplicaManager
  // does (maybeStartTransactionVerificationForPartitions): the batch is then judged by the
  // partition's producer state alone (epoch and sequence), and a write outside the transaction
  // is stored and left open, the hanging transaction KIP-890 exists to prevent.
  verifyProduce(producerId: number, producerEpoch: number, topic: string, partition: number): number {
    if (!this.services.config.getBoolean('transaction.partition.verification.enable')) return ErrorCode.NONE;
    const m = this.byProducer.get(producerId);
    // In a cluster the producer's coordinator may be another broker: the Produce handler asked it
    // (verifyBeforeProduce); a transaction already open on the partition was verified before.
    if (!m && this.remoteVerification) {
      const answer = this.remoteVerification.take(producerId, producerEpoch, topic, partition);
      if (answer !== null) return answer;
      return (this.services.logManager.get(topic, partition)?.producers.ongoingTxnFirstOffset(producerId) ?? -1) >= 0
        ? ErrorCode.NONE
        : ErrorCode.INVALID_TXN_STATE;
    }
    if (!m || m.producerId !== producerId) return ErrorCode.INVALID_TXN_STATE;
    if (producerEpoch < m.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (producerEpoch > m.producerEpoch || m.state !== TxnState.Ongoing || !m.partitions.has(key(topic, partition))) return ErrorCode.INVALID_TXN_STATE;
    return ErrorCode.NONE;
  }

  /**
   * Produce, in a cluster, with a transactional id another broker coordinates: asks that broker
   * about the partitions the producer has no transaction open on yet (KIP-890 part 1). Null (no
   * await) when there is nothing to ask.
   */
  verifyBeforeProduce(req: ProduceToVerify, useIds: boolean): Promise<void> | null {
    if (!this.remoteVerification || !req.transactionalId || !this.services.config.getBoolean('transaction.partition.verification.enable')) return null;
    return this.remoteVerification.before(req, useIds);
  }

  // TxnOffsetCommit: the producer's transaction must be ongoing and hold the group's offsets
  // partition (added by AddOffsetsToTxn).
  // With transaction.partition.verification.enable=false Kafka 4's group coordinator skips this
  // check too (CoordinatorPartitionWriter.maybeStartTransactionVerification); samsa still checks
  // the producer id and epoch, which Kafka leaves to the offsets partition's producer state.
  verifyOffsetCommit(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): number {
    // In a cluster the group's coordinator is often not the transaction's: Kafka's group
    // coordinator does not ask it either (only KIP-890 verification would): not checked here.
    if (this.partitions && !this.partitions.leads(this.stateLog.partitionFor(transactionalId))) return ErrorCode.NONE;
    const m = this.txns.get(transactionalId);
    if (!m || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (producerEpoch !== m.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (!this.services.config.getBoolean('transaction.partition.verification.enable')) return ErrorCode.NONE;
    const partition = this.services.groups.partitionFor(groupId);
    if (m.state !== TxnState.Ongoing || !m.partitions.has(key(OFFSETS_TOPIC, partition))) return ErrorCode.INVALID_TXN_STATE;
    return ErrorCode.NONE;
  }

  // ---- EndTxn ----

  async endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<number> {
    try {
      const m = this.validate(transactionalId, producerId, producerEpoch);
      switch (m.state) {
        case TxnState.Ongoing:
          break;
        // A retry of an EndTxn that completed is answered with success, the other one is not.
        case TxnState.CompleteCommit:
          return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
        case TxnState.CompleteAbort:
          return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
        default:
          return ErrorCode.INVALID_TXN_STATE;
      }
      await this.exclusive(m, async () => {
        await this.transition(m, this.value(m, commit ? TxnState.PrepareCommit : TxnState.PrepareAbort));
        await this.writeMarkers(m, commit);
        await this.transition(m, this.value(m, commit ? TxnState.CompleteCommit : TxnState.CompleteAbort, { partitions: [] }));
      });
      return ErrorCode.NONE;
    } catch (err) {
      if (err instanceof KafkaError) return err.code;
      throw err;
    }
  }

  // After a restart in PrepareCommit / PrepareAbort.
  private async completeMarkers(m: TxnMetadata, commit: boolean): Promise<void> {
    try {
      await this.writeMarkers(m, commit);
      await this.transition(m, this.value(m, commit ? TxnState.CompleteCommit : TxnState.CompleteAbort, { partitions: [] }));
    } finally {
      m.busy = false;
    }
  }

  // Writes the COMMIT/ABORT marker to every partition of the transaction and waits until all are
  // durable. Pending transactional offsets of the group are applied or dropped with the marker.
  // In a cluster, partitions led by other brokers get theirs through WriteTxnMarkers, retried
  // until written or until this broker no longer coordinates the transaction.
  private async writeMarkers(m: TxnMetadata, commit: boolean): Promise<void> {
    const coordinatorEpoch = this.coordinatorEpoch(m.transactionalId);
    const marker = { producerId: m.producerId, producerEpoch: m.producerEpoch, commit, coordinatorEpoch };
    if (this.markers) {
      const stateLog = this.stateLog;
      const txnPartition = stateLog.partitionFor(m.transactionalId);
      const partitions = this.partitions!;
      const still = () => !this.closed && partitions.leads(txnPartition) && this.txns.get(m.transactionalId) === m;
      await this.markers.write(marker, [...m.partitions.values()], still, (p) => this.writeMarkerLocally(p.topic, p.partition, marker));
      return;
    }
    const waits: Promise<void>[] = [];
    for (const p of m.partitions.values()) waits.push(this.writeMarkerLocally(p.topic, p.partition, marker));
    await Promise.all(waits);
  }

  /**
   * Appends a marker to a partition this broker leads and resolves once it is durable (the local
   * path, and the WriteTxnMarkers handler's). A deleted partition is skipped (Kafka drops its
   * markers too); NOT_LEADER_OR_FOLLOWER when another broker leads it.
   */
  writeMarkerLocally(
    topic: string,
    partition: number,
    marker: { producerId: number; producerEpoch: number; commit: boolean; coordinatorEpoch: number },
  ): Promise<void> {
    const log = this.services.logManager.get(topic, partition);
    const state = this.services.metadata.topic(topic)?.partitions[partition];
    if (!state || (!log && !this.partitions)) return Promise.resolve();
    if (!log || state.leader !== this.services.metadata.nodeId)
      return Promise.reject(new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `this broker does not lead ${topic}-${partition}`));
    // A marker from a coordinator older than the last one seen for this producer here comes from
    // a coordinator that has since moved (Kafka's ProducerAppendInfo.checkCoordinatorEpoch).
    const seen = log.producers.producers.get(marker.producerId)?.coordinatorEpoch ?? -1;
    if (marker.coordinatorEpoch < seen) {
      return Promise.reject(
        new KafkaError(
          ErrorCode.TRANSACTION_COORDINATOR_FENCED,
          `coordinator epoch ${marker.coordinatorEpoch} of producer ${marker.producerId} is older than ${seen} on ${topic}-${partition}`,
        ),
      );
    }
    const info = appendMarker(log, state.leaderEpoch, marker.producerId, marker.producerEpoch, marker.commit, marker.coordinatorEpoch);
    if (topic === OFFSETS_TOPIC) this.pendingOffsets.complete(marker.producerId, partition, marker.commit);
    return log.waitDurable(info.lastOffset);
  }

  // ---- timeouts ----

  // Kafka's abortTimedOutTransactions: an ongoing transaction older than its timeout is aborted
  // with a bumped epoch, which fences the producer that left it open.
  abortTimedOut(now: number): void {
    if (this.closed) return;
    for (const m of this.txns.values()) {
      if (m.busy || m.state !== TxnState.Ongoing || now - m.startMs <= m.timeoutMs) continue;
      this.services.log.info({ transactionalId: m.transactionalId, producerId: m.producerId, timeoutMs: m.timeoutMs }, 'aborting timed out transaction');
      void this.exclusive(m, async () => {
        const next = await this.bumped(m);
        await this.transition(m, this.value(m, TxnState.PrepareAbort, { producerId: next.producerId, producerEpoch: next.producerEpoch }));
        await this.writeMarkers(m, false);
        await this.transition(m, this.value(m, TxnState.CompleteAbort, { partitions: [] }));
      }).catch((err: unknown) =>
        this.services.log.warn({ transactionalId: m.transactionalId, err: (err as Error).message }, 'could not abort timed out transaction'),
      );
    }
  }

  // Kafka's removeExpiredTransactionalIds: a transactional id with no transaction (Empty,
  // CompleteCommit, CompleteAbort: TransactionState.isExpirationAllowed) whose last update is at
  // least transactional.id.expiration.ms old is forgotten. Its tombstone in __transaction_state is
  // written first (it stays forgotten after a restart); meanwhile it answers
  // CONCURRENT_TRANSACTIONS, as Kafka does while the id is pending Dead.
  async removeExpiredTransactionalIds(now: number): Promise<void> {
    if (this.closed) return;
    const expirationMs = this.services.config.getInt('transactional.id.expiration.ms');
    const expired = [...this.txns.values()].filter((m) => !m.busy && EXPIRABLE.has(m.state) && m.lastUpdateMs <= now - expirationMs);
    const removed = await Promise.all(
      expired.map((m) =>
        this.exclusive(m, async () => {
          await this.stateLog.write(m.transactionalId, null);
          this.txns.delete(m.transactionalId);
          if (this.byProducer.get(m.producerId) === m) this.byProducer.delete(m.producerId);
          return true;
        }).catch((err: unknown) => {
          this.services.log.warn({ transactionalId: m.transactionalId, err: (err as Error).message }, 'could not remove expired transactional id');
          return false;
        }),
      ),
    );
    const count = removed.filter(Boolean).length;
    if (count > 0) this.services.log.info({ removed: count, expirationMs }, 'removed expired transactional ids');
  }

  // ---- admin ----

  stateName(m: TxnMetadata): string {
    return TXN_STATE_NAMES[m.state] ?? 'Unknown';
  }
}
