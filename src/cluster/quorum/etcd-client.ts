// The etcd3 client as EtcdQuorum uses it, and the key layout under `/samsa/<clusterId>/`:
//   log/<offset, 16 digits>  one MetadataChange (JSON) per committed metadata record
//   log/end                  the offset of the last record ("" absent: empty log)
//   brokers/<nodeId>         a live broker's BrokerRegistration (JSON), under its session lease
//   controller               {"nodeId": N} of the elected controller, under its session lease
import { Etcd3, type IOptions } from 'etcd3';

export class EtcdKeys {
  readonly root: string;
  readonly logEnd: string;
  readonly logPrefix: string;
  readonly brokersPrefix: string;
  readonly controller: string;
  constructor(clusterId: string) {
    this.root = `/samsa/${clusterId}/`;
    this.logPrefix = `${this.root}log/`;
    this.logEnd = `${this.logPrefix}end`;
    this.brokersPrefix = `${this.root}brokers/`;
    this.controller = `${this.root}controller`;
  }
  record(offset: number): string {
    return this.logPrefix + String(offset).padStart(16, '0');
  }
  // The end of the record keys: ':' sorts right after '9' (and before "end").
  get recordsEnd(): string {
    return `${this.logPrefix}:`;
  }
  // The offset of a record key, or null for log/end and anything else.
  offsetOf(key: string): number | null {
    if (!key.startsWith(this.logPrefix)) return null;
    const tail = key.slice(this.logPrefix.length);
    return /^\d{16}$/.test(tail) ? Number(tail) : null;
  }
  broker(nodeId: number): string {
    return this.brokersPrefix + String(nodeId);
  }
}

// The end of the range of keys that start with `prefix` (etcd's "prefix end": last byte + 1).
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

// "10.0.0.5:2379" and "http://10.0.0.5:2379" both name one endpoint; messages show the URL.
export function normalizeEndpoint(endpoint: string): string {
  const e = endpoint.trim();
  return /^https?:\/\//.test(e) ? e : `http://${e}`;
}

type FaultHandling = NonNullable<IOptions['faultHandling']>;
type HostPolicy = ReturnType<NonNullable<FaultHandling['host']>>;
type WatchBackoff = NonNullable<FaultHandling['watchBackoff']>;

// etcd3 puts a circuit breaker on each host by default: after 3 failures it fails every call for
// 5 s without trying, so metadata changes would resume up to 5 s after etcd is back. EtcdQuorum
// retries on its own terms instead, so each call goes straight through.
const noEvent = () => ({ dispose: () => {} });
const passThrough = {
  _altReturn: undefined as never,
  onSuccess: noEvent,
  onFailure: noEvent,
  execute: async <T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> => fn({ signal: new AbortController().signal }),
} as unknown as HostPolicy;

// Watch streams come back 0.5 s after a failure (etcd3's default backs off exponentially to 30 s).
const watchBackoff: WatchBackoff = { duration: 500, next: () => watchBackoff };

export function createEtcdClient(endpoints: readonly string[]): Etcd3 {
  return new Etcd3({
    hosts: [...endpoints],
    faultHandling: { host: () => passThrough, watchBackoff },
    grpcOptions: {
      // gRPC's reconnect backoff grows to 120 s by default: an etcd back after a restart would
      // go unnoticed for that long.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 1000,
      // A dead peer on another machine (no RST) is found by pings. etcd refuses pings more often
      // than every 5 s (--grpc-keepalive-min-time).
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      // Range reads of the metadata log can be larger than gRPC's 4 MiB default.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    },
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// A call with a deadline, so that nothing waits for an unreachable etcd forever.
export function deadline(ms: number): { deadline: number } {
  return { deadline: Date.now() + ms };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
