// requires: chromium
// `samsa bench --report`: the page renders in headless Chromium (Debian `chromium`) with the
// charts in the DOM and no console errors, and needs no network.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { samsa } from './helpers.js';

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
    const c = spawn('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`, '--enable-logging=stderr', '--v=0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('--report writes one self-contained page that renders with its charts', async () => {
  const out = join(dir, 'report.html');
  const r = await samsa('bench', 'produce', '--bootstrap', broker.bootstrap, '--topic', 'rep', '--duration', '2500ms', '--rate', '20000', '--report', out);
  assert.is(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  assert.not.match(html, /<(script|link|img)[^>]+(src|href)=/i, 'no external resources');
  assert.not.match(html, /https?:\/\//, 'no network addresses');
  const d = await chromium(['--dump-dom', `file://${out}`]);
  assert.is(d.code, 0, d.stderr);
  const dom = d.stdout;
  assert.match(dom, /<svg id="throughput-chart"[^>]*>/);
  assert.match(dom, /<svg id="latency-chart"[^>]*>/);
  assert.match(dom, /<path d="M[\d.]+,[\d.]+ L/, 'a drawn line');
  assert.ok((dom.match(/<circle /g) ?? []).length >= 4, 'data points');
  assert.match(dom, /<pre id="raw">/, 'the inline script ran');
  const errors = d.stderr.split('\n').filter((l) => /:CONSOLE[(:]|Uncaught/.test(l)); // the page logs nothing at all
  assert.equal(errors, [], 'no console errors');
});

test.run();
