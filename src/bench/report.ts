// `--report out.html`: one self-contained page (no network, no chart library, no script): the
// summary, a throughput-over-time chart and a latency percentile chart (HdrHistogram style: x is
// 1/(1-percentile) on a log scale; for e2e both end-to-end and produce-ack latency), drawn here as
// inline SVG that takes the page's width, and a table of the percentiles. The raw result is
// embedded as JSON data for anyone who saves the page.
import type { BenchResult } from './types.js';
import type { LatencySummary } from './histogram.js';
import { formatSummary } from './summary.js';

// The charts' coordinate system; CSS scales them to the page's width.
const W = 1100;
const H = 340;
const M = { l: 70, r: 45, t: 20, b: 45 }; // r: room for the last percentile label

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function axes(xTicks: [number, string][], yTicks: [number, string][], xLabel: string, yLabel: string): string {
  const out: string[] = [];
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  out.push(`<rect x="${M.l}" y="${M.t}" width="${pw}" height="${ph}" fill="#fff" stroke="#999"/>`);
  for (const [x, label] of xTicks)
    out.push(
      `<line x1="${x}" x2="${x}" y1="${M.t}" y2="${M.t + ph}" stroke="#eee"/><text x="${x}" y="${M.t + ph + 16}" text-anchor="middle">${esc(label)}</text>`,
    );
  for (const [y, label] of yTicks)
    out.push(`<line x1="${M.l}" x2="${M.l + pw}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${M.l - 6}" y="${y + 4}" text-anchor="end">${esc(label)}</text>`);
  out.push(`<text x="${M.l + pw / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${M.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  return out.join('');
}

export function throughputChart(r: BenchResult): string {
  const pts = r.timeline;
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const tMax = Math.max(1, ...pts.map((p) => p.t));
  const yMax = niceMax(Math.max(0, ...pts.map((p) => p.recordsPerSec)));
  const x = (t: number) => M.l + (t / tMax) * pw;
  const y = (v: number) => M.t + ph - (v / yMax) * ph;
  const xt: [number, string][] = Array.from({ length: 6 }, (_, i) => [x((tMax * i) / 5), `${((tMax * i) / 5).toFixed(1)}`]);
  const yt: [number, string][] = Array.from({ length: 5 }, (_, i) => [
    y((yMax * i) / 4),
    ((yMax * i) / 4).toLocaleString('en-US', { maximumFractionDigits: 0 }),
  ]);
  const path = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.recordsPerSec).toFixed(1)}`).join(' ');
  const dots = pts
    .map(
      (p) =>
        `<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.recordsPerSec).toFixed(1)}" r="3" fill="#1f6feb"><title>${p.t.toFixed(1)} s: ${Math.round(p.recordsPerSec).toLocaleString('en-US')} records/s, ${p.mbPerSec.toFixed(1)} MB/s, p99 ${(p.p99Us / 1000).toFixed(3)} ms</title></circle>`,
    )
    .join('');
  return `<svg id="throughput-chart" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="throughput over time">${axes(xt, yt, 'seconds', 'records/s')}<path d="${path}" fill="none" stroke="#1f6feb" stroke-width="2"/>${dots}</svg>`;
}

interface Series {
  id: string;
  label: string;
  color: string;
  latency: LatencySummary;
}

/** The run's latency distributions: e2e has two, end to end and the producer's acknowledgements. */
export function latencySeries(r: BenchResult): Series[] {
  const ack = r.config.rate ? 'produce (due \u2192 ack)' : 'produce (send \u2192 ack)';
  const label = r.latencyKind === 'produce-ack' ? ack : r.latencyKind === 'fetch' ? 'fetch round trip' : 'end to end (timestamp \u2192 receipt)';
  const out: Series[] = [];
  if (!(r.mode === 'produce' && r.config.acks === 0)) out.push({ id: r.latencyKind, label, color: '#d1242f', latency: r.latency });
  if (r.produceLatency) out.push({ id: 'produce-ack', label: ack, color: '#8250df', latency: r.produceLatency });
  return out;
}

export function latencyChart(r: BenchResult): string {
  const series = latencySeries(r).map((s) => ({ ...s, pts: s.latency.percentiles.filter(([p]) => p < 100) }));
  const all = series.flatMap((s) => s.pts);
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  // x: log10(1 / (1 - p/100)), 0 at the median's left edge .. 6 at 99.9999.
  const lx = (p: number) => Math.log10(1 / (1 - p / 100));
  const xMax = Math.max(3, ...all.map(([p]) => lx(p)));
  const yMax = niceMax(Math.max(1, ...all.map(([, us]) => us / 1000)));
  const x = (p: number) => M.l + (lx(p) / xMax) * pw;
  const y = (msv: number) => M.t + ph - (msv / yMax) * ph;
  const xt: [number, string][] = [0, 90, 99, 99.9, 99.99, 99.999, 99.9999].filter((p) => lx(p) <= xMax + 1e-9).map((p) => [x(p), `${p}%`]);
  const yt: [number, string][] = Array.from({ length: 5 }, (_, i) => [y((yMax * i) / 4), `${((yMax * i) / 4).toFixed(yMax < 4 ? 2 : 1)}`]);
  const lines = series.map((s) => {
    const path = s.pts.map(([p, us], i) => `${i === 0 ? 'M' : 'L'}${x(p).toFixed(1)},${y(us / 1000).toFixed(1)}`).join(' ');
    const dots = s.pts
      .map(
        ([p, us]) =>
          `<circle cx="${x(p).toFixed(1)}" cy="${y(us / 1000).toFixed(1)}" r="3" fill="${s.color}"><title>${esc(s.label)} p${p}: ${(us / 1000).toFixed(3)} ms</title></circle>`,
      )
      .join('');
    return `<g class="series" data-series="${s.id}"><path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}</g>`;
  });
  // The legend, top left inside the plot (latency grows to the right, so that corner stays clear).
  const legend =
    series.length > 1
      ? series
          .map(
            (s, i) =>
              `<g class="legend"><line x1="${M.l + 12}" x2="${M.l + 36}" y1="${M.t + 16 + i * 20}" y2="${M.t + 16 + i * 20}" stroke="${s.color}" stroke-width="3"/><text x="${M.l + 42}" y="${M.t + 20 + i * 20}">${esc(s.label)}</text></g>`,
          )
          .join('')
      : '';
  const empty = all.length === 0 ? `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no latency samples</text>` : '';
  const yLabel = series.length === 1 ? `${series[0]!.label} latency, ms` : 'latency, ms';
  return `<svg id="latency-chart" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="latency by percentile">${axes(xt, yt, 'percentile', yLabel)}${lines.join('')}${legend}${empty}</svg>`;
}

const pLabel = (p: number) => (p === 0 ? 'min' : p === 100 ? 'max' : `p${p}`);
const msCell = (us: number) => (us / 1000).toFixed(3);

/** Percentiles (ms) of every latency distribution of the run, one column each. */
export function percentileTable(r: BenchResult): string {
  const series = latencySeries(r).filter((s) => s.latency.count > 0);
  if (series.length === 0) return '<p id="percentiles">no latency samples</p>';
  const ps = [...new Set(series.flatMap((s) => s.latency.percentiles.map(([p]) => p)))].sort((a, b) => a - b);
  const at = (s: Series, p: number) => s.latency.percentiles.find(([q]) => q === p)?.[1];
  const head = `<tr><th>percentile</th>${series.map((s) => `<th>${esc(s.label)}, ms</th>`).join('')}</tr>`;
  const rows = ps.map((p) => `<tr><th>${pLabel(p)}</th>${series.map((s) => `<td>${at(s, p) === undefined ? '-' : msCell(at(s, p)!)}</td>`).join('')}</tr>`);
  const mean = `<tr><th>mean</th>${series.map((s) => `<td>${msCell(s.latency.meanUs)}</td>`).join('')}</tr>`;
  const count = `<tr><th>samples</th>${series.map((s) => `<td>${s.latency.count.toLocaleString('en-US')}</td>`).join('')}</tr>`;
  return `<table id="percentiles"><thead>${head}</thead><tbody>${rows.join('')}${mean}${count}</tbody></table>`;
}

export function renderReport(r: BenchResult): string {
  // The JSON is embedded for anyone who saves the page (not shown); `<` is escaped so it cannot close the script.
  const json = JSON.stringify(r).replace(/</g, '\\u003c');
  const latencyTitle = r.produceLatency ? 'Latency by percentile: end to end and produce (ack)' : 'Latency by percentile';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>samsa bench ${esc(r.mode)}: ${esc(r.config.topic)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}pre{background:#f6f8fa;padding:12px;overflow:auto;white-space:pre-wrap}svg text{font:12px system-ui,sans-serif;fill:#444}h2{margin-top:28px}
.chart{display:block;width:100%;height:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{padding:4px 14px;border-bottom:1px solid #e5e5e5}td{text-align:right}thead th{text-align:right;border-bottom:2px solid #999}th:first-child{text-align:left}</style>
</head><body>
<h1>samsa bench ${esc(r.mode)}</h1>
<pre id="summary">${esc(formatSummary(r))}</pre>
<h2>Throughput over time</h2>
${throughputChart(r)}
<h2>${latencyTitle}</h2>
${latencyChart(r)}
<h2>Latency percentiles</h2>
${percentileTable(r)}
<p>${esc(r.startedAt)} &middot; node ${esc(r.host.node)} &middot; ${r.host.cpus} cores (${esc(r.host.cpuModel)})</p>
<script id="result" type="application/json">${json}</script>
</body></html>
`;
}
