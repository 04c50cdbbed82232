// One `samsa bench produce|consume|e2e` run: set up (topic, leaders, offsets), drive the load,
// and gather the result. Nothing here prints except the progress line.
import { cpus } from 'node:os';
import { Session, formatAddress } from './session.js';
import { startProducer } from './produce.js';
import { startConsumer, startOffsets } from './consume.js';
import { Meter } from './meter.js';
import { summarize } from './histogram.js';
import { startGroupConsumer } from './group-consume.js';
import { describeTarget, type BrokerFacts } from './limits.js';
import { BenchError, type BenchConfig, type BenchResult, type GroupResult } from './types.js';

const E2E_GRACE_MS = 10_000;

export async function runBench(cfg: BenchConfig): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const session = await Session.open(cfg.bootstrap, cfg.timeoutMs);
  let meter: Meter;
  let produceMeter: Meter | null = null;
  let group: GroupResult | undefined;
  let facts: BrokerFacts;
  try {
    if (cfg.createTopic) await session.createTopic(cfg.topic, cfg.partitions);
    // Producing auto-creates the topic where the broker allows it, as a producer would; consuming does not.
    const layout = await session.layout(cfg.topic, cfg.mode !== 'consume');
    if (cfg.consumePartitions) {
      const missing = cfg.consumePartitions.filter((p) => !layout.leaders.has(p));
      if (missing.length > 0) throw new BenchError(`topic ${cfg.topic} has no partition ${missing.join(', ')} (it has ${layout.leaders.size})`);
    }
    facts = await describeTarget(session, cfg.topic, layout);
    const stopAfter = (fn: () => void) => {
      if (cfg.durationMs === null) return null;
      const t = setTimeout(fn, cfg.durationMs);
      return t;
    };

    if (cfg.mode === 'produce') {
      meter = new Meter('produce', cfg.progress);
      const run = await startProducer(cfg, session, layout, meter, { facts });
      meter.start();
      const timer = stopAfter(() => run.stop());
      run.begin();
      try {
        await run.done;
      } finally {
        if (timer) clearTimeout(timer);
        meter.stop();
      }
    } else if (cfg.mode === 'consume' && cfg.group !== null) {
      // A group member: the clock (and --duration) starts with the first assignment.
      meter = new Meter('consume', cfg.progress);
      const m = meter;
      let timer: NodeJS.Timeout | null = null;
      const run = startGroupConsumer(cfg, session, layout, meter, () => {
        m.start();
        timer = stopAfter(() => run.stop());
      });
      try {
        group = await run.done;
      } finally {
        if (timer) clearTimeout(timer);
        meter.stop();
      }
    } else if (cfg.mode === 'consume') {
      meter = new Meter('consume', cfg.progress);
      const start = await startOffsets(cfg, layout, cfg.from);
      let max = cfg.records;
      if (max === null && cfg.durationMs === null) {
        const end = await startOffsets(cfg, layout, 'latest');
        max = [...start].reduce((a, [p, o]) => a + Math.max(0, (end.get(p) ?? o) - o), 0);
      }
      meter.start();
      const run = await startConsumer(cfg, layout, start, meter, { maxRecords: max });
      const timer = stopAfter(() => run.stop());
      try {
        await run.done;
      } finally {
        if (timer) clearTimeout(timer);
        meter.stop();
      }
    } else {
      // e2e: the consumer starts at the end, the producer stamps each batch as it sends it.
      meter = new Meter('e2e', cfg.progress);
      produceMeter = new Meter('produce', false);
      const start = await startOffsets(cfg, layout, 'latest');
      const consumer = await startConsumer(cfg, layout, start, meter, { e2e: true, maxRecords: Infinity });
      const producer = await startProducer(cfg, session, layout, produceMeter, { e2e: true, facts }).catch((err: Error) => {
        consumer.stop();
        throw err;
      });
      meter.start();
      produceMeter.start();
      const timer = stopAfter(() => producer.stop());
      producer.begin();
      let grace: NodeJS.Timeout | undefined;
      try {
        await producer.done;
        consumer.target(produceMeter.records);
        grace = setTimeout(() => consumer.stop(), E2E_GRACE_MS);
        await consumer.done;
      } catch (err) {
        consumer.stop();
        throw err;
      } finally {
        if (timer) clearTimeout(timer);
        clearTimeout(grace);
        produceMeter.stop();
        meter.stop();
      }
      if (meter.records < produceMeter.records) meter.error('NOT_RECEIVED', produceMeter.records - meter.records);
    }
  } finally {
    session.close();
  }
  const seconds = meter.elapsed();
  const { progress: _p, bootstrap, ...rest } = cfg;
  void _p;
  return {
    format: 'samsa-bench/1',
    mode: cfg.mode,
    startedAt,
    config: { ...rest, bootstrap: bootstrap.map(formatAddress).join(',') },
    broker: { storage: facts.storage },
    host: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?' },
    records: meter.records,
    bytes: meter.bytes,
    requests: meter.requests,
    seconds,
    recordsPerSec: meter.records / seconds,
    mbPerSec: meter.bytes / seconds / 1e6,
    latencyKind: cfg.mode === 'produce' ? 'produce-ack' : cfg.mode === 'consume' ? 'fetch' : 'end-to-end',
    latency: summarize(meter.latency),
    ...(produceMeter ? { produceLatency: summarize(produceMeter.latency) } : {}),
    errors: { ...meter.errors, ...(produceMeter?.errors ?? {}) },
    timeline: meter.timeline,
    ...(group ? { group } : {}),
  };
}
