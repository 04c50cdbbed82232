// samsa's public API for programs and test suites:
//   const broker = await startBroker({ port: 0 });   // in-memory, any free port
//   ... use broker.bootstrap ...
//   await broker.close();
export { startBroker, Broker, type BrokerOptions } from './broker/broker.js';
// Several brokers in this process (replicated partitions, failover):
//   const cluster = await startCluster({ brokers: 3 });   // cluster.bootstrap, cluster.broker(0)
export { startCluster, Cluster, type ClusterOptions } from './broker/cluster.js';
export { KafkaError, SamsaError, SamsaErrorCode, ErrorCode, errorName } from './errors.js';
export type { LogLevel } from './log.js';
