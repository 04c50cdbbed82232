// API key -> handler. ApiVersions answers from this table, so samsa advertises exactly what it
// implements: adding an API is adding its handler here.
import type { Handler } from './types.js';
import { apiVersionsHandler } from './api-versions.js';
import { produceHandler } from './produce.js';
import { fetchHandler } from './fetch.js';
import { listOffsetsHandler } from './list-offsets.js';
import { metadataHandler } from './metadata.js';
import { createTopicsHandler } from './create-topics.js';
import { deleteTopicsHandler } from './delete-topics.js';
import { createPartitionsHandler } from './create-partitions.js';
import { describeTopicPartitionsHandler } from './describe-topic-partitions.js';
import { describeClusterHandler } from './describe-cluster.js';
import { describeConfigsHandler } from './describe-configs.js';
import { alterConfigsHandler } from './alter-configs.js';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs.js';
import { describeLogDirsHandler } from './describe-log-dirs.js';
import { deleteRecordsHandler } from './delete-records.js';
import { offsetForLeaderEpochHandler } from './offset-for-leader-epoch.js';
import { listPartitionReassignmentsHandler } from './list-partition-reassignments.js';

export const ALL_HANDLERS: readonly Handler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  apiVersionsHandler,
  metadataHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  createPartitionsHandler,
  describeTopicPartitionsHandler,
  describeClusterHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  incrementalAlterConfigsHandler,
  describeLogDirsHandler,
  deleteRecordsHandler,
  offsetForLeaderEpochHandler,
  listPartitionReassignmentsHandler,
];

export interface ApiVersionEntry {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export class HandlerRegistry {
  private readonly byKey = new Map<number, Handler>();

  constructor(handlers: readonly Handler[] = ALL_HANDLERS) {
    for (const h of handlers) {
      if (this.byKey.has(h.request.apiKey)) throw new Error(`two handlers for API key ${h.request.apiKey}`);
      this.byKey.set(h.request.apiKey, h);
    }
  }

  get(apiKey: number): Handler | undefined {
    return this.byKey.get(apiKey);
  }

  apiVersionsList(): ApiVersionEntry[] {
    return [...this.byKey.values()]
      .map((h) => ({ apiKey: h.request.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }
}
