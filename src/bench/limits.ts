// What the broker will take from a run, asked before anything is sent (DescribeConfigs), and the
// check of the prepared Produce requests against it, so a run that the broker would reject is
// refused with one line naming the option to change:
// - the topic's max.message.bytes: the largest record batch, after compression, LOG_OVERHEAD
//   included (Kafka's UnifiedLog.analyzeAndValidateRecords answers MESSAGE_TOO_LARGE above it);
// - the leader's socket.request.max.bytes: a larger request frame closes the connection (Kafka's
//   NetworkReceive throws InvalidReceiveException).
// It also reads samsa's storage mode (samsa.storage), which the result records so `compare` can
// tell disk runs from memory runs. A broker that does not answer leaves all of it unknown; its own
// error (MESSAGE_TOO_LARGE) then tells.
import { DescribeConfigsRequest } from '../protocol/generated/describe-configs-request.js';
import { DescribeConfigsResponse } from '../protocol/generated/describe-configs-response.js';
import { KeySpace } from './keys.js';
import { oneRecordBatchBytes, type Payload } from './payload.js';
import { Session, type TopicLayout } from './session.js';
import { BenchError, type BenchConfig } from './types.js';

// Kafka's ConfigResource.Type codes.
const TOPIC = 2;
const BROKER = 4;

export interface BrokerFacts {
  /** samsa's samsa.storage (disk or memory); null for other brokers or when unknown. */
  storage: string | null;
  /** The topic's max.message.bytes. */
  maxMessageBytes: number | null;
  /** The partition leader's socket.request.max.bytes. */
  socketRequestMaxBytes: number | null;
}

const UNKNOWN: BrokerFacts = { storage: null, maxMessageBytes: null, socketRequestMaxBytes: null };

/** The topic's and its (first) leader's settings; unknown where the broker does not say. */
export async function describeTarget(session: Session, topic: string, layout: TopicLayout): Promise<BrokerFacts> {
  const first = Math.min(...layout.leaders.keys());
  const address = layout.leaders.get(first);
  const nodeId = layout.leaderIds.get(first);
  if (address === undefined || nodeId === undefined) return UNKNOWN;
  // A broker resource is described by that broker itself (as Kafka's admin client routes it).
  const same = address.host === session.address.host && address.port === session.address.port;
  let s: Session | null = null;
  try {
    s = same ? session : await Session.open([address], session.timeoutMs);
    const res = await s.send(DescribeConfigsRequest, DescribeConfigsResponse, () => ({
      resources: [
        { resourceType: TOPIC, resourceName: topic, configurationKeys: ['max.message.bytes'] },
        { resourceType: BROKER, resourceName: String(nodeId), configurationKeys: ['socket.request.max.bytes', 'samsa.storage'] },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    }));
    const value = (type: number, name: string): string | null => {
      const r = res.results.find((x) => x.resourceType === type && x.errorCode === 0);
      return r?.configs.find((c) => c.name === name)?.value ?? null;
    };
    const int = (v: string | null) => (v !== null && /^\d+$/.test(v) ? Number(v) : null);
    return {
      storage: value(BROKER, 'samsa.storage'),
      maxMessageBytes: int(value(TOPIC, 'max.message.bytes')),
      socketRequestMaxBytes: int(value(BROKER, 'socket.request.max.bytes')),
    };
  } catch {
    return UNKNOWN;
  } finally {
    if (s && s !== session) s.close();
  }
}

const n = (x: number) => x.toLocaleString('en-US');

function hints(cfg: BenchConfig): { sizes: string; raise: string } {
  const { min, max } = cfg.recordSize;
  return {
    sizes: min === max ? `--record-size ${max}` : `--record-size ${min}-${max}`,
    raise: `raise the topic's max.message.bytes (samsa topics alter-config ${cfg.topic} --set max.message.bytes=N)`,
  };
}

/**
 * Before anything is built: the largest record alone, uncompressed, must fit max.message.bytes
 * (whether or not the prepared batches happen to draw it). Compressed runs are checked on the
 * prepared batches only, as what compression saves is not known before.
 */
export function checkRecordSize(cfg: BenchConfig, facts: BrokerFacts): void {
  const limit = facts.maxMessageBytes;
  if (limit === null || cfg.compression !== 'none') return;
  const max = cfg.recordSize.max;
  const keyLength = cfg.keyCardinality > 0 ? KeySpace.keyBytes(cfg.keyCardinality - 1).length : -1;
  const one = oneRecordBatchBytes(keyLength, max);
  if (one <= limit) return;
  const { sizes, raise } = hints(cfg);
  throw new BenchError(
    `a ${n(max)}-byte record makes a record batch of ${n(one)} bytes, over topic ${cfg.topic}'s max.message.bytes of ${n(limit)}: lower ${sizes}, or ${raise}`,
  );
}

/** Every prepared request against max.message.bytes (each batch) and socket.request.max.bytes (each frame). */
export function checkPrepared(cfg: BenchConfig, payload: Payload, facts: BrokerFacts): void {
  const { sizes, raise } = hints(cfg);
  const prepared = payload.prepared();
  const limit = facts.maxMessageBytes;
  if (limit !== null) {
    const over = prepared.filter((b) => b.batchBytes > limit);
    const single = over.find((b) => b.records === 1);
    if (single) {
      throw new BenchError(
        `a record batch of one record (${cfg.compression}) takes ${n(single.batchBytes)} bytes, over topic ${cfg.topic}'s max.message.bytes of ${n(limit)}: lower ${sizes}, or ${raise}`,
      );
    }
    if (over.length > 0) {
      const worst = Math.max(...over.map((b) => b.batchBytes));
      throw new BenchError(
        `--batch-size ${cfg.batchSize} makes record batches of up to ${n(worst)} bytes, over topic ${cfg.topic}'s max.message.bytes of ${n(limit)}: set --batch-size to at most ${limit}, or ${raise}`,
      );
    }
  }
  const frameLimit = facts.socketRequestMaxBytes;
  if (frameLimit !== null) {
    // The size field of a request counts what follows it.
    const worst = Math.max(0, ...prepared.map((b) => b.template.length - 4));
    if (worst > frameLimit) {
      throw new BenchError(
        `a Produce request of ${n(worst)} bytes is over the broker's socket.request.max.bytes of ${n(frameLimit)}: lower --batch-size or ${sizes}`,
      );
    }
  }
}
