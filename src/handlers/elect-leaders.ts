// ElectLeaders (key 43), versions 0-2: preferred (0) and, from v1, unclean (1) leader elections,
// as KRaft's ReplicationControlManager.electLeaders answers them (src/cluster/leader-election.ts
// has the per-partition rules and errors). The broker that receives the request carries the
// elections out itself through the metadata quorum (a compare-and-set per partition) instead of
// forwarding it to the controller; the response comes once every change is in its image.
// A null topic list means every partition of every topic, and then partitions whose election was
// not needed are left out of the answer (Kafka does the same). v0 has no election type (always
// preferred) and no top-level error code. An election type other than 0 or 1 is INVALID_REQUEST.
import { ElectLeadersRequest } from '../protocol/generated/elect-leaders-request.js';
import { ElectLeadersResponse, type ReplicaElectionResult } from '../protocol/generated/elect-leaders-response.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { electLeader, ElectionType, type ElectionResult } from '../cluster/leader-election.js';
import type { ClusterMetadata } from '../cluster/cluster-metadata.js';
import { defineHandler } from './types.js';

async function elect(md: ClusterMetadata, topic: string, partition: number, type: ElectionType): Promise<ElectionResult> {
  try {
    return await electLeader(md, topic, partition, type);
  } catch (err) {
    if (err instanceof KafkaError) return { errorCode: err.code, errorMessage: err.message };
    throw err;
  }
}

export const electLeadersHandler = defineHandler({
  request: ElectLeadersRequest,
  response: ElectLeadersResponse,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const type = ctx.apiVersion >= 1 ? req.electionType : ElectionType.PREFERRED;
    if (type !== ElectionType.PREFERRED && type !== ElectionType.UNCLEAN) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown election type ${type}`);
    }
    const md = ctx.broker.metadata;
    const results: ReplicaElectionResult[] = [];
    if (req.topicPartitions === null) {
      for (const t of md.topics()) {
        const partitionResult = [];
        for (const p of t.partitions) {
          const r = await elect(md, t.name, p.partition, type);
          if (r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED) partitionResult.push({ partitionId: p.partition, ...r });
        }
        results.push({ topic: t.name, partitionResult });
      }
    } else {
      for (const t of req.topicPartitions) {
        const partitionResult = [];
        for (const partitionId of t.partitions) partitionResult.push({ partitionId, ...(await elect(md, t.topic, partitionId, type)) });
        results.push({ topic: t.topic, partitionResult });
      }
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: results };
  },
  errorResponse(req, errorCode, ctx) {
    return {
      throttleTimeMs: 0,
      errorCode: ctx.apiVersion >= 1 ? errorCode : ErrorCode.NONE,
      replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({
        topic: t.topic,
        partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage: null })),
      })),
    };
  },
});
