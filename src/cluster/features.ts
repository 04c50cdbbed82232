// Feature flags reported in ApiVersions (KIP-584). Clients change behaviour on some of them
// (transaction.version >= 2 turns on KIP-890 part 2 in the Java producer; group.version >= 1
// marks the KIP-848 consumer protocol), so samsa reports a level only once it implements it.

export interface FeatureRange {
  name: string;
  minVersion: number;
  maxVersion: number;
}

export const SUPPORTED_FEATURES: readonly FeatureRange[] = [];

// -1: no finalized features (Kafka's value when none are finalized).
export const FINALIZED_FEATURES_EPOCH = -1;
