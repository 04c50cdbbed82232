// Kafka 4's group configs (KIP-848 / KIP-932 / KIP-1071: config resource type GROUP), set per
// group with IncrementalAlterConfigs / AlterConfigs and described with DescribeConfigs. Each
// defaults to its broker-wide synonym (group.consumer.session.timeout.ms for
// consumer.session.timeout.ms, ...). Names, types, bounds and validation rules follow
// org.apache.kafka.coordinator.group.GroupConfig.
//
// samsa acts on the two that govern KIP-848 consumer groups (consumer.session.timeout.ms and
// consumer.heartbeat.interval.ms, see src/coordinator/consumer/heartbeat.ts); samsa has no share
// or streams groups, so the share.* and streams.* values are stored and described only.
import { validateValue, type ConfigDef } from './config-def.js';
import type { BrokerConfig } from './broker-config.js';

export interface GroupConfigDef extends ConfigDef {
  // The broker config that gives the default.
  brokerSynonym: string | null;
  // Broker configs bounding the value (GroupConfig.validateValues); null for no bound.
  brokerMin: string | null;
  brokerMax: string | null;
}

const NO_EFFECT = ' Stored and described; no effect in samsa, which has no share or streams groups.';

function g(
  name: string,
  type: 'int' | 'long' | 'string',
  brokerSynonym: string | null,
  fallback: string,
  doc: string,
  extra: Partial<GroupConfigDef> = {},
): GroupConfigDef {
  return { name, type, default: fallback, doc, brokerSynonym, brokerMin: null, brokerMax: null, ...extra };
}

export const GROUP_CONFIGS: readonly GroupConfigDef[] = [
  g(
    'consumer.session.timeout.ms',
    'int',
    'group.consumer.session.timeout.ms',
    '45000',
    'The timeout to detect client failures when using the consumer group protocol.',
    {
      min: 1,
      brokerMin: 'group.consumer.min.session.timeout.ms',
      brokerMax: 'group.consumer.max.session.timeout.ms',
    },
  ),
  g(
    'consumer.heartbeat.interval.ms',
    'int',
    'group.consumer.heartbeat.interval.ms',
    '5000',
    'The heartbeat interval given to the members of a consumer group.',
    {
      min: 1,
      brokerMin: 'group.consumer.min.heartbeat.interval.ms',
      brokerMax: 'group.consumer.max.heartbeat.interval.ms',
    },
  ),
  g(
    'share.session.timeout.ms',
    'int',
    'group.share.session.timeout.ms',
    '45000',
    'The timeout to detect client failures when using the share group protocol.' + NO_EFFECT,
    {
      min: 1,
      brokerMin: 'group.share.min.session.timeout.ms',
      brokerMax: 'group.share.max.session.timeout.ms',
    },
  ),
  g(
    'share.heartbeat.interval.ms',
    'int',
    'group.share.heartbeat.interval.ms',
    '5000',
    'The heartbeat interval given to the members of a share group.' + NO_EFFECT,
    {
      min: 1,
      brokerMin: 'group.share.min.heartbeat.interval.ms',
      brokerMax: 'group.share.max.heartbeat.interval.ms',
    },
  ),
  g(
    'share.record.lock.duration.ms',
    'int',
    'group.share.record.lock.duration.ms',
    '30000',
    'The record acquisition lock duration in milliseconds for share groups.' + NO_EFFECT,
    {
      min: 1000,
      brokerMin: 'group.share.min.record.lock.duration.ms',
      brokerMax: 'group.share.max.record.lock.duration.ms',
    },
  ),
  g(
    'share.delivery.count.limit',
    'int',
    'group.share.delivery.count.limit',
    '5',
    'The maximum number of delivery attempts for a record delivered to a share group.' + NO_EFFECT,
    { min: 2 },
  ),
  g(
    'share.partition.max.record.locks',
    'int',
    'group.share.partition.max.record.locks',
    '2000',
    'Share-group record lock limit per share-partition.' + NO_EFFECT,
    { min: 100 },
  ),
  g(
    'share.auto.offset.reset',
    'string',
    null,
    'latest',
    'The strategy to initialize the share-partition start offset: earliest, latest or by_duration:<ISO8601 duration>.' + NO_EFFECT,
    {
      check: (v) =>
        v === 'earliest' || v === 'latest' || /^by_duration:P/.test(v)
          ? null
          : "The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS.>'.",
    },
  ),
  g('share.isolation.level', 'string', null, 'read_uncommitted', 'Controls how to read records written transactionally by a share group.' + NO_EFFECT, {
    validValues: ['read_committed', 'read_uncommitted'],
  }),
  g(
    'streams.session.timeout.ms',
    'int',
    'group.streams.session.timeout.ms',
    '45000',
    'The timeout to detect client failures when using the streams group protocol.' + NO_EFFECT,
    {
      min: 1,
      brokerMin: 'group.streams.min.session.timeout.ms',
      brokerMax: 'group.streams.max.session.timeout.ms',
    },
  ),
  g(
    'streams.heartbeat.interval.ms',
    'int',
    'group.streams.heartbeat.interval.ms',
    '5000',
    'The heartbeat interval given to the members of a streams group.' + NO_EFFECT,
    {
      min: 1,
      brokerMin: 'group.streams.min.heartbeat.interval.ms',
      brokerMax: 'group.streams.max.heartbeat.interval.ms',
    },
  ),
  g('streams.num.standby.replicas', 'int', 'group.streams.num.standby.replicas', '0', 'The number of standby replicas for each task.' + NO_EFFECT, {
    min: 0,
    brokerMax: 'group.streams.max.standby.replicas',
  }),
  g(
    'streams.initial.rebalance.delay.ms',
    'int',
    'group.streams.initial.rebalance.delay.ms',
    '3000',
    'The amount of time the group coordinator will wait for more streams clients to join a new group before performing the first rebalance.' + NO_EFFECT,
    { min: 0 },
  ),
];

export const GROUP_CONFIG_BY_NAME: ReadonlyMap<string, GroupConfigDef> = new Map(GROUP_CONFIGS.map((d) => [d.name, d]));

// The session timeout / heartbeat interval pairs that must keep session > heartbeat.
const SESSION_HEARTBEAT: ReadonlyArray<readonly [string, string]> = [
  ['consumer.session.timeout.ms', 'consumer.heartbeat.interval.ms'],
  ['share.session.timeout.ms', 'share.heartbeat.interval.ms'],
  ['streams.session.timeout.ms', 'streams.heartbeat.interval.ms'],
];

// The value a group gets when it has no override: its broker synonym's current value.
export function groupConfigDefault(broker: BrokerConfig, def: GroupConfigDef): string {
  return def.brokerSynonym === null ? def.default! : (broker.get(def.brokerSynonym) ?? def.default!);
}

// Validates a group's complete set of overrides as Kafka's GroupConfig.validate does; returns
// the canonical values, or the reason they are refused (Kafka answers INVALID_CONFIG).
export function validateGroupConfigs(
  broker: BrokerConfig,
  configs: Record<string, string>,
): { ok: true; configs: Record<string, string> } | { ok: false; error: string } {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(configs)) {
    const def = GROUP_CONFIG_BY_NAME.get(name);
    if (!def) return { ok: false, error: `Unknown group config name: ${name}` };
    const r = validateValue(def, raw);
    if (!r.ok) return r;
    out[name] = r.value;
  }
  for (const [name, value] of Object.entries(out)) {
    const def = GROUP_CONFIG_BY_NAME.get(name)!;
    const n = Number(value);
    const min = def.brokerMin === null ? null : broker.getInt(def.brokerMin);
    const max = def.brokerMax === null ? null : broker.getInt(def.brokerMax);
    if (min !== null && max !== null && (n < min || n > max)) return { ok: false, error: `${name} must be in the range ${min} to ${max} inclusive.` };
    if (max !== null && n > max) return { ok: false, error: `${name} must be less than or equal to ${max}` };
  }
  for (const [session, heartbeat] of SESSION_HEARTBEAT) {
    if (out[session] === undefined && out[heartbeat] === undefined) continue;
    const s = Number(out[session] ?? groupConfigDefault(broker, GROUP_CONFIG_BY_NAME.get(session)!));
    const h = Number(out[heartbeat] ?? groupConfigDefault(broker, GROUP_CONFIG_BY_NAME.get(heartbeat)!));
    if (s <= h) return { ok: false, error: `${session} must be greater than ${heartbeat}` };
  }
  return { ok: true, configs: out };
}

// The value in force for a group: its override kept within the broker's current bounds (the
// bounds may have changed since it was set; Kafka's GroupConfig.evaluate caps it the same way),
// else the broker default.
export function effectiveGroupConfigInt(broker: BrokerConfig, overrides: Readonly<Record<string, string>> | undefined, name: string): number {
  const def = GROUP_CONFIG_BY_NAME.get(name);
  if (!def) throw new Error(`no group config ${name}`);
  const set = overrides?.[name];
  if (set === undefined) return Number(groupConfigDefault(broker, def));
  let n = Number(set);
  if (def.brokerMin !== null) n = Math.max(n, broker.getInt(def.brokerMin));
  if (def.brokerMax !== null) n = Math.min(n, broker.getInt(def.brokerMax));
  return n;
}
