// Topic configs as a topic sees them: its own overrides, else the broker's synonyms, else Kafka's
// default; and the validation CreateTopics / AlterConfigs / IncrementalAlterConfigs apply.
//
// Precedence follows Kafka's KafkaConfigSchema.resolveEffectiveTopicConfig: the topic override,
// then each broker synonym in the dynamic per-broker layer (in synonym order), then the dynamic
// cluster-wide layer, then the static layer, then the broker defaults, then the topic default.
// A broker value is converted to the topic's unit (log.retention.hours=24 gives retention.ms
// 86400000).
//
// Deviation from Kafka's DescribeConfigs: Kafka drops synonyms that come before the first one
// named like the primary broker synonym (so with only log.retention.hours set it lists none and
// calls the source DEFAULT_CONFIG); samsa lists every synonym that has a value and reports the
// source the value really comes from, as Kafka's own CreateTopics response does.
import { validateValue, type ConfigType } from './config-def.js';
import { TOPIC_CONFIGS, TOPIC_CONFIG_BY_NAME, synonymValueForTopic } from './topic-configs.js';
import type { BrokerConfig, BrokerConfigSource, ConfigSynonymValue, TopicConfigSource } from './broker-config.js';

export interface TopicConfigEntry {
  name: string;
  value: string;
  source: TopicConfigSource;
  // The topic override (if any) and the broker synonyms that have a value, highest precedence
  // first, with the broker's own names and values (not converted).
  synonyms: ConfigSynonymValue<TopicConfigSource>[];
  readOnly: false;
  sensitive: boolean;
  // Accepted for compatibility; no effect in samsa (tiered storage, replication throttles).
  ignored: boolean;
  type: ConfigType;
  doc: string;
}

export type TopicOverrides = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

const LAYERS: ReadonlyArray<readonly [BrokerConfigSource, TopicConfigSource]> = [
  ['dynamic-broker', 'dynamic-broker'],
  ['dynamic-default-broker', 'dynamic-default-broker'],
  ['static', 'static-broker'],
  ['default', 'default'],
];

function overrideMap(overrides: TopicOverrides): ReadonlyMap<string, string> {
  return overrides instanceof Map ? overrides : new Map(Object.entries(overrides as Record<string, string>));
}

// Every topic config (sorted by name) with its effective value, source and synonyms.
export function resolveTopicConfig(broker: BrokerConfig, overrides: TopicOverrides = new Map()): TopicConfigEntry[] {
  const topicValues = overrideMap(overrides);
  return TOPIC_CONFIGS.map((def) => {
    const synonyms: ConfigSynonymValue<TopicConfigSource>[] = [];
    let value: string | null = null;
    const own = topicValues.get(def.name);
    if (own !== undefined) {
      const r = validateValue(def, own);
      value = r.ok ? r.value : own;
      synonyms.push({ name: def.name, value, source: 'topic' });
    }
    for (const [layer, source] of LAYERS) {
      for (const synonym of def.synonyms) {
        const v = broker.valueFrom(synonym.name, layer);
        if (v === null) continue;
        if (value === null) value = synonymValueForTopic(def.name, synonym, v);
        synonyms.push({ name: synonym.name, value: v, source });
      }
    }
    return {
      name: def.name,
      value: value ?? def.default ?? '',
      source: synonyms[0]?.source ?? 'default',
      synonyms,
      readOnly: false,
      sensitive: def.sensitive ?? def.type === 'password',
      ignored: def.ignored ?? false,
      type: def.type,
      doc: def.doc,
    };
  });
}

// name -> effective value, for the services that apply topic configs (storage, produce).
export function effectiveTopicConfig(broker: BrokerConfig, overrides: TopicOverrides = new Map()): Map<string, string> {
  return new Map(resolveTopicConfig(broker, overrides).map((e) => [e.name, e.value]));
}

// Checks topic configs from CreateTopics / AlterConfigs / IncrementalAlterConfigs. A null value
// deletes an override, so only its name is checked. Returns an INVALID_CONFIG message naming
// the first bad key, or null when all are valid.
export function validateTopicConfigs(entries: Readonly<Record<string, string | null>>): string | null {
  const names = Object.keys(entries);
  for (const name of names) if (!TOPIC_CONFIG_BY_NAME.has(name)) return `Unknown topic config name: ${name}`;
  const values = new Map<string, string>();
  for (const name of names) {
    const raw = entries[name];
    if (raw === null || raw === undefined) continue;
    const r = validateValue(TOPIC_CONFIG_BY_NAME.get(name)!, raw);
    if (!r.ok) return r.error;
    values.set(name, r.value);
  }
  const minLag = values.get('min.compaction.lag.ms');
  const maxLag = values.get('max.compaction.lag.ms');
  if (minLag !== undefined && maxLag !== undefined && BigInt(minLag) > BigInt(maxLag)) {
    return `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`;
  }
  if (values.get('remote.storage.enable') === 'true') {
    return 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.';
  }
  return null;
}
