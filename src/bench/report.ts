// `--report out.html`: one self-contained page (no network, no chart library): the summary, a
// throughput-over-time chart and a latency percentile chart (HdrHistogram style: x is
// 1/(1-percentile) on a log scale), drawn here as inline SVG, and the raw result as JSON.
import type { BenchResult } from './types.js';
import { formatSummary } from './summary.js';

const W = 760;
const H = 300;
const M = { l: 70, r: 20, t: 20, b: 45 };

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
  for (const [x, label] of xTicks) out.push(`<line x1="${x}" x2="${x}" y1="${M.t}" y2="${M.t + ph}" stroke="#eee"/><text x="${x}" y="${M.t + ph + 16}" text-anchor="middle">${esc(label)}</text>`);
  for (const [y, label] of yTicks) out.push(`<line x1="${M.l}" x2="${M.l + pw}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${M.l - 6}" y="${y + 4}" text-anchor="end">${esc(label)}</text>`);
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
  const yt: [number, string][] = Array.from({ length: 5 }, (_, i) => [y((yMax * i) / 4), ((yMax * i) / 4).toLocaleString('en-US', { maximumFractionDigits: 0 })]);
  const path = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.recordsPerSec).toFixed(1)}`).join(' ');
  const dots = pts.map((p) => `<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.recordsPerSec).toFixed(1)}" r="3" fill="#1f6feb"><title>${p.t.toFixed(1)} s: ${Math.round(p.recordsPerSec).toLocaleString('en-US')} records/s, ${p.mbPerSec.toFixed(1)} MB/s, p99 ${(p.p99Us / 1000).toFixed(3)} ms</title></circle>`).join('');
  return `<svg id="throughput-chart" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="throughput over time">${axes(xt, yt, 'seconds', 'records/s')}<path d="${path}" fill="none" stroke="#1f6feb" stroke-width="2"/>${dots}</svg>`;
}

export function latencyChart(r: BenchResult): string {
  const pts = r.latency.percentiles.filter(([p]) => p < 100);
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  // x: log10(1 / (1 - p/100)), 0 at the median's left edge .. 6 at 99.9999.
  const lx = (p: number) => Math.log10(1 / (1 - p / 100));
  const xMax = Math.max(3, ...pts.map(([p]) => lx(p)));
  const yMax = niceMax(Math.max(1, ...pts.map(([, us]) => us / 1000)));
  const x = (p: number) => M.l + (lx(p) / xMax) * pw;
  const y = (msv: number) => M.t + ph - (msv / yMax) * ph;
  const xt: [number, string][] = [0, 90, 99, 99.9, 99.99, 99.999, 99.9999].filter((p) => lx(p) <= xMax + 1e-9).map((p) => [x(p), `${p}%`]);
  const yt: [number, string][] = Array.from({ length: 5 }, (_, i) => [y((yMax * i) / 4), `${((yMax * i) / 4).toFixed(yMax < 4 ? 2 : 1)}`]);
  const path = pts.map(([p, us], i) => `${i === 0 ? 'M' : 'L'}${x(p).toFixed(1)},${y(us / 1000).toFixed(1)}`).join(' ');
  const dots = pts.map(([p, us]) => `<circle cx="${x(p).toFixed(1)}" cy="${y(us / 1000).toFixed(1)}" r="3" fill="#d1242f"><title>p${p}: ${(us / 1000).toFixed(3)} ms</title></circle>`).join('');
  const empty = pts.length === 0 ? `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no latency samples</text>` : '';
  return `<svg id="latency-chart" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="latency by percentile">${axes(xt, yt, 'percentile', `${r.latencyKind} latency, ms`)}<path d="${path}" fill="none" stroke="#d1242f" stroke-width="2"/>${dots}${empty}</svg>`;
}

export function renderReport(r: BenchResult): string {
  // The JSON is embedded for anyone who saves the page; `<` is escaped so it cannot close the script.
  const json = JSON.stringify(r).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>samsa bench ${esc(r.mode)}: ${esc(r.config.topic)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}pre{background:#f6f8fa;padding:12px;overflow:auto}svg text{font:12px system-ui,sans-serif;fill:#444}h2{margin-top:28px}</style>
</head><body>
<h1>samsa bench ${esc(r.mode)}</h1>
<pre id="summary">${esc(formatSummary(r))}</pre>
<h2>Throughput over time</h2>
${throughputChart(r)}
<h2>Latency by percentile</h2>
${latencyChart(r)}
<h2>Result</h2>
<p>${esc(r.startedAt)} &middot; node ${esc(r.host.node)} &middot; ${r.host.cpus} cores (${esc(r.host.cpuModel)})</p>
<script id="result" type="application/json">${json}</script>
<script>
// Shows the raw result under the charts (the page works without this).
const data = JSON.parse(document.getElementById('result').textContent);
const pre = document.createElement('pre');
pre.id = 'raw';
pre.textContent = JSON.stringify({ config: data.config, latency: data.latency, errors: data.errors }, null, 2);
document.body.appendChild(pre);
</script>
</body></html>
`;
}
