// Preloaded into the soak's broker (`--diagnose DIR`: `node --import this bin/samsa.js start ...`)
// to see from inside what stops it serving fresh clients: event-loop blocks with the CPU the
// process burnt during each (own work blocks the loop; CPU starvation by other processes does
// not burn CPU), long GC pauses, the event-loop delay histogram every 10 s, and a V8 CPU profile
// of the whole run, written when the soak sends SIGUSR2. Times are CLOCK_MONOTONIC microseconds
// (`hrUs`), the clock of the profile's own timestamps, so a block can be cut out of the profile;
// `wallMs` (Date.now()) places them beside the soak's own events.
import { appendFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { Session } from 'node:inspector';

const dir = process.env.SAMSA_DIAG_DIR;
if (dir) {
  const file = join(dir, 'loop.jsonl');
  const hrUs = () => Number(process.hrtime.bigint() / 1000n);
  const line = (o) => appendFileSync(file, JSON.stringify({ hrUs: hrUs(), wallMs: Date.now(), ...o }) + '\n');
  // performance.now() and hrUs taken together: converts GC entry times to the profile clock.
  line({ kind: 'start', perfNow: performance.now(), pid: process.pid });

  const BLOCK_MS = Number(process.env.SAMSA_DIAG_BLOCK_MS ?? 100);
  let last = performance.now();
  let cpu = process.cpuUsage();
  setInterval(() => {
    const now = performance.now();
    const c = process.cpuUsage();
    const gapMs = now - last;
    if (gapMs > BLOCK_MS) {
      const cpuMs = (c.user - cpu.user + c.system - cpu.system) / 1000;
      line({ kind: 'block', gapMs: Math.round(gapMs), cpuMs: Math.round(cpuMs) });
    }
    last = now;
    cpu = c;
  }, 10).unref();

  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  setInterval(() => {
    line({
      kind: 'delay',
      maxMs: Math.round(h.max / 1e6),
      p99Ms: Math.round(h.percentile(99) / 1e6),
      meanMs: +(h.mean / 1e6).toFixed(1),
      rssMiB: Math.round(process.memoryUsage.rss() / 2 ** 20),
    });
    h.reset();
  }, 10000).unref();

  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration >= 20) line({ kind: 'gc', startPerf: e.startTime, ms: Math.round(e.duration), gcKind: e.detail?.kind });
    }
  }).observe({ entryTypes: ['gc'] });

  const session = new Session();
  session.connect();
  const post = (m, p) => new Promise((res, rej) => session.post(m, p, (err, r) => (err ? rej(err) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 1000 });
  await post('Profiler.start');
  process.on('SIGUSR2', async () => {
    const { profile } = await post('Profiler.stop');
    // Written under another name first: the soak waits for this name to appear.
    writeFileSync(join(dir, 'broker.cpuprofile.tmp'), JSON.stringify(profile));
    renameSync(join(dir, 'broker.cpuprofile.tmp'), join(dir, 'broker.cpuprofile'));
    line({ kind: 'profile-written' });
  });
}
