// The broker as a handler sees it (`ctx.broker`): the services a handler may call, declared here by
// the handlers rather than imported from src/broker/, so that handlers depend only on the folders
// below them (docs/ARCHITECTURE.md, "Layers and folders"). `Broker` (src/broker/broker.ts), the
// composition root, is one (checked where it hands itself to
// the RequestProcessor).
import type { BrokerConfig } from '../config/index.js';
import type { ClusterMetadata } from '../cluster/cluster-metadata.js';
import type { ConfigResourceServices } from '../cluster/config-resources.js';
import type { BrokerEndpoint } from '../cluster/topic.js';
import type { LogManager } from '../storage/log-manager.js';
import type { GroupCoordinator } from '../coordinator/coordinator.js';
import type { TransactionCoordinator } from '../txn/coordinator.js';
import type { FetchSessionCache } from '../fetch/session-cache.js';
import type { FetchWaiters } from '../fetch/fetch-waiters.js';
import type { HandlerRegistry } from './registry.js';
import type { ReplicaManager } from '../replication/replica-manager.js';

// The broker-wide budget of response bytes not yet handed to the kernel
// (samsa.queued.max.response.bytes; src/network/byte-budget.ts): Fetch reserves its reads in it.
export interface ResponseBudget {
  // <= 0: no limit.
  readonly limit: number;
  readonly used: number;
  add(n: number): void;
  remove(n: number): void;
}

export interface BrokerServices extends ConfigResourceServices {
  readonly nodeId: number;
  readonly config: BrokerConfig;
  readonly metadata: ClusterMetadata;
  readonly logManager: LogManager;
  readonly coordinator: GroupCoordinator;
  readonly txnCoordinator: TransactionCoordinator;
  // In a cluster: leader and follower roles, the ISR, replica fetches (null on a single broker).
  readonly replicaManager: ReplicaManager | null;
  readonly fetchSessions: FetchSessionCache;
  readonly fetchWaiters: FetchWaiters;
  // ApiVersions answers from the handler table.
  readonly registry: HandlerRegistry;
  readonly networkUsage: { readonly responseBudget: ResponseBudget };
  // True once the broker is stopping: long polls return early.
  readonly closing: boolean;
  // This broker's endpoint as a client on `listenerName` should reach it (Metadata, FindCoordinator).
  selfEndpoint(listenerName?: string, localAddress?: string): BrokerEndpoint;
}
