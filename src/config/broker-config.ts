// BrokerConfig: the broker's settings, from Kafka-style sources, with Kafka's precedence.
//
//   defaults < static (server.properties, then --set / programmatic overrides)
//            < dynamic cluster-wide default (AlterConfigs on broker resource "")
//            < dynamic per broker (AlterConfigs on this broker's id)
//
// Loading stops at the first unknown key or invalid value with a ConfigError whose message is one
// line naming the setting and what it accepts. Values are stored as validated canonical strings;
// the typed getters parse them. Derived values (logRetentionMs, logRollMs, logDirs, listeners)
// apply Kafka's rules between related settings.
import { readFileSync } from 'node:fs';
import { parseList, suggestName, validateValue, type ConfigDef, type ConfigType } from './config-def.js';
import { BROKER_CONFIGS, BROKER_CONFIG_BY_NAME, BROKER_SYNONYM_GROUPS, REMOVED_IN_KAFKA_4, brokerConfigDef } from './broker-configs.js';
import { TOPIC_CONFIG_BY_NAME } from './topic-configs.js';
import { parseListenerList, parseSecurityProtocolMap, type ListenerSpec } from './listeners.js';
import { parsePropertyEntries, PropertiesSyntaxError } from './properties.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

// Where a broker config's value comes from. 'static' is server.properties or an override.
export type BrokerConfigSource = 'dynamic-broker' | 'dynamic-default-broker' | 'static' | 'default';
// Where a topic config's value comes from: the topic itself, or a broker synonym's layer.
export type TopicConfigSource = 'topic' | 'dynamic-broker' | 'dynamic-default-broker' | 'static-broker' | 'default';
export type ConfigSourceName = BrokerConfigSource | TopicConfigSource;

// DescribeConfigs ConfigSource codes (DescribeConfigsResponse.ConfigSource).
export const CONFIG_SOURCE_CODES: Readonly<Record<ConfigSourceName, number>> = {
  topic: 1, // DYNAMIC_TOPIC_CONFIG
  'dynamic-broker': 2, // DYNAMIC_BROKER_CONFIG
  'dynamic-default-broker': 3, // DYNAMIC_DEFAULT_BROKER_CONFIG
  static: 4, // STATIC_BROKER_CONFIG
  'static-broker': 4,
  default: 5, // DEFAULT_CONFIG
};

export function configSourceCode(source: ConfigSourceName): number {
  return CONFIG_SOURCE_CODES[source];
}

export interface ConfigSynonymValue<S extends ConfigSourceName = ConfigSourceName> {
  name: string;
  value: string | null;
  source: S;
}

// One row of DescribeConfigs for a broker resource. `value` is never masked here: handlers send
// null for sensitive entries.
export interface BrokerConfigEntry {
  name: string;
  value: string | null;
  source: BrokerConfigSource;
  // Kafka's synonyms for this config, highest precedence first (e.g. log.retention.hours after
  // log.retention.ms), each with the layer its value comes from.
  synonyms: ConfigSynonymValue<BrokerConfigSource>[];
  readOnly: boolean;
  sensitive: boolean;
  ignored: boolean;
  type: ConfigType;
  doc: string;
}

export interface Listener extends ListenerSpec {
  securityProtocol: string;
}

export type DynamicScope = 'broker' | 'cluster';

export interface LoadOptions {
  // A server.properties file.
  file?: string;
  // Properties text, applied after the file.
  text?: string;
  // key=value settings (`--set`, CLI flags, programmatic options), applied last.
  overrides?: Readonly<Record<string, string>>;
}

const MS_PER_MINUTE = 60_000n;
const MS_PER_HOUR = 3_600_000n;

function unknownConfigMessage(name: string): string {
  const removed = REMOVED_IN_KAFKA_4.get(name);
  if (removed) return `Unknown configuration '${name}': ${removed}`;
  const topic = TOPIC_CONFIG_BY_NAME.get(name);
  if (topic && topic.synonyms.length > 0 && topic.synonyms[0]!.name !== name) {
    return `Unknown configuration '${name}': it is a topic config; the broker-wide default is '${topic.synonyms[0]!.name}'`;
  }
  const suggestion = suggestName(name, BROKER_CONFIG_BY_NAME.keys());
  return suggestion ? `Unknown configuration '${name}' (did you mean '${suggestion}'?)` : `Unknown configuration '${name}'`;
}

function knownDef(name: string): ConfigDef {
  const def = brokerConfigDef(name);
  if (!def) throw new Error(`BrokerConfig has no configuration '${name}'`);
  return def;
}

export class BrokerConfig {
  private readonly staticValues = new Map<string, string>();
  private readonly dynamicCluster = new Map<string, string>();
  private readonly dynamicBroker = new Map<string, string>();

  private constructor() {}

  static load(options: LoadOptions = {}): BrokerConfig {
    const config = new BrokerConfig();
    if (options.file !== undefined) {
      let text: string;
      try {
        text = readFileSync(options.file, 'utf8');
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new ConfigError(`Cannot read config file '${options.file}': ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
      }
      config.applyText(text, options.file);
    }
    if (options.text !== undefined) config.applyText(options.text, 'config text');
    for (const [key, value] of Object.entries(options.overrides ?? {})) config.setStatic(key.trim(), value);
    config.checkConsistency();
    return config;
  }

  private applyText(text: string, where: string): void {
    let entries;
    try {
      entries = parsePropertyEntries(text);
    } catch (err) {
      if (err instanceof PropertiesSyntaxError) throw new ConfigError(`${where}: ${err.message}`);
      throw err;
    }
    for (const e of entries) this.setStatic(e.key, e.value);
  }

  private setStatic(name: string, raw: string): void {
    const def = brokerConfigDef(name);
    if (!def) throw new ConfigError(unknownConfigMessage(name));
    const r = validateValue(def, raw);
    if (!r.ok) throw new ConfigError(r.error);
    this.staticValues.set(name, r.value);
  }

  // ---- values ----

  // The effective value: dynamic broker > dynamic cluster default > static > default.
  get(name: string): string | null {
    const def = knownDef(name);
    return this.dynamicBroker.get(name) ?? this.dynamicCluster.get(name) ?? this.staticValues.get(name) ?? def.default;
  }

  // The value a config has in one layer, or null when that layer does not set it.
  valueFrom(name: string, source: BrokerConfigSource): string | null {
    const def = knownDef(name);
    switch (source) {
      case 'dynamic-broker':
        return this.dynamicBroker.get(name) ?? null;
      case 'dynamic-default-broker':
        return this.dynamicCluster.get(name) ?? null;
      case 'static':
        return this.staticValues.get(name) ?? null;
      case 'default':
        return def.default;
    }
  }

  source(name: string): BrokerConfigSource {
    knownDef(name);
    if (this.dynamicBroker.has(name)) return 'dynamic-broker';
    if (this.dynamicCluster.has(name)) return 'dynamic-default-broker';
    if (this.staticValues.has(name)) return 'static';
    return 'default';
  }

  // True when the config was given explicitly (file, override or dynamically), not defaulted.
  isSet(name: string): boolean {
    return this.source(name) !== 'default';
  }

  getString(name: string): string | null {
    return this.get(name);
  }

  private required(name: string): string {
    const v = this.get(name);
    if (v === null) throw new Error(`Configuration '${name}' has no value; use get() for settings without a default`);
    return v;
  }

  getInt(name: string): number {
    return Number(this.required(name));
  }

  // 64-bit values come back as the nearest JS number (Long.MAX_VALUE reads as ~9.22e18).
  getLong(name: string): number {
    return Number(this.required(name));
  }

  getDouble(name: string): number {
    return Number(this.required(name));
  }

  getBoolean(name: string): boolean {
    return this.required(name) === 'true';
  }

  getList(name: string): string[] {
    return parseList(this.get(name));
  }

  // ---- derived values, with Kafka's precedence rules ----

  private millis(first: string, minutes: string | null, hours: string): bigint {
    const ms = this.get(first);
    if (ms !== null) return BigInt(ms);
    const min = minutes === null ? null : this.get(minutes);
    if (min !== null) return BigInt(min) * MS_PER_MINUTE;
    return BigInt(this.required(hours)) * MS_PER_HOUR;
  }

  // log.retention.ms > log.retention.minutes > log.retention.hours; any negative value is -1 (no limit).
  logRetentionMs(): number {
    const ms = this.millis('log.retention.ms', 'log.retention.minutes', 'log.retention.hours');
    return ms < 0n ? -1 : Number(ms);
  }

  // log.roll.ms > log.roll.hours.
  logRollMs(): number {
    return Number(this.millis('log.roll.ms', null, 'log.roll.hours'));
  }

  // log.roll.jitter.ms > log.roll.jitter.hours.
  logRollJitterMs(): number {
    return Number(this.millis('log.roll.jitter.ms', null, 'log.roll.jitter.hours'));
  }

  // log.flush.interval.ms > log.flush.scheduler.interval.ms.
  logFlushIntervalMs(): number {
    return Number(this.get('log.flush.interval.ms') ?? this.required('log.flush.scheduler.interval.ms'));
  }

  // log.dirs if set, else log.dir if set, else samsa's default log.dirs (./samsa-data).
  logDirs(): string[] {
    if (this.isSet('log.dirs') || !this.isSet('log.dir')) return this.getList('log.dirs');
    return this.getList('log.dir');
  }

  // node.id if set, else broker.id if set, else 1.
  nodeId(): number {
    const nodeId = this.getInt('node.id');
    if (nodeId >= 0) return nodeId;
    const brokerId = this.getInt('broker.id');
    return brokerId >= 0 ? brokerId : 1;
  }

  storage(): 'disk' | 'memory' {
    return this.required('samsa.storage') as 'disk' | 'memory';
  }

  private controllerListenerNames(): Set<string> {
    return new Set(this.getList('controller.listener.names').map((n) => n.toUpperCase()));
  }

  private securityProtocolFor(name: string): string | undefined {
    const map = parseSecurityProtocolMap(this.required('listener.security.protocol.map'));
    const protocol = typeof map === 'string' ? undefined : map.get(name);
    return protocol ?? (this.controllerListenerNames().has(name) ? 'PLAINTEXT' : undefined);
  }

  private parseListeners(name: 'listeners' | 'advertised.listeners'): Listener[] {
    const value = this.get(name);
    const parsed = value === null ? [] : parseListenerList(value);
    if (typeof parsed === 'string') throw new ConfigError(`Invalid value ${value} for configuration ${name}: ${parsed}`);
    return parsed.map((l) => ({ ...l, securityProtocol: this.securityProtocolFor(l.name) ?? 'PLAINTEXT' }));
  }

  // Every entry of `listeners`, in order. Host '' means all interfaces; [::1] gives host '::1'.
  listeners(): Listener[] {
    return this.parseListeners('listeners');
  }

  // The listeners that serve clients: `listeners` without those in controller.listener.names.
  brokerListeners(): Listener[] {
    const controllers = this.controllerListenerNames();
    return this.listeners().filter((l) => !controllers.has(l.name));
  }

  // What to advertise to clients: advertised.listeners if set, else the listeners (port 0 and an
  // empty host are for the caller to replace with the address actually bound). Controller
  // listeners are left out.
  advertisedListeners(): Listener[] {
    if (this.get('advertised.listeners') === null) return this.brokerListeners();
    const controllers = this.controllerListenerNames();
    return this.parseListeners('advertised.listeners').filter((l) => !controllers.has(l.name));
  }

  // Settings given explicitly that samsa accepts but ignores, for a start-up log line.
  ignoredSettings(): string[] {
    return [...BROKER_CONFIGS.filter((d) => d.ignored && this.isSet(d.name)).map((d) => d.name), ...this.listenerOverrideNames()];
  }

  // ---- DescribeConfigs ----

  entry(name: string): BrokerConfigEntry {
    const def = knownDef(name);
    if ((name === 'node.id' || name === 'broker.id') && this.getInt(name) < 0) {
      // Kafka copies node.id and broker.id into each other (KafkaConfig.populateSynonyms): both
      // report the id the broker runs with, as a static setting.
      const value = String(this.nodeId());
      return {
        name,
        value,
        source: 'static',
        synonyms: [{ name, value, source: 'static' }],
        readOnly: true,
        sensitive: false,
        ignored: false,
        type: def.type,
        doc: def.doc,
      };
    }
    const group = BROKER_SYNONYM_GROUPS.find((g) => g.includes(name)) ?? [name];
    const layers: BrokerConfigSource[] = ['dynamic-broker', 'dynamic-default-broker', 'static', 'default'];
    const all: ConfigSynonymValue<BrokerConfigSource>[] = [];
    for (const source of layers) {
      for (const synonym of group) {
        const value = this.valueFrom(synonym, source);
        if (value !== null) all.push({ name: synonym, value, source });
      }
    }
    // As Kafka does: drop the higher-precedence synonyms' entries listed before this config's own.
    const first = all.findIndex((s) => s.name === name);
    const synonyms = first < 0 ? [] : all.slice(first);
    return {
      name,
      value: this.get(name),
      source: synonyms[0]?.source ?? 'default',
      synonyms,
      readOnly: def.readOnly ?? false,
      sensitive: def.sensitive ?? def.type === 'password',
      ignored: def.ignored ?? false,
      type: def.type,
      doc: def.doc,
    };
  }

  // Every known broker config with its value and source, in table order.
  entries(): BrokerConfigEntry[] {
    return [...BROKER_CONFIGS.map((d) => this.entry(d.name)), ...this.listenerOverrideNames().map((n) => this.entry(n))];
  }

  // The listener.name.<l>.<config> overrides set in any layer, sorted.
  private listenerOverrideNames(): string[] {
    const names = new Set([...this.staticValues.keys(), ...this.dynamicCluster.keys(), ...this.dynamicBroker.keys()]);
    return [...names].filter((n) => !BROKER_CONFIG_BY_NAME.has(n)).sort();
  }

  // ---- dynamic broker configs (AlterConfigs / IncrementalAlterConfigs on a broker) ----

  // Throws ConfigError if `name` cannot be set to `value` dynamically (null deletes the setting);
  // returns the canonical value. For validateOnly requests.
  validateDynamic(name: string, value: string | null): string | null {
    const def = brokerConfigDef(name);
    if (!def) throw new ConfigError(unknownConfigMessage(name));
    if (def.readOnly) {
      throw new ConfigError(`Cannot update configuration '${name}' dynamically: it is a static broker config; set it in server.properties and restart`);
    }
    if (value === null) return null;
    const r = validateValue(def, value);
    if (!r.ok) throw new ConfigError(r.error);
    return r.value;
  }

  // Sets (or with null, removes) a dynamic value; the per-broker layer wins over the cluster one.
  setDynamic(name: string, value: string | null, scope: DynamicScope = 'broker'): void {
    const canonical = this.validateDynamic(name, value);
    const layer = scope === 'broker' ? this.dynamicBroker : this.dynamicCluster;
    const previous = layer.get(name);
    if (canonical === null) layer.delete(name);
    else layer.set(name, canonical);
    try {
      this.checkConsistency();
    } catch (err) {
      if (previous === undefined) layer.delete(name);
      else layer.set(name, previous);
      throw err;
    }
  }

  // The dynamic values of one layer, for persisting them with the cluster metadata.
  dynamicEntries(scope: DynamicScope = 'broker'): Record<string, string> {
    return Object.fromEntries(scope === 'broker' ? this.dynamicBroker : this.dynamicCluster);
  }

  // ---- rules between settings (KafkaConfig's start-up requirements) ----

  private checkConsistency(): void {
    if (this.logRetentionMs() === 0) {
      throw new ConfigError('log.retention.ms must be unlimited (-1) or, greater than or equal to 1 (log.retention.ms/minutes/hours give 0)');
    }
    if (this.logDirs().length === 0) throw new ConfigError('At least one log directory must be defined via log.dirs or log.dir.');
    const nodeId = this.getInt('node.id');
    const brokerId = this.getInt('broker.id');
    if (nodeId >= 0 && brokerId >= 0 && nodeId !== brokerId) {
      throw new ConfigError(`broker.id (${brokerId}) must be equal to node.id (${nodeId}) when both are set; remove broker.id`);
    }
    const listeners = this.listeners();
    for (const l of listeners) {
      if (this.securityProtocolFor(l.name) === undefined) {
        throw new ConfigError(
          `No security protocol defined for listener ${l.name}; add ${l.name}:PLAINTEXT (or another protocol) to listener.security.protocol.map`,
        );
      }
    }
    if (this.get('advertised.listeners') !== null) {
      const names = new Set(listeners.map((l) => l.name));
      for (const a of this.parseListeners('advertised.listeners')) {
        if (!names.has(a.name)) {
          throw new ConfigError(
            `advertised.listeners listener names must be equal to or a subset of the ones defined in listeners; ${a.name} is not in listeners`,
          );
        }
        if (a.host === '0.0.0.0') {
          throw new ConfigError('advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.');
        }
      }
    }
  }
}
