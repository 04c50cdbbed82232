// The cluster's metadata quorum: where every broker of a cluster finds the same metadata, which
// brokers are alive, and which one is the controller. Two implementations behind this interface:
// `EmbeddedQuorum` (in one process: startCluster(), `samsa start --brokers N` through its host)
// and `EtcdQuorum` (brokers on several machines, coordinated by etcd).
//
// The metadata is a log of `MetadataChange` records (KRaft's metadata log plays this part), with
// offsets from 1. Every broker applies it in order to its own image (`ClusterMetadata`). A change
// is appended with optimistic concurrency: the writer validates it against its image caught up to
// the log end it names, and the append succeeds only if the log still ends there. So two brokers
// can never both move one partition from the same state (two leaders of one epoch).
// Broker liveness is not in the log: a registration lives as long as its session (a lease).
import type { MetadataChange } from '../metadata-store.js';

export interface MetadataRecord {
  offset: number;
  change: MetadataChange;
}

export interface BrokerRegistration {
  nodeId: number;
  // Random per start (KRaft's incarnation id): tells a restarted broker from its previous life.
  incarnationId: string;
  host: string;
  port: number;
  rack: string | null;
}

// Thrown by `append` when the log no longer ends at `expectedEnd`: catch up and try again.
export class QuorumConflictError extends Error {
  constructor(readonly logEnd: number) {
    super(`the metadata log moved on (now ends at ${logEnd})`);
    this.name = 'QuorumConflictError';
  }
}

// Thrown by `register` when a broker with that node id is live already.
export class DuplicateBrokerError extends Error {
  constructor(readonly nodeId: number) {
    super(`a broker with node.id ${nodeId} is already registered and live in this cluster`);
    this.name = 'DuplicateBrokerError';
  }
}

// Thrown when the quorum cannot be reached (which endpoint in the message) or is closed.
export class QuorumUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuorumUnavailableError';
  }
}

export interface BrokerSession {
  readonly nodeId: number;
  // Ends the registration at once (a controlled shutdown, a stop).
  close(): Promise<void>;
  // Called once if the session is lost without close() (expired lease, lost connection).
  onLost(cb: () => void): void;
}

export interface MetadataQuorum {
  readonly kind: 'embedded' | 'etcd';
  // Fixed when the quorum is first created; a broker whose data dir says otherwise refuses to start.
  readonly clusterId: string;
  // The offset of the last committed record (0: empty).
  logEnd(): number;
  // Delivers every committed record after `fromOffset`, then each new one once committed, in
  // order and without gaps, until the returned function is called.
  follow(fromOffset: number, deliver: (records: readonly MetadataRecord[]) => void): () => void;
  // Appends `changes` as one unit if the log ends at `expectedEnd`; resolves with the new log end.
  // Rejects with QuorumConflictError if another append got there first, QuorumUnavailableError
  // if the quorum cannot be reached.
  append(changes: readonly MetadataChange[], expectedEnd: number): Promise<number>;
  // Registers a live broker. Rejects with DuplicateBrokerError if that node id is live.
  register(reg: BrokerRegistration): Promise<BrokerSession>;
  liveBrokers(): readonly BrokerRegistration[];
  // Called with the whole live set whenever it changes.
  onBrokersChanged(cb: (live: readonly BrokerRegistration[]) => void): () => void;
  // Takes part in the controller election: `cb(true)` when this node becomes the controller,
  // `cb(false)` when it stops being it. One controller at a time.
  campaign(nodeId: number, cb: (isController: boolean) => void): () => void;
  controllerId(): number | null;
  close(): Promise<void>;
}
