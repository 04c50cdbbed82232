// The broker configs samsa knows: Kafka 4.x names, types, defaults, bounds and documentation,
// plus samsa's own settings under `samsa.`.
//
// - Every key of a stock Kafka 4.x config/server.properties (KRaft) is here, so such a file
//   starts samsa. Settings that mean nothing to samsa (thread pools, KRaft quorum, JVM socket
//   buffers, tiered storage) are accepted and marked `ignored`; every other config Kafka 4.x
//   defines follows in kafka-broker-configs.ts, marked the same way.
// - `readOnly` marks static configs. Dynamic ones (readOnly false) follow Kafka's
//   DynamicBrokerConfig.AllDynamicConfigs: the primary broker synonym of every topic config
//   (log.retention.ms yes, log.retention.hours no), the thread pools, the log cleaner tuning,
//   connection limits, producer id expiry. samsa keeps listeners static: it does not rebind.
// - Defaults are Kafka's, except samsa's development defaults, each saying so in its doc:
//   listeners, log.dirs, group.initial.rebalance.delay.ms and the replication of the internal
//   topics (a single broker must be able to create __consumer_offsets and __transaction_state).
import type { ConfigDef, ConfigType } from './config-def.js';
import { COMPRESSION_TYPES } from './topic-configs.js';
import { checkIpOverrides } from './ip-overrides.js';
import { checkListenerList, checkSecurityProtocolMap, DEFAULT_SECURITY_PROTOCOL_MAP, SECURITY_PROTOCOLS } from './listeners.js';
import { KAFKA_ONLY_BROKER_CONFIGS } from './kafka-broker-configs.js';

const INT_MAX = '2147483647';
const LONG_MAX = '9223372036854775807';
const DOUBLE_MAX = '1.7976931348623157E308';

type Extra = Omit<ConfigDef, 'name' | 'type' | 'default' | 'doc'>;

// A static config: read at start-up only.
function fixed(name: string, type: ConfigType, dflt: string | null, doc: string, extra: Extra = {}): ConfigDef {
  return { name, type, default: dflt, doc, readOnly: true, ...extra };
}

// A dynamic config: may be altered per broker with AlterConfigs / IncrementalAlterConfigs.
function dynamic(name: string, type: ConfigType, dflt: string | null, doc: string, extra: Extra = {}): ConfigDef {
  return { name, type, default: dflt, doc, readOnly: false, ...extra };
}

const IGNORED = { ignored: true } as const;
const NO_EFFECT = ' Accepted for compatibility with Kafka; no effect in samsa.';

export const BROKER_CONFIGS: readonly ConfigDef[] = [
  // ---- Server basics and KRaft ----
  fixed(
    'process.roles',
    'list',
    '',
    "The roles that this process plays: 'broker', 'controller', or 'broker,controller' if it is both." +
      NO_EFFECT +
      ' samsa is always a broker and keeps its own metadata.',
    {
      validValues: ['broker', 'controller'],
      ...IGNORED,
    },
  ),
  fixed('node.id', 'int', '-1', 'The node ID associated with the roles this process is playing. samsa uses node.id if set, else broker.id, else 1.'),
  fixed('broker.id', 'int', '-1', 'The broker id for this server. In KRaft mode it must equal node.id when both are set.'),
  fixed('broker.rack', 'string', null, 'Rack of the broker, reported in Metadata responses. Examples: RACK1, us-east-1d'),
  fixed(
    'controller.listener.names',
    'string',
    null,
    'A comma-separated list of the names of the listeners used by the controller. samsa does not serve clients on these listeners: they are left out of the advertised broker endpoints.',
  ),
  fixed(
    'controller.quorum.voters',
    'list',
    '',
    'Map of id/endpoint information for the set of voters in a comma-separated list of {id}@{host}:{port} entries.' + NO_EFFECT,
    IGNORED,
  ),
  fixed(
    'controller.quorum.bootstrap.servers',
    'list',
    '',
    'List of endpoints to use for bootstrapping the cluster metadata, as {host}:{port} entries.' + NO_EFFECT,
    IGNORED,
  ),
  fixed(
    'controller.quorum.election.timeout.ms',
    'int',
    '1000',
    'Maximum time in milliseconds to wait without being able to fetch from the leader before triggering a new election.' + NO_EFFECT,
    IGNORED,
  ),
  fixed('controller.quorum.election.backoff.max.ms', 'int', '1000', 'Maximum time in milliseconds before starting new elections.' + NO_EFFECT, IGNORED),
  fixed(
    'controller.quorum.fetch.timeout.ms',
    'int',
    '2000',
    'Maximum time without a successful fetch from the current leader before becoming a candidate.' + NO_EFFECT,
    IGNORED,
  ),
  fixed(
    'controller.quorum.append.linger.ms',
    'int',
    '25',
    'The duration in milliseconds that the leader will wait for writes to accumulate before flushing them to disk.' + NO_EFFECT,
    IGNORED,
  ),
  fixed(
    'controller.quorum.request.timeout.ms',
    'int',
    '2000',
    'The maximum amount of time the client will wait for the response of a request.' + NO_EFFECT,
    IGNORED,
  ),
  fixed('controller.quorum.retry.backoff.ms', 'int', '20', 'The amount of time to wait before attempting to retry a failed request.' + NO_EFFECT, IGNORED),
  fixed(
    'metadata.log.dir',
    'string',
    null,
    'Where the KRaft metadata log is kept.' + NO_EFFECT + ' samsa keeps its metadata in the first log directory.',
    IGNORED,
  ),
  fixed(
    'initial.broker.registration.timeout.ms',
    'int',
    '60000',
    'When initially registering with the controller quorum, the number of milliseconds to wait before declaring failure.' + NO_EFFECT,
    IGNORED,
  ),
  fixed('broker.heartbeat.interval.ms', 'int', '2000', 'The length of time in milliseconds between broker heartbeats.' + NO_EFFECT, IGNORED),
  fixed(
    'broker.session.timeout.ms',
    'int',
    '9000',
    'The length of time in milliseconds that a broker lease lasts if no heartbeats are made.' + NO_EFFECT,
    IGNORED,
  ),

  // ---- Socket server ----
  fixed(
    'listeners',
    'string',
    'PLAINTEXT://127.0.0.1:9092',
    'Comma-separated list of URIs to listen on, with their listener names, e.g. PLAINTEXT://myhost:9092,SSL://:9091 or PLAINTEXT://[::1]:9092. ' +
      "Leave the host empty to bind to all interfaces; port 0 picks any free port. samsa default; Kafka's is PLAINTEXT://:9092 (all interfaces).",
    { check: checkListenerList },
  ),
  fixed(
    'advertised.listeners',
    'string',
    null,
    'Listeners to publish to clients, if different than listeners. If this is not set, the address actually bound for listeners is used.',
    { check: checkListenerList },
  ),
  fixed(
    'listener.security.protocol.map',
    'string',
    DEFAULT_SECURITY_PROTOCOL_MAP,
    'Map between listener names and security protocols, e.g. INTERNAL:SSL,EXTERNAL:SSL. Listener names in controller.listener.names default to PLAINTEXT.',
    { check: checkSecurityProtocolMap },
  ),
  fixed(
    'inter.broker.listener.name',
    'string',
    null,
    'Name of listener used for communication between brokers. If unset, the listener name is defined by security.inter.broker.protocol.',
  ),
  fixed('security.inter.broker.protocol', 'string', 'PLAINTEXT', 'Security protocol used to communicate between brokers.', { validValues: SECURITY_PROTOCOLS }),
  fixed(
    'socket.send.buffer.bytes',
    'int',
    '102400',
    'The SO_SNDBUF buffer of the socket server sockets. If the value is -1, the OS default will be used.' + NO_EFFECT,
    IGNORED,
  ),
  fixed(
    'socket.receive.buffer.bytes',
    'int',
    '102400',
    'The SO_RCVBUF buffer of the socket server sockets. If the value is -1, the OS default will be used.' + NO_EFFECT,
    IGNORED,
  ),
  fixed('socket.request.max.bytes', 'int', '104857600', 'The maximum number of bytes in a socket request', { min: 1 }),
  fixed(
    'socket.listen.backlog.size',
    'int',
    '50',
    "The maximum number of pending connections on the socket. samsa: when unset, 511 (Node's default) instead of 50, because it accepts on the event loop that also serves requests.",
    { min: 1 },
  ),
  fixed('connections.max.idle.ms', 'long', '600000', 'Idle connections timeout: the server closes connections that are idle for longer than this.'),
  fixed(
    'connection.failed.authentication.delay.ms',
    'int',
    '100',
    'Connection close delay on failed authentication, in milliseconds. Must be less than connections.max.idle.ms.',
    { min: 0 },
  ),
  dynamic(
    'max.connections',
    'int',
    INT_MAX,
    'The maximum number of connections we allow in the broker at any time. When reached, new connections wait (unread, at most socket.listen.backlog.size of them) until one closes.',
    { min: 0 },
  ),
  dynamic(
    'max.connections.per.ip',
    'int',
    INT_MAX,
    'The maximum number of connections we allow from each ip address. New connections from the ip address are dropped if the limit is reached.',
    { min: 0 },
  ),
  dynamic(
    'max.connections.per.ip.overrides',
    'string',
    '',
    'A comma-separated list of per-ip or hostname overrides to the default maximum number of connections, e.g. "hostName:100,127.0.0.1:200"',
    { check: checkIpOverrides },
  ),
  dynamic('max.connection.creation.rate', 'int', INT_MAX, 'The maximum connection creation rate we allow in the broker at any time.' + NO_EFFECT, {
    min: 0,
    ...IGNORED,
  }),
  fixed('queued.max.requests', 'int', '500', 'The number of queued requests allowed per broker before the network stops reading more requests.', { min: 1 }),
  fixed(
    'queued.max.request.bytes',
    'long',
    '-1',
    "The number of queued bytes allowed before no more requests are read. Counted across all connections: received request bytes not yet handled. -1 (Kafka's default) for no broker-wide limit; each connection still stops reading past max(socket.request.max.bytes, 16 MiB). Must be -1 or at least socket.request.max.bytes.",
  ),
  dynamic(
    'num.network.threads',
    'int',
    '3',
    'The number of threads that the server uses for receiving requests from the network and sending responses to the network.' + NO_EFFECT,
    { min: 1, ...IGNORED },
  ),
  dynamic('num.io.threads', 'int', '8', 'The number of threads that the server uses for processing requests, which may include disk I/O.' + NO_EFFECT, {
    min: 1,
    ...IGNORED,
  }),
  dynamic('background.threads', 'int', '10', 'The number of threads to use for various background processing tasks.' + NO_EFFECT, { min: 1, ...IGNORED }),

  // ---- General ----
  dynamic(
    'message.max.bytes',
    'int',
    '1048588',
    'The largest record batch size allowed by Kafka (after compression if compression is enabled). This can be set per topic with the topic level max.message.bytes config.',
    { min: 0 },
  ),
  fixed('auto.create.topics.enable', 'boolean', 'true', 'Enable auto creation of topic on the server.'),
  fixed('delete.topic.enable', 'boolean', 'true', 'Enables delete topic. Delete topic through the admin tool will have no effect if this config is turned off'),
  fixed('num.partitions', 'int', '1', 'The default number of log partitions per topic', { min: 1 }),
  fixed(
    'default.replication.factor',
    'int',
    '1',
    'The replication factor for automatically created topics, and for topics created with -1 as the replication factor',
  ),
  // In a cluster: the controller's preferred-leader rebalance and a broker's controlled shutdown.
  fixed(
    'auto.leader.rebalance.enable',
    'boolean',
    'true',
    'Enables auto leader balancing. A background thread checks the distribution of partition leaders at regular intervals, configurable by leader.imbalance.check.interval.seconds. If the leader imbalance exceeds leader.imbalance.per.broker.percentage, leader rebalance to the preferred leader for partitions is triggered.',
  ),
  fixed(
    'leader.imbalance.per.broker.percentage',
    'int',
    '10',
    'The ratio of leader imbalance allowed per broker. The controller would trigger a leader balance if it goes above this value per broker. The value is specified in percentage.',
    { min: 0 },
  ),
  fixed('leader.imbalance.check.interval.seconds', 'long', '300', 'The frequency with which the partition rebalance check is triggered by the controller', {
    min: 1,
  }),
  fixed(
    'controlled.shutdown.enable',
    'boolean',
    'true',
    'Enable controlled shutdown of the server: before it stops, a broker of a cluster moves its leaderships to other in-sync replicas.',
  ),
  fixed(
    'controlled.shutdown.max.retries',
    'int',
    '3',
    'Controlled shutdown can fail for multiple reasons. This determines the number of retries when such failure happens',
  ),
  fixed(
    'controlled.shutdown.retry.backoff.ms',
    'long',
    '5000',
    'Before each retry, the system needs time to recover from the state that caused the previous failure (Controller fail over, replica lag etc). This config determines the amount of time to wait before retrying.',
    { min: 0 },
  ),
  fixed('max.request.partition.size.limit', 'int', '2000', 'The maximum number of partitions can be served in one request.', { min: 1 }),
  fixed('fetch.max.bytes', 'int', '57671680', 'The maximum number of bytes we will return for a fetch request. Must be at least 1024.', { min: 1024 }),
  fixed(
    'min.incremental.fetch.session.eviction.ms',
    'int',
    '120000',
    'The minimum amount of time we will wait before evicting an incremental fetch session from the cache.',
    { min: 0 },
  ),
  fixed('max.incremental.fetch.session.cache.slots', 'int', '1000', 'The maximum number of total incremental fetch sessions that we will maintain.', {
    min: 0,
  }),
  dynamic(
    'compression.type',
    'string',
    'producer',
    "Specify the final compression type for a given topic. This configuration accepts the standard compression codecs ('gzip', 'snappy', 'lz4', 'zstd'). " +
      "It additionally accepts 'uncompressed' which is equivalent to no compression; and 'producer' which means retain the original compression codec set by the producer.",
    { validValues: COMPRESSION_TYPES },
  ),
  dynamic('compression.gzip.level', 'int', '-1', "The compression level to use if compression.type is set to 'gzip'.", {
    check: (v) => (v === '-1' || (Number(v) >= 1 && Number(v) <= 9) ? null : 'Value must be between 1 and 9 or equal to -1'),
  }),
  dynamic('compression.lz4.level', 'int', '9', "The compression level to use if compression.type is set to 'lz4'.", { min: 1, max: 17 }),
  dynamic('compression.zstd.level', 'int', '3', "The compression level to use if compression.type is set to 'zstd'.", { min: -131072, max: 22 }),
  dynamic(
    'unclean.leader.election.enable',
    'boolean',
    'false',
    'Indicates whether to enable replicas not in the ISR set to be elected as leader as a last resort, even though doing so may result in data loss',
  ),
  dynamic(
    'min.insync.replicas',
    'int',
    '1',
    'When a producer sets acks to "all" (or "-1"), min.insync.replicas specifies the minimum number of replicas that must acknowledge a write for the write to be considered successful. ' +
      'If this minimum cannot be met, then the producer will raise an exception (either NotEnoughReplicas or NotEnoughReplicasAfterAppend).',
    { min: 1 },
  ),

  // ---- Log basics ----
  fixed(
    'log.dirs',
    'list',
    './samsa-data',
    'A comma-separated list of the directories where the log data is stored. samsa default; Kafka has none and falls back to log.dir (/tmp/kafka-logs). An explicitly set log.dir is used when log.dirs is not set.',
  ),
  fixed('log.dir', 'list', '/tmp/kafka-logs', 'The directory in which the log data is kept (supplemental for log.dirs property)'),
  dynamic(
    'num.recovery.threads.per.data.dir',
    'int',
    '2',
    'The number of threads per data directory to be used for log recovery at startup and flushing at shutdown.' + NO_EFFECT,
    { min: 1, ...IGNORED },
  ),
  dynamic('log.segment.bytes', 'int', '1073741824', 'The maximum size of a single log file', { min: 1048576 }),
  dynamic(
    'log.roll.ms',
    'long',
    null,
    'The maximum time before a new log segment is rolled out (in milliseconds). If not set, the value in log.roll.hours is used',
    { min: 1 },
  ),
  fixed('log.roll.hours', 'int', '168', 'The maximum time before a new log segment is rolled out (in hours), secondary to log.roll.ms property', { min: 1 }),
  dynamic(
    'log.roll.jitter.ms',
    'long',
    null,
    'The maximum jitter to subtract from logRollTimeMillis (in milliseconds). If not set, the value in log.roll.jitter.hours is used',
    { min: 0 },
  ),
  fixed('log.roll.jitter.hours', 'int', '0', 'The maximum jitter to subtract from logRollTimeMillis (in hours), secondary to log.roll.jitter.ms property', {
    min: 0,
  }),
  dynamic(
    'log.retention.ms',
    'long',
    null,
    'The number of milliseconds to keep a log file before deleting it (in milliseconds), If not set, the value in log.retention.minutes is used. If set to -1, no time limit is applied.',
  ),
  fixed(
    'log.retention.minutes',
    'int',
    null,
    'The number of minutes to keep a log file before deleting it (in minutes), secondary to log.retention.ms property. If not set, the value in log.retention.hours is used',
  ),
  fixed('log.retention.hours', 'int', '168', 'The number of hours to keep a log file before deleting it (in hours), tertiary to log.retention.ms property'),
  dynamic('log.retention.bytes', 'long', '-1', 'The maximum size of the log before deleting it'),
  fixed(
    'log.retention.check.interval.ms',
    'long',
    '300000',
    'The frequency in milliseconds that the log cleaner checks whether any log is eligible for deletion',
    { min: 1 },
  ),
  dynamic(
    'log.cleanup.policy',
    'list',
    'delete',
    'The default cleanup policy for segments beyond the retention window. A comma separated list of valid policies.',
    { validValues: ['compact', 'delete'] },
  ),
  dynamic('log.index.size.max.bytes', 'int', '10485760', 'The maximum size in bytes of the offset index', { min: 4 }),
  dynamic('log.index.interval.bytes', 'int', '4096', 'The interval with which we add an entry to the offset index.', { min: 0 }),
  dynamic('log.flush.interval.messages', 'long', LONG_MAX, 'The number of messages accumulated on a log partition before messages are flushed to disk.', {
    min: 1,
  }),
  dynamic(
    'log.flush.interval.ms',
    'long',
    null,
    'The maximum time in ms that a message in any topic is kept in memory before flushed to disk. If not set, the value in log.flush.scheduler.interval.ms is used',
  ),
  fixed('log.flush.scheduler.interval.ms', 'long', LONG_MAX, 'The frequency in ms that the log flusher checks whether any log needs to be flushed to disk'),
  fixed(
    'log.flush.offset.checkpoint.interval.ms',
    'int',
    '60000',
    'The frequency with which we update the persistent record of the last flush which acts as the log recovery point.' + NO_EFFECT,
    { min: 0, ...IGNORED },
  ),
  fixed(
    'log.flush.start.offset.checkpoint.interval.ms',
    'int',
    '60000',
    'The frequency with which we update the persistent record of log start offset.' + NO_EFFECT,
    { min: 0, ...IGNORED },
  ),
  dynamic('log.segment.delete.delay.ms', 'long', '60000', 'The amount of time to wait before deleting a file from the filesystem.', { min: 0 }),
  dynamic('log.preallocate', 'boolean', 'false', 'Should pre allocate file when create new segment?'),
  dynamic(
    'log.message.timestamp.type',
    'string',
    'CreateTime',
    'Define whether the timestamp in the message is message create time or log append time. The value should be either CreateTime or LogAppendTime.',
    {
      validValues: ['CreateTime', 'LogAppendTime'],
    },
  ),
  dynamic(
    'log.message.timestamp.before.max.ms',
    'long',
    LONG_MAX,
    "The allowable timestamp difference between the broker's timestamp and an earlier message timestamp. If log.message.timestamp.type=CreateTime, " +
      'a message will be rejected if the difference exceeds this threshold. This configuration is ignored if log.message.timestamp.type=LogAppendTime.',
    { min: 0 },
  ),
  dynamic(
    'log.message.timestamp.after.max.ms',
    'long',
    '3600000',
    "The allowable timestamp difference between a later message timestamp and the broker's timestamp. If log.message.timestamp.type=CreateTime, " +
      'a message will be rejected if the difference exceeds this threshold. This configuration is ignored if log.message.timestamp.type=LogAppendTime.',
    { min: 0 },
  ),
  dynamic(
    'log.local.retention.ms',
    'long',
    '-2',
    'The number of milliseconds to keep the local log segments before it gets eligible for deletion (tiered storage).' + NO_EFFECT,
    { min: -2, ...IGNORED },
  ),
  dynamic(
    'log.local.retention.bytes',
    'long',
    '-2',
    'The maximum size of local log segments that can grow for a partition before it gets eligible for deletion (tiered storage).' + NO_EFFECT,
    { min: -2, ...IGNORED },
  ),
  fixed(
    'log.dir.failure.timeout.ms',
    'long',
    '30000',
    'If the broker is unable to tell the controller that a log directory has failed for longer than this time, the broker will shut down.' + NO_EFFECT,
    {
      min: 1,
      ...IGNORED,
    },
  ),
  fixed(
    'remote.log.storage.system.enable',
    'boolean',
    'false',
    'Whether to enable tiered storage functionality in a broker or not. samsa has no tiered storage.',
    {
      check: (v) => (v === 'false' ? null : 'samsa has no tiered storage; only false is accepted'),
    },
  ),

  // ---- Log cleaner ----
  fixed(
    'log.cleaner.enable',
    'boolean',
    'true',
    'Enable the log cleaner process to run on the server. Should be enabled if using any topics with a cleanup.policy=compact including the internal offsets topic.',
  ),
  dynamic('log.cleaner.threads', 'int', '1', 'The number of background threads to use for log cleaning.' + NO_EFFECT, { min: 0, ...IGNORED }),
  dynamic(
    'log.cleaner.io.max.bytes.per.second',
    'double',
    DOUBLE_MAX,
    'The log cleaner will be throttled so that the sum of its read and write i/o will be less than this value on average.' + NO_EFFECT,
    IGNORED,
  ),
  dynamic(
    'log.cleaner.dedupe.buffer.size',
    'long',
    '134217728',
    'The total memory used for log deduplication across all cleaner threads.' + NO_EFFECT,
    IGNORED,
  ),
  dynamic('log.cleaner.io.buffer.size', 'int', '524288', 'The total memory used for log cleaner I/O buffers across all cleaner threads.' + NO_EFFECT, {
    min: 0,
    ...IGNORED,
  }),
  dynamic(
    'log.cleaner.io.buffer.load.factor',
    'double',
    '0.9',
    'Log cleaner dedupe buffer load factor. The percentage full the dedupe buffer can become.' + NO_EFFECT,
    IGNORED,
  ),
  dynamic('log.cleaner.backoff.ms', 'long', '15000', 'The amount of time to sleep when there are no logs to clean', { min: 0 }),
  dynamic('log.cleaner.min.cleanable.ratio', 'double', '0.5', 'The minimum ratio of dirty log to total log for a log to eligible for cleaning.', {
    min: 0,
    max: 1,
  }),
  dynamic('log.cleaner.delete.retention.ms', 'long', '86400000', 'The amount of time to retain tombstone message markers for log compacted topics.', {
    min: 0,
  }),
  dynamic(
    'log.cleaner.min.compaction.lag.ms',
    'long',
    '0',
    'The minimum time a message will remain uncompacted in the log. Only applicable for logs that are being compacted.',
    { min: 0 },
  ),
  dynamic(
    'log.cleaner.max.compaction.lag.ms',
    'long',
    LONG_MAX,
    'The maximum time a message will remain ineligible for compaction in the log. Only applicable for logs that are being compacted.',
    { min: 1 },
  ),

  // ---- Replication ----
  fixed(
    'replica.lag.time.max.ms',
    'long',
    '30000',
    "If a follower hasn't sent any fetch requests or hasn't consumed up to the leaders log end offset for at least this time, the leader will remove the follower from isr",
  ),
  fixed('replica.fetch.max.bytes', 'int', '1048576', 'The number of bytes of messages to attempt to fetch for each partition.', { min: 0 }),
  fixed(
    'replica.fetch.min.bytes',
    'int',
    '1',
    'Minimum bytes expected for each fetch response. If not enough bytes, wait up to replica.fetch.wait.max.ms (broker config).',
  ),
  fixed('replica.fetch.wait.max.ms', 'int', '500', 'The maximum wait time for each fetcher request issued by follower replicas.'),
  fixed('replica.fetch.backoff.ms', 'int', '1000', 'The amount of time to sleep when fetch partition error occurs.', { min: 0 }),
  fixed('replica.fetch.response.max.bytes', 'int', '10485760', 'Maximum bytes expected for the entire fetch response.', { min: 0 }),
  fixed('replica.socket.timeout.ms', 'int', '30000', 'The socket timeout for network requests. Its value should be at least replica.fetch.wait.max.ms'),
  fixed(
    'replica.socket.receive.buffer.bytes',
    'int',
    '65536',
    'The socket receive buffer for network requests to the leader for replicating data.' + NO_EFFECT,
    IGNORED,
  ),
  fixed('replica.high.watermark.checkpoint.interval.ms', 'long', '5000', 'The frequency with which the high watermark is saved out to disk'),
  dynamic('num.replica.fetchers', 'int', '1', 'Number of fetcher threads used to replicate records from each source broker.' + NO_EFFECT, IGNORED),

  // ---- Group coordinator ----
  fixed(
    'group.initial.rebalance.delay.ms',
    'int',
    '0',
    'The amount of time the group coordinator will wait for more consumers to join a new group before performing the first rebalance. ' +
      "samsa default; Kafka's is 3000 (its sample server.properties also sets 0 for development).",
  ),
  fixed('group.min.session.timeout.ms', 'int', '6000', 'The minimum allowed session timeout for registered consumers.'),
  fixed('group.max.session.timeout.ms', 'int', '1800000', 'The maximum allowed session timeout for registered consumers.'),
  fixed('group.max.size', 'int', INT_MAX, 'The maximum number of consumers that a single consumer group can accommodate.', { min: 1 }),
  fixed('group.coordinator.rebalance.protocols', 'list', 'classic,consumer', 'The list of enabled rebalance protocols.', {
    validValues: ['classic', 'consumer', 'share', 'streams'],
  }),
  fixed('group.consumer.session.timeout.ms', 'int', '45000', 'The timeout to detect client failures when using the consumer group protocol.', { min: 1 }),
  fixed('group.consumer.min.session.timeout.ms', 'int', '45000', 'The minimum allowed session timeout for registered consumers.', { min: 1 }),
  fixed('group.consumer.max.session.timeout.ms', 'int', '60000', 'The maximum allowed session timeout for registered consumers.', { min: 1 }),
  fixed('group.consumer.heartbeat.interval.ms', 'int', '5000', 'The heartbeat interval given to the members of a consumer group.', { min: 1 }),
  fixed('group.consumer.min.heartbeat.interval.ms', 'int', '5000', 'The minimum heartbeat interval for registered consumers.', { min: 1 }),
  fixed('group.consumer.max.heartbeat.interval.ms', 'int', '15000', 'The maximum heartbeat interval for registered consumers.', { min: 1 }),
  fixed('group.consumer.max.size', 'int', INT_MAX, 'The maximum number of consumers that a single consumer group can accommodate (consumer group protocol).', {
    min: 1,
  }),
  fixed(
    'group.consumer.assignors',
    'list',
    'uniform,range',
    'The server side assignors, by name. The first one is used when the consumer does not ask for one.',
  ),
  fixed(
    'group.consumer.migration.policy',
    'string',
    'bidirectional',
    'Whether non-empty classic groups may be converted to consumer groups (upgrade), back (downgrade), both or neither.',
    {
      validValues: ['disabled', 'upgrade', 'downgrade', 'bidirectional'],
      caseInsensitive: true,
    },
  ),
  fixed('offsets.topic.num.partitions', 'int', '50', 'The number of partitions for the offset commit topic (should not change after deployment).', { min: 1 }),
  fixed(
    'offsets.topic.replication.factor',
    'short',
    '1',
    "The replication factor for the offsets topic. samsa default; Kafka's is 3 (its sample server.properties sets 1).",
    { min: 1 },
  ),
  fixed(
    'offsets.topic.segment.bytes',
    'int',
    '104857600',
    'The offsets topic segment bytes should be kept relatively small in order to facilitate faster log compaction and cache loads.',
    { min: 1 },
  ),
  fixed('offsets.topic.compression.codec', 'int', '0', 'Compression codec for the offsets topic (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).'),
  fixed(
    'offsets.retention.minutes',
    'int',
    '10080',
    'Committed offsets of a group are discarded this long after the group becomes empty (or, for standalone consumers, after the last commit).',
    { min: 1 },
  ),
  fixed('offsets.retention.check.interval.ms', 'long', '600000', 'Frequency at which to check for stale offsets', { min: 1 }),
  fixed(
    'offsets.commit.timeout.ms',
    'int',
    '5000',
    'Offset commit will be delayed until all replicas for the offsets topic receive the commit or this timeout is reached.',
    { min: 1 },
  ),
  fixed('offsets.load.buffer.size', 'int', '5242880', 'Batch size for reading from the offsets segments when loading offsets into the cache.' + NO_EFFECT, {
    min: 1,
    ...IGNORED,
  }),
  fixed('offset.metadata.max.bytes', 'int', '4096', 'The maximum size for a metadata entry associated with an offset commit.'),
  fixed('share.coordinator.state.topic.replication.factor', 'short', '3', 'Replication factor for the share-group state topic.' + NO_EFFECT, {
    min: 1,
    ...IGNORED,
  }),
  fixed('share.coordinator.state.topic.min.isr', 'int', '2', 'Overridden min.insync.replicas for the share-group state topic.' + NO_EFFECT, {
    min: 1,
    ...IGNORED,
  }),

  // ---- Transactions ----
  fixed('transaction.state.log.num.partitions', 'int', '50', 'The number of partitions for the transaction topic (should not change after deployment).', {
    min: 1,
  }),
  fixed(
    'transaction.state.log.replication.factor',
    'short',
    '1',
    "The replication factor for the transaction topic. samsa default; Kafka's is 3 (its sample server.properties sets 1).",
    { min: 1 },
  ),
  fixed(
    'transaction.state.log.min.isr',
    'int',
    '1',
    "The minimum number of replicas that must acknowledge a write to transaction topic. samsa default; Kafka's is 2 (its sample server.properties sets 1).",
    {
      min: 1,
    },
  ),
  fixed(
    'transaction.state.log.segment.bytes',
    'int',
    '104857600',
    'The transaction topic segment bytes should be kept relatively small in order to facilitate faster log compaction and cache loads',
    { min: 1 },
  ),
  fixed(
    'transaction.state.log.load.buffer.size',
    'int',
    '5242880',
    'Batch size for reading from the transaction log segments when loading producer ids and transactions into the cache.' + NO_EFFECT,
    {
      min: 1,
      ...IGNORED,
    },
  ),
  fixed(
    'transaction.max.timeout.ms',
    'int',
    '900000',
    'The maximum allowed timeout for transactions. A larger timeout requested by a client gets an error in InitProducerId.',
    { min: 1 },
  ),
  fixed(
    'transactional.id.expiration.ms',
    'int',
    '604800000',
    'The time in ms that the transaction coordinator will wait without receiving any transaction status updates before expiring its transactional id.',
    { min: 1 },
  ),
  fixed('transaction.abort.timed.out.transaction.cleanup.interval.ms', 'int', '10000', 'The interval at which to rollback transactions that have timed out', {
    min: 1,
  }),
  fixed(
    'transaction.remove.expired.transaction.cleanup.interval.ms',
    'int',
    '3600000',
    'The interval at which to remove transactions that have expired due to transactional.id.expiration.ms passing',
    { min: 1 },
  ),
  dynamic(
    'transaction.partition.verification.enable',
    'boolean',
    'true',
    'Enable verification that checks that the partition has been added to the transaction before writing transactional records to the partition',
  ),
  dynamic(
    'producer.id.expiration.ms',
    'int',
    '86400000',
    'The time in ms that a topic partition leader will wait before expiring producer IDs. Producer IDs will not expire while a transaction associated to them is still ongoing.',
    {
      min: 1,
    },
  ),

  // ---- samsa ----
  fixed(
    'samsa.queued.max.response.bytes',
    'long',
    '536870912',
    'Response bytes the broker holds for all connections together, finished but not yet sent (clients that do not read them). ' +
      'Past it, a connection that holds any waits to start its next request; one that holds none is always served, and a Fetch reads only what is left of it (at least its first batch). ' +
      'Default 512 MiB: half of the 1 GiB heap kafka-server-start.sh gives a Kafka broker, which holds one response per connection (a muted channel).',
    { min: 1 },
  ),
  fixed('samsa.storage', 'string', 'disk', "Where partition logs live: disk (Kafka's on-disk layout under log.dirs) or memory (nothing written, for tests).", {
    validValues: ['disk', 'memory'],
  }),
  dynamic('samsa.log.level', 'string', 'info', "The level of samsa's log lines.", {
    validValues: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
    caseInsensitive: true,
  }),

  // ---- the rest of Kafka's broker configs, accepted with no effect ----
  ...KAFKA_ONLY_BROKER_CONFIGS,
];

export const BROKER_CONFIG_BY_NAME: ReadonlyMap<string, ConfigDef> = new Map(BROKER_CONFIGS.map((d) => [d.name, d]));

// Listener overrides: listener.name.<listener>.<config> (and, for the SASL mechanism configs,
// listener.name.<listener>.<mechanism>.<config>), e.g. listener.name.external.ssl.keystore.location
// or listener.name.sasl_ssl.plain.sasl.jaas.config. Kafka accepts them statically and
// dynamically per broker, typed as their base config (DynamicBrokerConfig.ListenerConfigRegex);
// samsa stores and describes them with no effect.
const LISTENER_OVERRIDE = /^listener\.name\.([^.]+)\.(.+)$/;
const LISTENER_MECHANISM_CONFIGS = [
  'sasl.jaas.config',
  'sasl.login.callback.handler.class',
  'sasl.login.class',
  'sasl.server.callback.handler.class',
  'connections.max.reauth.ms',
];
// DynamicBrokerConfig.ClusterLevelListenerConfigs: may also be set at the cluster default.
const CLUSTER_LEVEL_LISTENER_CONFIGS = new Set(['max.connections', 'max.connection.creation.rate', 'num.network.threads']);
const listenerOverrides = new Map<string, ConfigDef>();

// The definition of a broker config name, listener overrides included; undefined if unknown.
export function brokerConfigDef(name: string): ConfigDef | undefined {
  const known = BROKER_CONFIG_BY_NAME.get(name);
  if (known) return known;
  const m = LISTENER_OVERRIDE.exec(name);
  if (!m) return undefined;
  const cached = listenerOverrides.get(name);
  if (cached) return cached;
  const rest = m[2]!;
  const baseName = BROKER_CONFIG_BY_NAME.has(rest) ? rest : LISTENER_MECHANISM_CONFIGS.find((c) => rest.endsWith(`.${c}`));
  const base = baseName === undefined ? undefined : BROKER_CONFIG_BY_NAME.get(baseName);
  if (!base) return undefined;
  const def: ConfigDef = {
    ...base,
    name,
    default: null,
    doc: `The ${baseName} of listener ${m[1]}, overriding ${baseName} for it.${NO_EFFECT}`,
    readOnly: false,
    perBroker: !CLUSTER_LEVEL_LISTENER_CONFIGS.has(baseName!),
    ignored: true,
  };
  listenerOverrides.set(name, def);
  return def;
}

// Broker configs that stand in for one another, highest precedence first (Kafka's
// DynamicBrokerConfig.brokerConfigSynonyms). Every other broker config is its own only synonym.
export const BROKER_SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  ['log.roll.ms', 'log.roll.hours'],
  ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
];

// Settings Kafka 4.0 removed (ZooKeeper mode, old message formats), for a helpful error.
export const REMOVED_IN_KAFKA_4: ReadonlyMap<string, string> = new Map([
  ['zookeeper.connect', 'ZooKeeper mode was removed in Kafka 4.0 and samsa needs no ZooKeeper; delete this line'],
  ['zookeeper.connection.timeout.ms', 'ZooKeeper mode was removed in Kafka 4.0 and samsa needs no ZooKeeper; delete this line'],
  ['zookeeper.session.timeout.ms', 'ZooKeeper mode was removed in Kafka 4.0 and samsa needs no ZooKeeper; delete this line'],
  ['broker.id.generation.enable', 'removed in Kafka 4.0 with ZooKeeper mode; set node.id instead'],
  ['reserved.broker.max.id', 'removed in Kafka 4.0 with ZooKeeper mode; set node.id instead'],
  ['control.plane.listener.name', 'removed in Kafka 4.0 with ZooKeeper mode; delete this line'],
  ['inter.broker.protocol.version', 'removed in Kafka 4.0 (the metadata version replaces it); delete this line'],
  ['log.message.format.version', 'removed in Kafka 4.0, which only writes record batch v2; delete this line'],
  ['log.message.timestamp.difference.max.ms', 'removed in Kafka 4.0; use log.message.timestamp.before.max.ms and log.message.timestamp.after.max.ms'],
  ['log.message.downconversion.enable', 'removed in Kafka 4.0, which never down-converts; delete this line'],
  ['offsets.commit.required.acks', 'removed in Kafka 4.0; delete this line'],
]);
