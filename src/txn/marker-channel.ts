// Transaction markers for partitions other brokers lead (Kafka's TransactionMarkerChannelManager):
// one WriteTxnMarkers (27) request per destination broker, and every partition retried until its
// marker is written, its topic is deleted, or this broker no longer coordinates the transaction.
// Partitions this broker leads are written locally. Leaders are read from the metadata image on
// each round, so a partition whose leadership moves is sent to its new leader (or written here).
import { ErrorCode, KafkaError } from '../errors.js';
import type { ClusterMetadata } from '../cluster/cluster-metadata.js';
import type { Logger } from '../log.js';
import type { WriteTxnMarkersRequest } from '../protocol/generated/write-txn-markers-request.js';
import type { WriteTxnMarkersResponse } from '../protocol/generated/write-txn-markers-response.js';
import type { Input } from '../protocol/primitives/index.js';

export interface Marker {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
}

export interface MarkerPartition {
  topic: string;
  partition: number;
}

/** Sends one WriteTxnMarkers request to a broker (the broker's inter-broker client pool). */
export type SendMarkers = (nodeId: number, request: Input<WriteTxnMarkersRequest>) => Promise<WriteTxnMarkersResponse>;

// Kafka retries after retry.backoff.ms (100 ms by default).
const RETRY_BACKOFF_MS = 100;

export class MarkerChannel {
  private closed = false;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly metadata: ClusterMetadata,
    private readonly log: Logger,
    private readonly send: SendMarkers,
  ) {}

  close(): void {
    this.closed = true;
    for (const w of this.wakers) w();
  }

  /**
   * Writes `marker` to every partition; resolves once all are written. Rejects with
   * NOT_COORDINATOR when `stillCoordinator` turns false (or the broker stops) first.
   */
  async write(
    marker: Marker,
    partitions: readonly MarkerPartition[],
    stillCoordinator: () => boolean,
    writeLocal: (p: MarkerPartition) => Promise<void>,
  ): Promise<void> {
    let pending = [...partitions];
    for (let round = 0; pending.length > 0; round++) {
      if (this.closed || !stillCoordinator())
        throw new KafkaError(ErrorCode.NOT_COORDINATOR, 'the transaction coordinator moved while its markers were being written');
      if (round > 0) await this.backoff();
      const byLeader = new Map<number, MarkerPartition[]>();
      const retry: MarkerPartition[] = [];
      const local: Promise<void>[] = [];
      for (const p of pending) {
        const state = this.metadata.topic(p.topic)?.partitions[p.partition];
        if (!state) continue; // deleted topic: Kafka drops its markers too
        if (state.leader < 0) retry.push(p);
        else if (state.leader === this.metadata.nodeId) {
          local.push(
            writeLocal(p).catch((err: unknown) => {
              this.log.debug({ topic: p.topic, partition: p.partition, err: (err as Error).message }, 'transaction marker not written here; retrying');
              retry.push(p);
            }),
          );
        } else {
          let l = byLeader.get(state.leader);
          if (!l) byLeader.set(state.leader, (l = []));
          l.push(p);
        }
      }
      const remote = [...byLeader].map(([nodeId, ps]) => this.sendTo(nodeId, marker, ps).then((failed) => retry.push(...failed)));
      await Promise.all([...local, ...remote]);
      if (retry.length > 0 && round % 50 === 49)
        this.log.warn(
          { producerId: marker.producerId, partitions: retry.map((p) => `${p.topic}-${p.partition}`) },
          'transaction markers still not written; retrying',
        );
      pending = retry;
    }
  }

  // Sends the marker for `partitions` to their leader; resolves with the partitions to retry.
  private async sendTo(nodeId: number, marker: Marker, partitions: MarkerPartition[]): Promise<MarkerPartition[]> {
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) {
      const l = byTopic.get(p.topic);
      if (l) l.push(p.partition);
      else byTopic.set(p.topic, [p.partition]);
    }
    let res: WriteTxnMarkersResponse;
    try {
      res = await this.send(nodeId, {
        markers: [
          {
            producerId: marker.producerId,
            producerEpoch: marker.producerEpoch,
            transactionResult: marker.commit,
            coordinatorEpoch: marker.coordinatorEpoch,
            topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
          },
        ],
      });
    } catch (err) {
      this.log.debug({ nodeId, err: (err as Error).message }, 'WriteTxnMarkers failed; retrying');
      return partitions;
    }
    const codes = new Map<string, number>();
    for (const m of res.markers) for (const t of m.topics) for (const p of t.partitions) codes.set(`${t.name}\u0000${p.partitionIndex}`, p.errorCode);
    return partitions.filter((p) => {
      const code = codes.get(`${p.topic}\u0000${p.partition}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      if (code === ErrorCode.NONE) return false;
      // The leader no longer knows the partition and neither does this image: the topic is gone.
      if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && !this.metadata.topic(p.topic)) return false;
      this.log.debug({ nodeId, topic: p.topic, partition: p.partition, code }, 'transaction marker refused; retrying');
      return true;
    });
  }

  private backoff(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, RETRY_BACKOFF_MS);
      this.wakers.add(done);
    });
  }
}
