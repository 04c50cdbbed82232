// Produce latency at a steady rate, acks=-1 (all): BENCH_RATE records/s (20,000) as requests of
// BENCH_RECORDS records (20, 100-byte values), i.e. 1,000 requests/s on one connection, on a fixed
// timeline for BENCH_SECONDS (30) after BENCH_WARMUP (2) s. Latency runs from the time a request
// was due to its response (coordinated omission corrected), in an HDR histogram. Goal: p99 <= 2 ms.
// Ceiling, same run, same schedule, same frames: a separate node process that answers every frame
// with an 8-byte response as soon as it arrives (bench/lib/ceiling/sink.mjs echo). Its latency is
// what the generator, the timers and loopback TCP cost by themselves.
//
// Reproduce: npm run build && npm run bench:latency
// Knobs: BENCH_RATE, BENCH_RECORDS, BENCH_SECONDS, BENCH_WARMUP, BENCH_MODES (disk,memory),
// BENCH_JSON=1.
import { startSamsa, startCeiling, systemCpu } from './lib/samsa.js';
import { createTopic, produceFrame, checkProduceResponse } from './lib/kafka.js';
import { runSchedule, type ScheduleResult } from './lib/scheduled.js';
import { banner, env, envList, fmt, table, json } from './lib/report.js';
import { buildBatch } from '../src/protocol/records/build.js';

const RATE = env('BENCH_RATE', 20000);
const PER = env('BENCH_RECORDS', 20);
const SECONDS = env('BENCH_SECONDS', 30);
const WARMUP = env('BENCH_WARMUP', 2);
const MODES = envList('BENCH_MODES', ['disk', 'memory']) as Array<'disk' | 'memory'>;
const TOPIC = 'bench-latency';

banner('produce latency: fixed schedule, acks=-1, one connection, separate samsa process', 'bench:latency');
const batch = buildBatch(Array.from({ length: PER }, (_, i) => ({ key: null, value: Buffer.alloc(100, i) })));
const template = produceFrame(TOPIC, batch, -1);
const rps = RATE / PER;
console.log(`${fmt(RATE)} records/s = ${fmt(rps)} requests/s of ${PER} records (${template.length} bytes), ${SECONDS} s measured after ${WARMUP} s`);

const ms = (us: number) => (us / 1000).toFixed(3);
const rows: Array<Array<string | number>> = [];
const out: Record<string, unknown> = {};
async function measure(name: string, run: () => Promise<ScheduleResult>): Promise<void> {
  const sys0 = systemCpu();
  const t0 = performance.now();
  const r = await run();
  const busy = (systemCpu().busy - sys0.busy) / ((performance.now() - t0) / 1000);
  const h = r.latency;
  const row = [
    name,
    fmt(r.requests),
    ms(h.getValueAtPercentile(50)),
    ms(h.getValueAtPercentile(99)),
    ms(h.getValueAtPercentile(99.9)),
    ms(h.maxValue),
    ms(r.sendLag.getValueAtPercentile(99)),
    busy.toFixed(2),
  ];
  rows.push(row);
  console.log(
    `${name}: p50 ${row[2]} ms, p99 ${row[3]} ms, p99.9 ${row[4]} ms, max ${row[5]} ms (generator send lag p99 ${row[6]} ms); ${r.over2ms} requests > 2 ms, ${r.over10ms} > 10 ms`,
  );
  console.log(`  slowest response per second of the run (ms): ${r.maxPerSecond.map((us) => (us / 1000).toFixed(us < 10000 ? 1 : 0)).join(' ')}`);
  out[name] = {
    over2ms: r.over2ms,
    over10ms: r.over10ms,
    maxPerSecond: r.maxPerSecond,
    requests: r.requests,
    p50: h.getValueAtPercentile(50),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    sendLagP99: r.sendLag.getValueAtPercentile(99),
    unit: 'us',
  };
}

const echo = await startCeiling('sink.mjs', ['echo']);
try {
  await measure('ceiling: loopback echo', () =>
    runSchedule({ port: echo.port, template, requestsPerSecond: rps, warmupSeconds: WARMUP, seconds: SECONDS, check: (f) => f.readInt32BE(0) }),
  );
} finally {
  await echo.stop();
}
for (const mode of MODES) {
  const s = await startSamsa({ storage: mode });
  try {
    await createTopic(s.port, TOPIC);
    await measure(`samsa ${mode}`, () =>
      runSchedule({
        port: s.port,
        template,
        requestsPerSecond: rps,
        warmupSeconds: WARMUP,
        seconds: SECONDS,
        check: (f) => checkProduceResponse(f).correlationId,
      }),
    );
  } finally {
    await s.destroy();
  }
}
console.log('');
table(['target', 'requests', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'send lag p99 ms', 'machine busy cores'], rows);
console.log('latency = response time - the time the request was due on the fixed schedule. Goal: samsa p99 <= 2 ms.');
console.log('send lag = how late the generator wrote a request; machine busy = all cores in use during the run (2 = saturated by something).');
json({ bench: 'latency', rate: RATE, recordsPerRequest: PER, seconds: SECONDS, results: out });
