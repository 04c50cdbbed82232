// Latency histograms (HDR, microseconds, 3 significant digits, up to 120 s) and the percentile
// summary every bench result carries.
import { build, type Histogram } from 'hdr-histogram-js';

export type { Histogram };

export function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

export interface LatencySummary {
  count: number;
  meanUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  /** [percentile, µs] pairs for a percentile chart, 0 .. 99.9999. */
  percentiles: [number, number][];
}

const CHART_PERCENTILES = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 99.9999, 100];

export function summarize(h: Histogram): LatencySummary {
  const n = h.totalCount;
  // HDR reports a bucket's highest equivalent value; never above the true maximum.
  const at = (p: number) => (n === 0 ? 0 : Math.min(h.getValueAtPercentile(p), h.maxValue));
  return {
    count: n,
    meanUs: n === 0 ? 0 : Math.round(h.mean * 10) / 10,
    p50Us: at(50),
    p90Us: at(90),
    p99Us: at(99),
    p999Us: at(99.9),
    maxUs: n === 0 ? 0 : h.maxValue,
    percentiles: n === 0 ? [] : CHART_PERCENTILES.map((p) => [p, p === 100 ? h.maxValue : at(p)] as [number, number]),
  };
}

/** Records one value (µs, clamped to the trackable range) `count` times. */
export function record(h: Histogram, us: number, count = 1): void {
  const v = Math.min(120_000_000, Math.max(1, Math.round(us)));
  if (count === 1) h.recordValue(v);
  else h.recordValueWithCount(v, count);
}
