// The Produce frames `samsa bench` sends for a cell, built with its own Payload (same record
// sizes, same letters, same batch size, same partitions), in the order it sends them (partitions
// round-robin, each partition's pool in turn): the ceilings get exactly the same bytes.
import { Payload } from '../../src/bench/payload.js';
import type { BenchConfig } from '../../src/bench/types.js';
import type { FrameTemplate } from '../../src/bench/frames.js';

export interface Frame {
  template: FrameTemplate;
  records: number;
  batchBytes: number;
}

const POOL = 8; // Payload's pool of batches per partition
export const PRODUCE_VERSION = 12; // what samsa bench negotiates with samsa (v13 names topics by id)

export interface FrameSpec {
  topic: string;
  recordSize: number;
  partitions: number;
  acks: 0 | 1 | -1;
  batchSize: number;
  /** Cap the records per request (samsa bench --rate with --linger-ms). */
  recordsPerRequest?: number;
}

export async function cellFrames(spec: FrameSpec): Promise<Frame[]> {
  // Only what Payload reads; the rest of a BenchConfig does not shape the frames.
  const cfg: Pick<BenchConfig, 'topic' | 'recordSize' | 'keyCardinality' | 'batchSize' | 'compression'> = {
    topic: spec.topic,
    recordSize: { min: spec.recordSize, max: spec.recordSize },
    keyCardinality: 0,
    batchSize: spec.batchSize,
    compression: 'none',
  };
  const payload = new Payload(cfg as BenchConfig, PRODUCE_VERSION, spec.acks);
  const ps = Array.from({ length: spec.partitions }, (_, i) => i);
  await payload.prepare(ps);
  const out: Frame[] = [];
  for (let i = 0; i < POOL * spec.partitions; i++) {
    const b = await payload.take(i % spec.partitions, spec.recordsPerRequest ?? Infinity);
    out.push({ template: b.template, records: b.records, batchBytes: b.batchBytes });
  }
  return out;
}
