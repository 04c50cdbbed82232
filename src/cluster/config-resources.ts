// Config resources (topics, brokers and groups) as DescribeConfigs / AlterConfigs /
// IncrementalAlterConfigs see them: resolving a resource name, listing its entries, and applying
// a change atomically (validate everything first, then change, then persist).
import { ErrorCode, KafkaError } from '../errors.js';
import {
  ConfigError,
  configSourceCode,
  configTypeCode,
  effectiveTopicConfig,
  parseList,
  resolveTopicConfig,
  brokerConfigDef,
  TOPIC_CONFIG_BY_NAME,
  type BrokerConfig,
  type DynamicScope,
} from '../config/index.js';
import { GROUP_CONFIGS, GROUP_CONFIG_BY_NAME, groupConfigDefault } from '../config/group-configs.js';
import type { ClusterMetadata } from './cluster-metadata.js';
import type { TopicState } from './topic.js';

// What config resources need of the broker, passed in by the caller (the handlers pass
// `ctx.broker`): its id, its config, the cluster metadata, and a hook that applies dynamic broker
// configs that take effect without a restart.
export interface ConfigResourceServices {
  readonly nodeId: number;
  readonly config: BrokerConfig;
  readonly metadata: ClusterMetadata;
  applyDynamicConfig(): void;
}

// Kafka's ConfigResource.Type codes.
export const ResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, CLIENT_METRICS: 16, BROKER_LOGGER: 8, GROUP: 32 } as const;

// IncrementalAlterConfigs operations (AlterConfigOp.OpType).
export const ConfigOperation = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigEntryView {
  name: string;
  value: string | null; // null for sensitive values
  readOnly: boolean;
  isDefault: boolean;
  source: number;
  sensitive: boolean;
  synonyms: Array<{ name: string; value: string | null; source: number }>;
  type: number;
  documentation: string | null;
}

export function topicResource(broker: ConfigResourceServices, name: string): TopicState {
  if (name === '') throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic name is illegal, it can't be empty");
  const t = broker.metadata.topic(name);
  if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
  return t;
}

// "" is the cluster-wide default layer; otherwise the name must be this broker's id (the admin
// client sends broker resources to the broker they name).
export function brokerScope(broker: ConfigResourceServices, name: string): DynamicScope {
  if (name === '') return 'cluster';
  if (!/^-?\d+$/.test(name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
  if (Number(name) !== broker.nodeId) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${name}`);
  }
  return 'broker';
}

export function describeResource(
  broker: ConfigResourceServices,
  resourceType: number,
  resourceName: string,
  keys: readonly string[] | null,
  includeSynonyms: boolean,
  includeDocumentation: boolean,
): ConfigEntryView[] {
  // Null or empty: every config (ConfigHelper.describeConfigs).
  const wanted = keys === null || keys.length === 0 ? null : new Set(keys);
  const pick = <T extends { name: string }>(xs: T[]) => (wanted === null ? xs : xs.filter((x) => wanted.has(x.name)));
  if (resourceType === ResourceType.TOPIC) {
    const t = topicResource(broker, resourceName);
    return pick(resolveTopicConfig(broker.config, t.configs)).map((e) => ({
      name: e.name,
      value: e.sensitive ? null : e.value,
      readOnly: e.readOnly,
      isDefault: e.source === 'default',
      source: configSourceCode(e.source),
      sensitive: e.sensitive,
      synonyms: includeSynonyms ? e.synonyms.map((s) => ({ name: s.name, value: e.sensitive ? null : s.value, source: configSourceCode(s.source) })) : [],
      type: configTypeCode(e.type),
      documentation: includeDocumentation ? e.doc : null,
    }));
  }
  if (resourceType === ResourceType.BROKER) {
    const scope = brokerScope(broker, resourceName);
    let entries = broker.config.entries();
    // The cluster-default resource lists only what is set at that layer (as Kafka does).
    if (scope === 'cluster')
      entries = entries.filter((e) => e.source === 'dynamic-default-broker' || broker.config.dynamicEntries('cluster')[e.name] !== undefined);
    return pick(entries).map((e) => ({
      name: e.name,
      value: e.sensitive ? null : e.value,
      readOnly: e.readOnly,
      isDefault: e.source === 'default',
      source: configSourceCode(scope === 'cluster' ? 'dynamic-default-broker' : e.source),
      sensitive: e.sensitive,
      synonyms: includeSynonyms ? e.synonyms.map((s) => ({ name: s.name, value: e.sensitive ? null : s.value, source: configSourceCode(s.source) })) : [],
      type: configTypeCode(e.type),
      documentation: includeDocumentation ? e.doc : null,
    }));
  }
  if (resourceType === ResourceType.GROUP) {
    // kafka.server.ConfigHelper: every group config, GROUP_CONFIG when the group overrides it,
    // else DEFAULT_CONFIG with the broker's current value; the group need not exist.
    if (resourceName === '') throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Group name must not be empty');
    const overrides = broker.metadata.groupConfig(resourceName);
    return pick([...GROUP_CONFIGS]).map((d) => {
      const set = overrides[d.name];
      const value = set ?? groupConfigDefault(broker.config, d);
      const source = set !== undefined ? GROUP_CONFIG_SOURCE : configSourceCode('default');
      return {
        name: d.name,
        value,
        readOnly: false,
        isDefault: set === undefined,
        source,
        sensitive: false,
        synonyms: includeSynonyms ? [{ name: d.name, value, source }] : [],
        type: configTypeCode(d.type),
        documentation: includeDocumentation ? d.doc : null,
      };
    });
  }
  throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType}: samsa serves configs of topics (2), brokers (4) and groups (32)`);
}

// DescribeConfigsResponse.ConfigSource.GROUP_CONFIG.
const GROUP_CONFIG_SOURCE = 8;

// The change asked for, as a full map of the resource's explicit settings afterwards.
export type ConfigChange =
  { kind: 'replace'; entries: Record<string, string | null> } | { kind: 'incremental'; ops: Array<{ name: string; op: number; value: string | null }> };

function incrementalTarget(
  current: Record<string, string>,
  effective: ReadonlyMap<string, string>,
  ops: Array<{ name: string; op: number; value: string | null }>,
  isList: (n: string) => boolean,
): Record<string, string> {
  const next: Record<string, string> = { ...current };
  const seen = new Set<string>();
  for (const { name, op, value } of ops) {
    if (seen.has(name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys: ${name}`);
    seen.add(name);
    switch (op) {
      case ConfigOperation.SET:
        if (value === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for: ${name}`);
        next[name] = value;
        break;
      case ConfigOperation.DELETE:
        delete next[name];
        break;
      case ConfigOperation.APPEND:
      case ConfigOperation.SUBTRACT: {
        if (!isList(name)) {
          throw new KafkaError(
            ErrorCode.INVALID_CONFIG,
            `Config value ${op === ConfigOperation.APPEND ? 'append' : 'subtract'} is not allowed for config key: ${name}`,
          );
        }
        const base = parseList(next[name] ?? effective.get(name) ?? '');
        const items = parseList(value ?? '');
        const out = op === ConfigOperation.APPEND ? [...base, ...items.filter((i) => !base.includes(i))] : base.filter((b) => !items.includes(b));
        next[name] = out.join(',');
        break;
      }
      default:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown config operation ${op} for ${name}`);
    }
  }
  return next;
}

export async function alterResource(
  broker: ConfigResourceServices,
  resourceType: number,
  resourceName: string,
  change: ConfigChange,
  validateOnly: boolean,
): Promise<void> {
  if (resourceType === ResourceType.TOPIC) {
    const t = topicResource(broker, resourceName);
    let next: Record<string, string>;
    if (change.kind === 'replace') {
      next = {};
      for (const [k, v] of Object.entries(change.entries)) {
        if (v === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for topic configs: ${k}`);
        next[k] = v;
      }
    } else {
      next = incrementalTarget(t.configs, effectiveTopicConfig(broker.config, t.configs), change.ops, (n) => TOPIC_CONFIG_BY_NAME.get(n)?.type === 'list');
    }
    await broker.metadata.setTopicConfigs(t, next, validateOnly);
    return;
  }
  if (resourceType === ResourceType.BROKER) {
    const scope = brokerScope(broker, resourceName);
    const current = broker.config.dynamicEntries(scope);
    let next: Record<string, string>;
    if (change.kind === 'replace') {
      next = {};
      for (const [k, v] of Object.entries(change.entries)) if (v !== null) next[k] = v;
    } else {
      const effective = new Map(broker.config.entries().map((e) => [e.name, e.value ?? '']));
      next = incrementalTarget(current, effective, change.ops, (n) => brokerConfigDef(n)?.type === 'list');
    }
    const edits: Array<[string, string | null]> = [
      ...Object.keys(current)
        .filter((k) => !(k in next))
        .map((k): [string, string | null] => [k, null]),
      ...Object.entries(next).filter(([k, v]) => current[k] !== v),
    ];
    // Kafka's ConfigAdminManager answers every refused broker config change INVALID_REQUEST
    // (it wraps DynamicBrokerConfig's ConfigException, see KAFKA-13609), static ones first.
    const nonDynamic = edits.filter(([k]) => brokerConfigDef(k)?.readOnly).map(([k]) => k);
    if (nonDynamic.length > 0) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: Set(${nonDynamic.join(', ')})`);
    if (scope === 'cluster') {
      // DynamicBrokerConfig.validateConfigs: a listener's SSL/SASL settings belong to one broker.
      const perBroker = edits.filter(([k, v]) => v !== null && brokerConfigDef(k)?.perBroker).map(([k]) => k);
      if (perBroker.length > 0)
        throw new KafkaError(
          ErrorCode.INVALID_REQUEST,
          `Cannot update these configs at default cluster level, broker id must be specified: Set(${perBroker.join(', ')})`,
        );
    }
    try {
      for (const [k, v] of edits) broker.config.validateDynamic(k, v);
    } catch (err) {
      if (err instanceof ConfigError) throw new KafkaError(ErrorCode.INVALID_REQUEST, err.message);
      throw err;
    }
    if (validateOnly) return;
    const applied: Array<[string, string | null]> = [];
    try {
      for (const [k, v] of edits) {
        broker.config.setDynamic(k, v, scope);
        applied.push([k, current[k] ?? null]);
      }
    } catch (err) {
      // A rule between settings failed part way: put back what was applied.
      for (const [k, old] of applied.reverse()) broker.config.setDynamic(k, old, scope);
      if (err instanceof ConfigError) throw new KafkaError(ErrorCode.INVALID_REQUEST, err.message);
      throw err;
    }
    await broker.metadata.brokerConfigsChanged();
    broker.applyDynamicConfig();
    return;
  }
  if (resourceType === ResourceType.GROUP) {
    // ControllerConfigurationValidator: the group's whole resulting set is validated.
    if (resourceName === '') throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Default group resources are not allowed.');
    const current = broker.metadata.groupConfig(resourceName);
    let next: Record<string, string>;
    if (change.kind === 'replace') {
      next = {};
      for (const [k, v] of Object.entries(change.entries)) {
        if (v === null) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for group configs: ${k}`);
        next[k] = v;
      }
    } else {
      const effective = new Map(GROUP_CONFIGS.map((d) => [d.name, current[d.name] ?? groupConfigDefault(broker.config, d)]));
      next = incrementalTarget({ ...current }, effective, change.ops, (n) => GROUP_CONFIG_BY_NAME.get(n)?.type === 'list');
    }
    await broker.metadata.setGroupConfigs(resourceName, next, validateOnly);
    return;
  }
  throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType}: samsa alters configs of topics (2), brokers (4) and groups (32)`);
}
