// requires: chromium
// `samsa bench --report`: the page renders in headless Chromium (Debian `chromium`) with the
// charts in the DOM, as wide as the page, a percentile table (no raw JSON dump), both latencies
// of an e2e run charted and tabled, no console errors, and no network.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { samsa } from './helpers.js';
import type { BenchResult } from '../../src/bench/types.js';

let broker: Broker;
const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-report-'));

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
});
test.after(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

function chromium(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(
      '/usr/bin/chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--enable-logging=stderr',
        '--v=0',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The page as Chromium renders it at 1400 px wide, and each chart's rendered width over the page's content width. */
async function render(file: string): Promise<{ dom: string; widths: Record<string, number> }> {
  // A wrapper page measures the report's layout from outside (the report itself runs no script).
  const probe = join(dir, `probe-${Date.now()}.html`);
  writeFileSync(
    probe,
    `<!doctype html><html><body style="margin:0"><pre id="widths"></pre><iframe id="f" src="file://${file}" style="width:1400px;height:4000px;border:0"></iframe><script>
document.getElementById('f').onload = () => {
  const d = document.getElementById('f').contentDocument;
  const page = d.body.clientWidth - parseFloat(getComputedStyle(d.body).paddingLeft) - parseFloat(getComputedStyle(d.body).paddingRight);
  const w = {};
  for (const el of d.querySelectorAll('svg.chart')) w[el.id] = el.getBoundingClientRect().width / page;
  document.getElementById('widths').textContent = JSON.stringify(w);
};
</script></body></html>`,
  );
  const probed = await chromium(['--allow-file-access-from-files', '--window-size=1400,4000', '--dump-dom', `file://${probe}`]);
  assert.is(probed.code, 0, probed.stderr);
  const m = /<pre id="widths">([^<]*)<\/pre>/.exec(probed.stdout);
  assert.ok(m && m[1], `the probe measured the charts: ${probed.stdout.slice(0, 300)}`);
  const d = await chromium(['--window-size=1400,4000', '--dump-dom', `file://${file}`]);
  assert.is(d.code, 0, d.stderr);
  const errors = d.stderr.split('\n').filter((l) => /:CONSOLE[(:]|Uncaught/.test(l)); // the page logs nothing at all
  assert.equal(errors, [], 'no console errors');
  return { dom: d.stdout, widths: JSON.parse(m[1]!.replace(/&quot;/g, '"')) as Record<string, number> };
}

/** The rows of the percentile table: label -> cells. */
function tableRows(dom: string): Map<string, string[]> {
  const t = /<table id="percentiles">([\s\S]*?)<\/table>/.exec(dom);
  assert.ok(t, 'a percentile table');
  const rows = new Map<string, string[]>();
  for (const tr of t[1]!.match(/<tr>[\s\S]*?<\/tr>/g) ?? []) {
    const cells = [...tr.matchAll(/<t[hd]>([^<]*)<\/t[hd]>/g)].map((c) => c[1]!);
    rows.set(cells[0]!, cells.slice(1));
  }
  return rows;
}

test('--report writes one self-contained page that renders with its charts', async () => {
  const out = join(dir, 'report.html');
  const r = await samsa(
    'bench',
    'produce',
    '--bootstrap',
    broker.bootstrap,
    '--topic',
    'rep',
    '--duration',
    '2500ms',
    '--rate',
    '20000',
    '--report',
    out,
    '--json',
  );
  assert.is(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as BenchResult;
  const html = readFileSync(out, 'utf8');
  assert.not.match(html, /<(script|link|img)[^>]+(src|href)=/i, 'no external resources');
  assert.not.match(html, /https?:\/\//, 'no network addresses');
  const { dom, widths } = await render(out);
  assert.match(dom, /<svg id="throughput-chart"[^>]*>/);
  assert.match(dom, /<svg id="latency-chart"[^>]*>/);
  assert.match(dom, /<path d="M[\d.]+,[\d.]+ L/, 'a drawn line');
  assert.ok((dom.match(/<circle /g) ?? []).length >= 4, 'data points');
  // Full width: each chart spans the page's content box.
  for (const id of ['throughput-chart', 'latency-chart']) assert.ok(widths[id]! > 0.98 && widths[id]! <= 1.001, `${id} is ${widths[id]} of the page's width`);
  // The percentiles as a table, not a raw JSON dump.
  assert.not.match(dom, /<pre id="raw">/);
  assert.is((dom.match(/<pre[ >]/g) ?? []).length, 1, 'only the summary is preformatted');
  const rows = tableRows(dom);
  assert.equal(rows.get('percentile'), ['produce (due \u2192 ack), ms']);
  assert.equal(rows.get('p50'), [(res.latency.p50Us / 1000).toFixed(3)]);
  assert.equal(rows.get('p99.9'), [(res.latency.p999Us / 1000).toFixed(3)]);
  assert.equal(rows.get('max'), [(res.latency.maxUs / 1000).toFixed(3)]);
  assert.equal(rows.get('samples'), [res.latency.count.toLocaleString('en-US')]);
});

test('e2e: end-to-end and produce (ack) latency both charted and tabled', async () => {
  const out = join(dir, 'e2e.html');
  const r = await samsa(
    'bench',
    'e2e',
    '--bootstrap',
    broker.bootstrap,
    '--topic',
    'rep-e2e',
    '--records',
    '4000',
    '--rate',
    '4000',
    '--report',
    out,
    '--json',
  );
  assert.is(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as BenchResult;
  assert.ok(res.produceLatency && res.produceLatency.count === 4000 && res.latency.count === 4000);
  const { dom, widths } = await render(out);
  assert.ok(widths['latency-chart']! > 0.98, `latency chart is ${widths['latency-chart']} of the page's width`);
  const chart = /<svg id="latency-chart"[\s\S]*?<\/svg>/.exec(dom)![0];
  for (const series of ['end-to-end', 'produce-ack']) {
    const g = new RegExp(`<g class="series" data-series="${series}"><path d="M[\\d.]+,[\\d.]+ L[^"]+"`).exec(chart);
    assert.ok(g, `a drawn ${series} line`);
  }
  assert.match(chart, />end to end \(timestamp \u2192 receipt\)<\/text>/, 'a legend');
  assert.match(chart, />produce \(due \u2192 ack\)<\/text>/, 'a legend');
  const rows = tableRows(dom);
  assert.equal(rows.get('percentile'), ['end to end (timestamp \u2192 receipt), ms', 'produce (due \u2192 ack), ms']);
  assert.equal(rows.get('p50'), [(res.latency.p50Us / 1000).toFixed(3), (res.produceLatency.p50Us / 1000).toFixed(3)]);
  assert.equal(rows.get('max'), [(res.latency.maxUs / 1000).toFixed(3), (res.produceLatency.maxUs / 1000).toFixed(3)]);
});

test.run();
