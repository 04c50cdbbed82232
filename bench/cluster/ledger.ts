// What the soak's producer was told and what the cluster holds afterwards. Every record is
// "<partition>:<seq>", seq rising by one per partition in the order the producer sent them. The
// ledger keeps the acknowledged seqs; the check reads each partition from the beginning and
// counts acknowledged records missing (lost), any seq stored twice (duplicated) and any seq
// stored after a larger one (out of order). Records whose send failed are neither acknowledged
// nor resent (a retry with a new producer state could legitimately duplicate them): stored or
// not, they count only toward duplicates and order.

export interface PartitionVerdict {
  partition: number;
  acknowledged: number;
  stored: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  firstLost: number[];
}

export class Ledger {
  private readonly acked: Array<Set<number>>;
  private readonly nextSeq: number[];

  constructor(readonly partitions: number) {
    this.acked = Array.from({ length: partitions }, () => new Set<number>());
    this.nextSeq = Array.from({ length: partitions }, () => 0);
  }

  // The next `n` values for a partition, in order.
  take(partition: number, n: number): string[] {
    const start = this.nextSeq[partition] ?? 0;
    this.nextSeq[partition] = start + n;
    return Array.from({ length: n }, (_, i) => `${partition}:${start + i}`);
  }

  acknowledge(values: readonly string[]): void {
    for (const v of values) {
      const [p, s] = v.split(':').map(Number) as [number, number];
      this.acked[p]?.add(s);
    }
  }

  get acknowledgedCount(): number {
    return this.acked.reduce((n, s) => n + s.size, 0);
  }

  // `stored`: the values of one partition in offset order.
  verify(partition: number, stored: readonly string[]): PartitionVerdict {
    const seen = new Set<number>();
    let duplicated = 0;
    let outOfOrder = 0;
    let last = -1;
    for (const v of stored) {
      const [p, s] = v.split(':').map(Number) as [number, number];
      if (p !== partition || !Number.isInteger(s)) {
        outOfOrder++;
        continue;
      }
      if (seen.has(s)) duplicated++;
      else if (s < last) outOfOrder++;
      seen.add(s);
      last = Math.max(last, s);
    }
    const acked = this.acked[partition] ?? new Set<number>();
    const lost = [...acked].filter((s) => !seen.has(s));
    return { partition, acknowledged: acked.size, stored: stored.length, lost: lost.length, duplicated, outOfOrder, firstLost: lost.slice(0, 10) };
  }
}
