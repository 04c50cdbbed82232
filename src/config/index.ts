// samsa's configuration: Kafka's broker and topic config names, meanings and validation.
export {
  type ConfigType,
  type ConfigDef,
  type Validation,
  CONFIG_TYPE_CODES,
  configTypeCode,
  validateValue,
  invalidValue,
  describeValidValues,
  parseList,
  suggestName,
} from './config-def.js';
export { parseProperties, parsePropertyEntries, PropertiesSyntaxError, type PropertyEntry } from './properties.js';
export { TOPIC_CONFIGS, TOPIC_CONFIG_BY_NAME, COMPRESSION_TYPES, synonymValueForTopic, type TopicConfigDef, type TopicConfigSynonym } from './topic-configs.js';
export { BROKER_CONFIGS, BROKER_CONFIG_BY_NAME, BROKER_SYNONYM_GROUPS, brokerConfigDef } from './broker-configs.js';
export { parseListenerList, parseSecurityProtocolMap, SECURITY_PROTOCOLS, type ListenerSpec } from './listeners.js';
export {
  BrokerConfig,
  ConfigError,
  CONFIG_SOURCE_CODES,
  configSourceCode,
  type BrokerConfigEntry,
  type BrokerConfigSource,
  type TopicConfigSource,
  type ConfigSourceName,
  type ConfigSynonymValue,
  type Listener,
  type LoadOptions,
  type DynamicScope,
} from './broker-config.js';
export { resolveTopicConfig, effectiveTopicConfig, validateTopicConfigs, type TopicConfigEntry, type TopicOverrides } from './topic-config-resolver.js';
