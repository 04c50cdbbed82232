// Version sets as bit masks (bit v = version v). Kafka's versions stay far below 31, and masks
// make the union/intersection rules of the version policy one operator each.

export type VersionMask = number;

const MAX_VERSION = 30;

export function bit(v: number): VersionMask {
  if (v < 0 || v > MAX_VERSION) throw new Error(`version ${v} outside 0..${MAX_VERSION}`);
  return 1 << v;
}

export function rangeMask(lo: number, hi: number): VersionMask {
  let m = 0;
  for (let v = lo; v <= hi; v++) m |= bit(v);
  return m;
}

// Parses Kafka's version syntax: "none", "3", "3+", "3-7". `max` bounds an open range.
export function parseVersions(spec: string | undefined, max: number): VersionMask {
  if (spec === undefined || spec === 'none' || spec === '') return 0;
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return rangeMask(Number(plus[1]), max);
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range) return rangeMask(Number(range[1]), Number(range[2]));
  if (/^\d+$/.test(spec)) return bit(Number(spec));
  throw new Error(`bad version spec ${JSON.stringify(spec)}`);
}

export function lowest(m: VersionMask): number {
  for (let v = 0; v <= MAX_VERSION; v++) if (m & bit(v)) return v;
  return -1;
}

export function highest(m: VersionMask): number {
  for (let v = MAX_VERSION; v >= 0; v--) if (m & bit(v)) return v;
  return -1;
}

// Contiguous runs [lo, hi] of a mask.
export function runs(m: VersionMask): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  for (let v = 0; v <= MAX_VERSION + 1; v++) {
    const on = v <= MAX_VERSION && (m & bit(v)) !== 0;
    if (on && start < 0) start = v;
    if (!on && start >= 0) {
      out.push([start, v - 1]);
      start = -1;
    }
  }
  return out;
}

// A JS condition on `v` that is true exactly for the versions of `m` among `served`:
// 'true' / 'false' when it does not depend on the version.
export function condition(m: VersionMask, served: VersionMask): string {
  const within = m & served;
  if (within === served) return 'true';
  if (within === 0) return 'false';
  const lo = lowest(served);
  const hi = highest(served);
  return runs(within)
    .map(([a, b]) => {
      if (a <= lo && b >= hi) return 'true';
      if (a <= lo) return `v <= ${b}`;
      if (b >= hi) return `v >= ${a}`;
      if (a === b) return `v === ${a}`;
      return `(v >= ${a} && v <= ${b})`;
    })
    .join(' || ');
}

export function describe(m: VersionMask): string {
  return (
    runs(m)
      .map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`))
      .join(',') || 'none'
  );
}
