// Keys for --key-cardinality N: the keys are `key-0` .. `key-(N-1)`, and each keyed record goes to
// the partition Kafka's default partitioner picks for its key (murmur2.ts). Hashing happens once,
// before the run: per partition, the keys that hash to it (all of them up to SAMPLE keys; beyond
// that a random sample of SAMPLE keys, more than the prepared batches can hold). Batches for a
// partition then draw only from its keys, and partitions are sent to in proportion to their keys.
import { murmur2, toPositive } from './murmur2.js';

const SAMPLE = 1 << 20;

export class KeySpace {
  /** Per partition, the indexes of the keys that hash to it. */
  readonly byPartition: number[][];

  constructor(
    readonly cardinality: number,
    readonly numPartitions: number,
    random: () => number,
  ) {
    this.byPartition = Array.from({ length: numPartitions }, () => []);
    const scratch = Buffer.allocUnsafe(32);
    const all = cardinality <= SAMPLE;
    for (let j = 0, n = Math.min(cardinality, SAMPLE); j < n; j++) {
      const i = all ? j : Math.floor(random() * cardinality);
      const len = scratch.write(`key-${i}`, 'latin1');
      this.byPartition[toPositive(murmur2(scratch, 0, len)) % numPartitions]!.push(i);
    }
  }

  static keyBytes(i: number): Buffer {
    return Buffer.from(`key-${i}`, 'latin1');
  }

  /** Partitions at least one key hashes to (the only ones a keyed producer writes). */
  partitions(): number[] {
    return this.byPartition.flatMap((ks, p) => (ks.length > 0 ? [p] : []));
  }

  /** A random key of partition `p`. */
  pick(p: number, random: () => number): Buffer {
    const ks = this.byPartition[p]!;
    return KeySpace.keyBytes(ks[Math.floor(random() * ks.length)]!);
  }

  weight(p: number): number {
    return this.byPartition[p]?.length ?? 0;
  }
}

/**
 * A rotation over `partitions` in which each appears about in proportion to `weight` (smooth
 * weighted round-robin; weights scaled so the cycle stays at most `maxLength` long).
 */
export function weightedCycle(partitions: readonly number[], weight: (p: number) => number, maxLength = 1024): number[] {
  const total = partitions.reduce((a, p) => a + weight(p), 0);
  if (partitions.length <= 1 || total === 0) return [...partitions];
  const scale = Math.min(1, maxLength / total);
  const w = partitions.map((p) => Math.max(1, Math.round(weight(p) * scale)));
  const sum = w.reduce((a, x) => a + x, 0);
  const current = w.map(() => 0);
  const out: number[] = [];
  for (let n = 0; n < sum; n++) {
    let best = 0;
    for (let i = 0; i < w.length; i++) {
      current[i]! += w[i]!;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= sum;
    out.push(partitions[best]!);
  }
  return out;
}
