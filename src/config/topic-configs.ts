// Every topic-level config of Kafka 4.x (TopicConfig / LogConfig), with Kafka's defaults, bounds
// and documentation, and the broker configs that supply each one's default when a topic does not
// override it (ServerTopicConfigSynonyms), in Kafka's order of precedence.
//
// Kafka 4.0 removed message.format.version, message.timestamp.difference.max.ms and
// message.downconversion.enable, so they are unknown here too. 4.0 also raised the minimum of
// segment.bytes to 1 MiB and lowered message.timestamp.after.max.ms to one hour (KIP-1030).
// The list matches what a Kafka 4.1 broker returns from DescribeConfigs for a topic.
import type { ConfigDef } from './config-def.js';

// A broker config whose value stands in for the topic config. `unit` converts the broker value
// into the topic config's unit (milliseconds): log.retention.hours=168 means retention.ms=604800000.
export interface TopicConfigSynonym {
  readonly name: string;
  readonly unit?: 'minutes' | 'hours';
}

export interface TopicConfigDef extends ConfigDef {
  readonly synonyms: readonly TopicConfigSynonym[];
}

const LONG_MAX = '9223372036854775807';

const THROTTLED_REPLICAS =
  (name: string) =>
  (value: string): string | null => {
    const items = value === '' ? [] : value.split(',');
    if (items.join('') === '*' || items.every((s) => /^(\d+:\d+)?$/.test(s))) return null;
    return `${name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`;
  };

const GZIP_LEVEL = (value: string): string | null => {
  const n = Number(value);
  return n === -1 || (n >= 1 && n <= 9) ? null : 'Value must be between 1 and 9 or equal to -1';
};

export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;

function topic(def: Omit<TopicConfigDef, 'synonyms'> & { synonyms?: readonly TopicConfigSynonym[] }): TopicConfigDef {
  return { ...def, synonyms: def.synonyms ?? [] };
}

// Sorted by name, the order Kafka lists them in (LogConfig.configNames()).
export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  topic({
    name: 'cleanup.policy',
    type: 'list',
    default: 'delete',
    validValues: ['compact', 'delete'],
    synonyms: [{ name: 'log.cleanup.policy' }],
    doc:
      'This config designates the retention policy to use on log segments. The "delete" policy (which is the default) will discard old segments ' +
      'when their retention time or size limit has been reached. The "compact" policy will enable log compaction, which retains the latest value ' +
      'for each key. It is also possible to specify both policies in a comma-separated list (e.g. "delete,compact"). In this case, old segments ' +
      'will be discarded per the retention time and size configuration, while retained segments will be compacted.',
  }),
  topic({
    name: 'compression.gzip.level',
    type: 'int',
    default: '-1',
    check: GZIP_LEVEL,
    synonyms: [{ name: 'compression.gzip.level' }],
    doc: 'The compression level to use if compression.type is set to gzip.',
  }),
  topic({
    name: 'compression.lz4.level',
    type: 'int',
    default: '9',
    min: 1,
    max: 17,
    synonyms: [{ name: 'compression.lz4.level' }],
    doc: 'The compression level to use if compression.type is set to lz4.',
  }),
  topic({
    name: 'compression.type',
    type: 'string',
    default: 'producer',
    validValues: COMPRESSION_TYPES,
    synonyms: [{ name: 'compression.type' }],
    doc:
      "Specify the final compression type for a given topic. This configuration accepts the standard compression codecs ('gzip', 'snappy', " +
      "'lz4', 'zstd'). It additionally accepts 'uncompressed' which is equivalent to no compression; and 'producer' which means retain the " +
      'original compression codec set by the producer.',
  }),
  topic({
    name: 'compression.zstd.level',
    type: 'int',
    default: '3',
    min: -131072,
    max: 22,
    synonyms: [{ name: 'compression.zstd.level' }],
    doc: 'The compression level to use if compression.type is set to zstd.',
  }),
  topic({
    name: 'delete.retention.ms',
    type: 'long',
    default: '86400000',
    min: 0,
    synonyms: [{ name: 'log.cleaner.delete.retention.ms' }],
    doc:
      'The amount of time to retain delete tombstone markers for log compacted topics. This setting also gives a bound on the time in which ' +
      'a consumer must complete a read if they begin from offset 0 to ensure that they get a valid snapshot of the final stage (otherwise ' +
      'delete tombstones may be collected before they complete their scan).',
  }),
  topic({
    name: 'file.delete.delay.ms',
    type: 'long',
    default: '60000',
    min: 0,
    synonyms: [{ name: 'log.segment.delete.delay.ms' }],
    doc: 'The time to wait before deleting a file from the filesystem',
  }),
  topic({
    name: 'flush.messages',
    type: 'long',
    default: LONG_MAX,
    min: 1,
    synonyms: [{ name: 'log.flush.interval.messages' }],
    doc:
      'This setting allows specifying an interval at which we will force an fsync of data written to the log. For example if this was set ' +
      'to 1 we would fsync after every message; if it were 5 we would fsync after every five messages. In general we recommend you not set ' +
      "this and use replication for durability and allow the operating system's background flush capabilities as it is more efficient.",
  }),
  topic({
    name: 'flush.ms',
    type: 'long',
    default: LONG_MAX,
    min: 0,
    synonyms: [{ name: 'log.flush.interval.ms' }, { name: 'log.flush.scheduler.interval.ms' }],
    doc:
      'This setting allows specifying a time interval at which we will force an fsync of data written to the log. For example if this was ' +
      'set to 1000 we would fsync after 1000 ms had passed. In general we recommend you not set this and use replication for durability and ' +
      "allow the operating system's background flush capabilities as it is more efficient.",
  }),
  topic({
    name: 'follower.replication.throttled.replicas',
    type: 'list',
    default: '',
    check: THROTTLED_REPLICAS('follower.replication.throttled.replicas'),
    ignored: true,
    doc:
      'A list of replicas for which log replication should be throttled on the follower side. The list should describe a set of replicas ' +
      "in the form [PartitionId]:[BrokerId],[PartitionId]:[BrokerId]:... or alternatively the wildcard '*' can be used to throttle all " +
      'replicas for this topic.',
  }),
  topic({
    name: 'index.interval.bytes',
    type: 'int',
    default: '4096',
    min: 0,
    synonyms: [{ name: 'log.index.interval.bytes' }],
    doc:
      'This setting controls how frequently Kafka adds an index entry to its offset index. The default setting ensures that we index a ' +
      'message roughly every 4096 bytes. More indexing allows reads to jump closer to the exact position in the log but makes the index ' +
      "larger. You probably don't need to change this.",
  }),
  topic({
    name: 'leader.replication.throttled.replicas',
    type: 'list',
    default: '',
    check: THROTTLED_REPLICAS('leader.replication.throttled.replicas'),
    ignored: true,
    doc:
      'A list of replicas for which log replication should be throttled on the leader side. The list should describe a set of replicas in ' +
      "the form [PartitionId]:[BrokerId],[PartitionId]:[BrokerId]:... or alternatively the wildcard '*' can be used to throttle all " +
      'replicas for this topic.',
  }),
  topic({
    name: 'local.retention.bytes',
    type: 'long',
    default: '-2',
    min: -2,
    synonyms: [{ name: 'log.local.retention.bytes' }],
    ignored: true,
    doc:
      'The maximum size of local log segments that can grow for a partition before it deletes the old segments. Default value is -2, it ' +
      'represents `retention.bytes` value to be used. The effective value should always be less than or equal to `retention.bytes` value.',
  }),
  topic({
    name: 'local.retention.ms',
    type: 'long',
    default: '-2',
    min: -2,
    synonyms: [{ name: 'log.local.retention.ms' }],
    ignored: true,
    doc:
      'The number of milliseconds to keep the local log segment before it gets deleted. Default value is -2, it represents `retention.ms` ' +
      'value is to be used. The effective value should always be less than or equal to `retention.ms` value.',
  }),
  topic({
    name: 'max.compaction.lag.ms',
    type: 'long',
    default: LONG_MAX,
    min: 1,
    synonyms: [{ name: 'log.cleaner.max.compaction.lag.ms' }],
    doc: 'The maximum time a message will remain ineligible for compaction in the log. Only applicable for logs that are being compacted.',
  }),
  topic({
    name: 'max.message.bytes',
    type: 'int',
    default: '1048588',
    min: 0,
    synonyms: [{ name: 'message.max.bytes' }],
    doc:
      'The largest record batch size allowed by Kafka (after compression if compression is enabled). In the latest message format ' +
      'version, records are always grouped into batches for efficiency.',
  }),
  topic({
    name: 'message.timestamp.after.max.ms',
    type: 'long',
    default: '3600000',
    min: 0,
    synonyms: [{ name: 'log.message.timestamp.after.max.ms' }],
    doc:
      "This configuration sets the allowable timestamp difference between the message timestamp and the broker's timestamp. The message " +
      "timestamp can be later than or equal to the broker's timestamp, with the maximum allowable difference determined by the value set " +
      'in this configuration. If message.timestamp.type=CreateTime, the message will be rejected if the difference in timestamps exceeds ' +
      'this specified threshold. This configuration is ignored if message.timestamp.type=LogAppendTime.',
  }),
  topic({
    name: 'message.timestamp.before.max.ms',
    type: 'long',
    default: LONG_MAX,
    min: 0,
    synonyms: [{ name: 'log.message.timestamp.before.max.ms' }],
    doc:
      "This configuration sets the allowable timestamp difference between the broker's timestamp and the message timestamp. The message " +
      "timestamp can be earlier than or equal to the broker's timestamp, with the maximum allowable difference determined by the value set " +
      'in this configuration. If message.timestamp.type=CreateTime, the message will be rejected if the difference in timestamps exceeds ' +
      'this specified threshold. This configuration is ignored if message.timestamp.type=LogAppendTime.',
  }),
  topic({
    name: 'message.timestamp.type',
    type: 'string',
    default: 'CreateTime',
    validValues: ['CreateTime', 'LogAppendTime'],
    synonyms: [{ name: 'log.message.timestamp.type' }],
    doc: 'Define whether the timestamp in the message is message create time or log append time. The value should be either `CreateTime` or `LogAppendTime`',
  }),
  topic({
    name: 'min.cleanable.dirty.ratio',
    type: 'double',
    default: '0.5',
    min: 0,
    max: 1,
    synonyms: [{ name: 'log.cleaner.min.cleanable.ratio' }],
    doc:
      'This configuration controls how frequently the log compactor will attempt to clean the log (assuming log compaction is enabled). By ' +
      'default we will avoid cleaning a log where more than 50% of the log has been compacted. This ratio bounds the maximum space wasted in ' +
      'the log by duplicates (at 50% at most 50% of the log could be duplicates). A higher ratio will mean fewer, more efficient cleanings ' +
      'but will mean more wasted space in the log. If the max.compaction.lag.ms or the min.compaction.lag.ms configurations are also ' +
      'specified, then the log compactor considers the log to be eligible for compaction as soon as either: (i) the dirty ratio threshold ' +
      'has been met and the log has had dirty (uncompacted) records for at least the min.compaction.lag.ms duration, or (ii) if the log has ' +
      'had dirty (uncompacted) records for at most the max.compaction.lag.ms period.',
  }),
  topic({
    name: 'min.compaction.lag.ms',
    type: 'long',
    default: '0',
    min: 0,
    synonyms: [{ name: 'log.cleaner.min.compaction.lag.ms' }],
    doc: 'The minimum time a message will remain uncompacted in the log. Only applicable for logs that are being compacted.',
  }),
  topic({
    name: 'min.insync.replicas',
    type: 'int',
    default: '1',
    min: 1,
    synonyms: [{ name: 'min.insync.replicas' }],
    doc:
      'When a producer sets acks to "all" (or "-1"), this configuration specifies the minimum number of replicas that must acknowledge a ' +
      'write for the write to be considered successful. If this minimum cannot be met, then the producer will raise an exception (either ' +
      'NotEnoughReplicas or NotEnoughReplicasAfterAppend). When used together, min.insync.replicas and acks allow you to enforce greater ' +
      'durability guarantees. A typical scenario would be to create a topic with a replication factor of 3, set min.insync.replicas to 2, ' +
      'and produce with acks of "all". This will ensure that the producer raises an exception if a majority of replicas do not receive a write.',
  }),
  topic({
    name: 'preallocate',
    type: 'boolean',
    default: 'false',
    synonyms: [{ name: 'log.preallocate' }],
    doc: 'True if we should preallocate the file on disk when creating a new log segment.',
  }),
  topic({
    name: 'remote.log.copy.disable',
    type: 'boolean',
    default: 'false',
    ignored: true,
    doc:
      'Determines whether tiered data for a topic should become read only, and no more data uploading on a topic. Once this config is set ' +
      'to true, the local retention configuration (i.e. local.retention.ms/bytes) becomes irrelevant, and all data expiration follows the ' +
      'topic-wide retention configuration (i.e. retention.ms/bytes).',
  }),
  topic({
    name: 'remote.log.delete.on.disable',
    type: 'boolean',
    default: 'false',
    ignored: true,
    doc:
      'Determines whether tiered data for a topic should be deleted after tiered storage is disabled on a topic. This configuration should ' +
      'be enabled when trying to set `remote.storage.enable` from true to false',
  }),
  topic({
    name: 'remote.storage.enable',
    type: 'boolean',
    default: 'false',
    ignored: true,
    doc: 'To enable tiered storage for a topic, set this configuration as true. samsa has no tiered storage, so only false is accepted.',
  }),
  topic({
    name: 'retention.bytes',
    type: 'long',
    default: '-1',
    synonyms: [{ name: 'log.retention.bytes' }],
    doc:
      'This configuration controls the maximum size a partition (which consists of log segments) can grow to before we will discard old log ' +
      'segments to free up space if we are using the "delete" retention policy. By default there is no size limit only a time limit. Since ' +
      'this limit is enforced at the partition level, multiply it by the number of partitions to compute the topic retention in bytes.',
  }),
  topic({
    name: 'retention.ms',
    type: 'long',
    default: '604800000',
    min: -1,
    synonyms: [{ name: 'log.retention.ms' }, { name: 'log.retention.minutes', unit: 'minutes' }, { name: 'log.retention.hours', unit: 'hours' }],
    doc:
      'This configuration controls the maximum time we will retain a log before we will discard old log segments to free up space if we are ' +
      'using the "delete" retention policy. This represents an SLA on how soon consumers must read their data. If set to -1, no time limit ' +
      'is applied.',
  }),
  topic({
    name: 'segment.bytes',
    type: 'int',
    default: '1073741824',
    min: 1048576,
    synonyms: [{ name: 'log.segment.bytes' }],
    doc:
      'This configuration controls the segment file size for the log. Retention and cleaning is always done a file at a time so a larger ' +
      'segment size means fewer files but less granular control over retention.',
  }),
  topic({
    name: 'segment.index.bytes',
    type: 'int',
    default: '10485760',
    min: 4,
    synonyms: [{ name: 'log.index.size.max.bytes' }],
    doc:
      'This configuration controls the size of the index that maps offsets to file positions. We preallocate this index file and shrink it ' +
      'only after log rolls. You generally should not need to change this setting.',
  }),
  topic({
    name: 'segment.jitter.ms',
    type: 'long',
    default: '0',
    min: 0,
    synonyms: [{ name: 'log.roll.jitter.ms' }, { name: 'log.roll.jitter.hours', unit: 'hours' }],
    doc: 'The maximum random jitter subtracted from the scheduled segment roll time to avoid thundering herds of segment rolling',
  }),
  topic({
    name: 'segment.ms',
    type: 'long',
    default: '604800000',
    min: 1,
    synonyms: [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', unit: 'hours' }],
    doc:
      "This configuration controls the period of time after which Kafka will force the log to roll even if the segment file isn't full to " +
      'ensure that retention can delete or compact old data.',
  }),
  topic({
    name: 'unclean.leader.election.enable',
    type: 'boolean',
    default: 'false',
    synonyms: [{ name: 'unclean.leader.election.enable' }],
    doc: 'Indicates whether to enable replicas not in the ISR set to be elected as leader as a last resort, even though doing so may result in ' + 'data loss.',
  }),
];

export const TOPIC_CONFIG_BY_NAME: ReadonlyMap<string, TopicConfigDef> = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

// A broker synonym's value expressed in the topic config's unit. A negative retention from any
// synonym means "no limit" and becomes -1, as Kafka's KafkaConfig.logRetentionTimeMillis does.
export function synonymValueForTopic(topicConfig: string, synonym: TopicConfigSynonym, value: string): string {
  const factor = synonym.unit === 'hours' ? 3_600_000n : synonym.unit === 'minutes' ? 60_000n : 1n;
  if (factor === 1n && topicConfig !== 'retention.ms') return value;
  const ms = BigInt(value) * factor;
  return topicConfig === 'retention.ms' && ms < 0n ? '-1' : ms.toString();
}
