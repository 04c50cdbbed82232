// The log cleaner (cleanup.policy=compact) through LogManager and PartitionLog, on both engines:
// the latest value of every key stays, at its original offset; tombstones stay until their delete
// horizon (KIP-534) and then go; min.compaction.lag.ms keeps young segments dirty; gzip and zstd
// batches are rebuilt in their codec; the active segment is never touched; an active producer's
// last batch survives as an empty batch; the cleaner checkpoint is written and read back; reads
// and appends go on during a clean. Then, on disk, a crash at every step of the swap protocol
// (a hook that throws, leaving the files as a kill -9 would) followed by a reload: nothing lost,
// nothing duplicated, and a later clean finishes the job.
//
// Every expectation comes from an oracle that applies Kafka's rules record by record
// (expectAfterClean below) to what the log held before the clean.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { LogManager } from '../../src/storage/log-manager.js';
import type { PartitionLog, AppendInfo } from '../../src/storage/partition-log.js';
import { FileSegment, MemorySegment } from '../../src/storage/segment.js';
import type { TopicState } from '../../src/cluster/topic.js';
import { buildBatch, type BuildRecord } from '../../src/protocol/records/build.js';
import { readBatchHeader, type BatchHeader } from '../../src/protocol/records/header.js';
import { stampBatch } from '../../src/protocol/records/stamp.js';
import { iterateRecords } from '../../src/protocol/records/iterate.js';
import { compressBatch, decompressBatch } from '../../src/compression/batch-codec.js';
import { destroyPool, poolStarted } from '../../src/workers/pool.js';
import { FdCache } from '../../src/storage/fd-cache.js';
import { loadPartitionLog } from '../../src/storage/log-loader.js';
import { cleanLog, logToClean, CLEANER_CHECKPOINT, CleaningAborted, type CleanResult } from '../../src/storage/cleaner/index.js';
import { lastSequenceOf } from '../../src/storage/producer-state.js';

type Engine = 'disk' | 'memory';
const ENGINES: Engine[] = ['disk', 'memory'];
const silent = createLogger('silent');
const roots: string[] = [];
const managers: LogManager[] = [];
let topicSeq = 0;

interface Env {
  engine: Engine;
  root: string;
  manager: LogManager;
  log: PartitionLog;
  topic: TopicState;
}

const BASE_CONFIG: Record<string, string> = {
  'cleanup.policy': 'compact',
  'segment.bytes': '2048',
  'min.cleanable.dirty.ratio': '0.01',
  'delete.retention.ms': '60000',
  'file.delete.delay.ms': '0',
};

function open(engine: Engine, configs: Record<string, string> = {}, root?: string, topicName?: string): Env {
  const dir = root ?? mkdtempSync(join(tmpdir(), 'samsa-cleaner-'));
  if (!root) roots.push(dir);
  const manager = new LogManager(engine, [dir], BrokerConfig.load({}), silent);
  managers.push(manager);
  const topic: TopicState = {
    name: topicName ?? `c${++topicSeq}`,
    id: `topic-id-${topicSeq}`.padEnd(22, 'x'),
    partitions: [{ partition: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1] }],
    configs: { ...BASE_CONFIG, ...configs },
    internal: false,
  };
  manager.partitionsCreated(topic, topic.partitions);
  return { engine, root: dir, manager, log: manager.get(topic.name, 0)!, topic };
}

/** A second LogManager on the same directory (a restart), loading the topic from its files. */
async function reopen(env: Env): Promise<Env> {
  const manager = new LogManager('disk', [env.root], BrokerConfig.load({}), silent);
  managers.push(manager);
  await manager.loadAll([env.topic]);
  return { ...env, manager, log: manager.get(env.topic.name, 0)! };
}

interface R {
  key: string | null;
  value: string | null;
  timestamp?: number;
}

const rec = (key: string | null, value: string | null, timestamp?: number): R => ({ key, value, timestamp });

interface AppendOptions {
  codec?: 0 | 1 | 4;
  producer?: { id: number; epoch: number; seq: number };
}

/** Appends one batch of `records` and waits until it is durable. */
async function append(log: PartitionLog, records: R[], o: AppendOptions = {}): Promise<AppendInfo> {
  const built: BuildRecord[] = records.map((r) => ({
    key: r.key === null ? null : Buffer.from(r.key),
    value: r.value === null ? null : Buffer.from(r.value),
    timestamp: r.timestamp,
  }));
  let b = buildBatch(built, { producerId: o.producer?.id, producerEpoch: o.producer?.epoch, baseSequence: o.producer?.seq });
  if (o.codec) b = await compressBatch(b, o.codec);
  const h = readBatchHeader(b, 0);
  const info = log.append(b, [{ position: 0, size: b.length, lastOffsetDelta: h.lastOffsetDelta, maxTimestamp: h.maxTimestamp }], 0, Date.now(), stampBatch);
  await log.waitDurable(info.lastOffset);
  if (o.producer) {
    const firstSeq = o.producer.seq;
    log.producers.update(
      o.producer.id,
      o.producer.epoch,
      { firstSeq, lastSeq: lastSequenceOf(firstSeq, h.lastOffsetDelta), firstOffset: info.baseOffset, lastOffset: info.lastOffset, timestamp: h.maxTimestamp },
      false,
    );
  }
  return info;
}

interface Rec {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  /** The delete horizon of its batch, -1 for none. */
  horizon: number;
}

interface Dump {
  records: Rec[];
  batches: BatchHeader[];
}

/** Every batch and record of the log, from the log start to the high watermark. */
async function dump(log: PartitionLog): Promise<Dump> {
  const out: Dump = { records: [], batches: [] };
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const r = await log.read(offset, 1 << 20, true);
    if (r.buffers.length === 0) break;
    for (const b of r.buffers) {
      const h = readBatchHeader(b, 0);
      out.batches.push(h);
      const plain = h.compression === 0 ? b : await decompressBatch(b, 0);
      iterateRecords(plain, 0, (o, ts, k, v) => {
        out.records.push({ offset: o, key: k && k.toString(), value: v && v.toString(), timestamp: ts, horizon: h.hasDeleteHorizonMs ? h.baseTimestamp : -1 });
      });
    }
    offset = r.nextOffset;
  }
  return out;
}

/**
 * Kafka's rules applied record by record to the log `before` a clean that mapped [firstDirty,
 * end) at time `now`: what the log must hold after it.
 */
function expectAfterClean(before: Rec[], firstDirty: number, end: number, now: number): Rec[] {
  const latest = new Map<string, number>();
  for (const r of before) if (r.key !== null && r.offset >= firstDirty && r.offset < end) latest.set(r.key, r.offset);
  const kept = before.filter((r) => {
    if (r.offset >= end) return true;
    if (r.key === null) return false;
    if (r.offset < (latest.get(r.key) ?? -1)) return false;
    return r.value !== null || r.horizon < 0 || now < r.horizon;
  });
  return kept;
}

const strip = (rs: Rec[]) => rs.map((r) => ({ offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp }));

/** Checks the cleaned log against the oracle and the basic invariants. */
function checkClean(after: Dump, before: Dump, result: CleanResult, firstDirty: number, now: number, what: string): void {
  const exp = strip(expectAfterClean(before.records, firstDirty, result.endOffset, now));
  const act = strip(after.records);
  if (process.env.DEBUG_CLEAN) {
    const a = new Set(act.map((r) => r.offset));
    const e = new Set(exp.map((r) => r.offset));
    console.log(
      what,
      'end',
      result.endOffset,
      'missing',
      exp.filter((r) => !a.has(r.offset)).slice(0, 5),
      'extra',
      act.filter((r) => !e.has(r.offset)).slice(0, 5),
    );
  }
  assert.equal(act, exp, `${what}: records after the clean`);
  let last = -1;
  for (const b of after.batches) {
    assert.ok(b.baseOffset > last, `${what}: batch ${b.baseOffset} after offset ${last}`);
    last = b.baseOffset + b.lastOffsetDelta;
  }
}

/** The latest value of every key in the records (tombstoned keys: null). */
function latestValues(records: Rec[]): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const r of records) if (r.key !== null) m.set(r.key, r.value);
  return m;
}

function both(name: string, fn: (engine: Engine) => Promise<void>): void {
  for (const engine of ENGINES) test(`${name} [${engine}]`, () => fn(engine));
}

test.after(async () => {
  for (const m of managers) await m.close().catch(() => undefined);
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  await destroyPool();
});

/** Keyed updates over 20 keys, 5 records a batch, with tombstones and a keyless record. */
async function writeUpdates(
  log: PartitionLog,
  batches: number,
  o: { tag?: string; codec?: 0 | 1 | 4; tombstoneEvery?: number; seed?: number } = {},
): Promise<void> {
  let n = 0;
  let seed = o.seed ?? 0;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % 30;
  for (let b = 0; b < batches; b++) {
    const rs: R[] = [];
    for (let i = 0; i < 5; i++, n++) {
      // Without a seed, keys cycle (a batch's records all survive or all go); with one, at random.
      const key = o.seed === undefined ? `key-${(n * 7) % 20}` : `key-${random()}`;
      const tomb = o.tombstoneEvery !== undefined && n % o.tombstoneEvery === o.tombstoneEvery - 1;
      rs.push(rec(key, tomb ? null : `${o.tag ?? 'v'}-${n}-${'x'.repeat(20)}`));
    }
    if (b === 3) rs.push(rec(null, 'no key here'));
    await append(log, rs, { codec: o.codec });
  }
}

// ---- the basic rules ----

both('keeps the latest value of every key at its original offset; the active segment is not touched', async (engine) => {
  const { log, manager } = open(engine, { 'delete.retention.ms': '60000' });
  await writeUpdates(log, 60, { tombstoneEvery: 13 });
  assert.ok(log.segments.length > 4, `several segments (${log.segments.length})`);
  const before = await dump(log);
  const active = log.activeSegment;
  const activeSize = active.size;
  const leo = log.logEndOffset;
  const now = Date.now();
  const outcome = await manager.cleaner.cleanNow(log, now);
  assert.ok(outcome, 'cleaned');
  assert.is(outcome!.endOffset, active.baseOffset, 'cleans up to the active segment');
  assert.is(outcome!.firstDirtyOffset, 0);
  const after = await dump(log);
  checkClean(after, before, outcome!, 0, now, 'first clean');
  assert.ok(log.activeSegment === active && active.size === activeSize, 'the active segment is the same, unchanged');
  assert.is(log.logEndOffset, leo, 'the log end offset does not move');
  assert.ok(outcome!.bytesAfter < outcome!.bytesBefore / 2, `bytes ${outcome!.bytesBefore} -> ${outcome!.bytesAfter}`);
  assert.ok(outcome!.stats.keylessDropped >= 1, 'the keyless record went');
  assert.equal(latestValues(after.records), latestValues(before.records), 'latest value per key');
  // Tombstones stay, with a delete horizon on their batches.
  const tomb = after.records.find((r) => r.value === null && r.offset < outcome!.endOffset);
  assert.ok(tomb, 'a tombstone is kept');
  assert.is(tomb!.horizon, now + 60000, 'its batch got the delete horizon now + delete.retention.ms');
  assert.is(manager.cleaner.checkpointOf(log.name), outcome!.endOffset, 'checkpoint');
  // Nothing more to clean: a second call finds no dirty bytes.
  assert.is(await manager.cleaner.cleanNow(log, now), null, 'nothing dirty left');
  assert.is(await manager.cleaner.cleanFilthiest(now), null, 'not picked either');
});

both('only a dirty ratio above min.cleanable.dirty.ratio starts a clean', async (engine) => {
  const { log, manager } = open(engine, { 'min.cleanable.dirty.ratio': '0.75', 'segment.bytes': '1024' });
  await writeUpdates(log, 40, { seed: 1 });
  const first = await manager.cleaner.cleanFilthiest();
  assert.ok(first, 'all dirty: ratio 1 > 0.75');
  // New data, a batch at a time: no clean while the ratio is at or below 0.75, one once above.
  let below = 0;
  for (let i = 0; i < 200; i++) {
    await append(log, [rec(`key-${i % 30}`, `w-${i}-${'w'.repeat(30)}`)]);
    const [ltc] = await manager.cleaner.survey();
    if (ltc!.cleanableRatio <= 0.75) {
      if (ltc!.cleanableRatio > 0) below++;
      assert.is(await manager.cleaner.cleanFilthiest(), null, `ratio ${ltc!.cleanableRatio}: not cleaned`);
    } else {
      assert.ok(await manager.cleaner.cleanFilthiest(), `ratio ${ltc!.cleanableRatio}: cleaned`);
      assert.ok(below > 0, 'saw a dirty log below the ratio first');
      return;
    }
  }
  assert.unreachable('the ratio never passed 0.75');
});

both('tombstones go at the first clean after their delete horizon, and the key with them', async (engine) => {
  const { log, manager } = open(engine, { 'delete.retention.ms': '1000' });
  await append(log, [rec('a', 'a1'), rec('b', 'b1'), rec('c', 'c1')]);
  await append(log, [rec('a', null), rec('b', 'b2')]);
  for (let i = 0; i < 30; i++) await append(log, [rec(`k${i % 10}`, `${i}-${'y'.repeat(40)}`)]);
  const t0 = Date.now();
  const c1 = await manager.cleaner.cleanNow(log, t0);
  let d = await dump(log);
  const tomb = d.records.find((r) => r.key === 'a');
  assert.equal({ value: tomb?.value, horizon: tomb?.horizon }, { value: null, horizon: t0 + 1000 }, 'tombstone kept with its horizon');
  assert.ok(
    d.records.every((r) => r.key !== 'a' || r.value === null),
    'the old value of a is gone',
  );
  // More writes, a clean before the horizon: the tombstone stays.
  for (let i = 0; i < 30; i++) await append(log, [rec(`k${i % 10}`, `${i}-${'z'.repeat(40)}`)]);
  const before2 = await dump(log);
  const c2 = await manager.cleaner.cleanNow(log, t0 + 500);
  d = await dump(log);
  checkClean(d, before2, c2!, c1!.endOffset, t0 + 500, 'before the horizon');
  assert.ok(
    d.records.some((r) => r.key === 'a' && r.value === null),
    'still there before the horizon',
  );
  // After the horizon: gone, and nothing of `a` is left.
  for (let i = 0; i < 30; i++) await append(log, [rec(`k${i % 10}`, `${i}-${'w'.repeat(40)}`)]);
  const before3 = await dump(log);
  const c3 = await manager.cleaner.cleanNow(log, t0 + 1001);
  d = await dump(log);
  checkClean(d, before3, c3!, c2!.endOffset, t0 + 1001, 'after the horizon');
  assert.not.ok(
    d.records.some((r) => r.key === 'a'),
    'tombstone dropped after its horizon',
  );
  assert.ok(c3!.stats.tombstonesDropped >= 1);
  assert.equal(
    d.records.filter((r) => r.key === 'b').map((r) => r.value),
    ['b2'],
    'b keeps its latest value',
  );
  assert.equal(
    d.records.filter((r) => r.key === 'c').map((r) => r.value),
    ['c1'],
    'c, never updated, stays',
  );
  // Record timestamps survive the horizon rewrite of the base timestamp.
  assert.equal(d.records.find((r) => r.key === 'b')!.timestamp, before3.records.find((r) => r.key === 'b')!.timestamp);
});

both('min.compaction.lag.ms keeps segments with young records dirty', async (engine) => {
  const { log, manager } = open(engine, { 'min.compaction.lag.ms': String(3600_000) });
  const now = Date.now();
  const old = now - 2 * 3600_000;
  for (let i = 0; i < 40; i++) await append(log, [rec(`k${i % 5}`, `old-${i}-${'o'.repeat(40)}`, old + i)]);
  log.roll(now, 'test');
  const firstYoung = log.activeSegment.baseOffset;
  for (let i = 0; i < 40; i++) await append(log, [rec(`k${i % 5}`, `new-${i}-${'n'.repeat(40)}`, now + i)]);
  const before = await dump(log);
  const ltc = await logToClean(log, undefined, now, manager.fds);
  assert.is(ltc.firstUncleanableOffset, firstYoung, 'stops at the first segment newer than the lag');
  const c = await manager.cleaner.cleanNow(log, now);
  assert.is(c!.endOffset, firstYoung);
  const after = await dump(log);
  checkClean(after, before, c!, 0, now, 'with a compaction lag');
  assert.equal(
    strip(after.records.filter((r) => r.offset >= firstYoung)),
    strip(before.records.filter((r) => r.offset >= firstYoung)),
    'young records untouched',
  );
  // Later, when the lag has passed, they are cleaned too.
  const c2 = await manager.cleaner.cleanNow(log, now + 2 * 3600_000);
  assert.is(c2!.endOffset, log.activeSegment.baseOffset);
});

both('max.compaction.lag.ms forces a clean below the dirty ratio', async (engine) => {
  const { log, manager } = open(engine, { 'min.cleanable.dirty.ratio': '0.99', 'max.compaction.lag.ms': '1000' });
  await writeUpdates(log, 40);
  await manager.cleaner.cleanNow(log);
  await writeUpdates(log, 12, { tag: 'late' });
  const [fresh] = await manager.cleaner.survey(Date.now());
  assert.not.ok(fresh!.needCompactionNow, 'not yet');
  const [late] = await manager.cleaner.survey(Date.now() + 5000);
  assert.ok(late!.needCompactionNow && late!.cleanableRatio < 0.99, 'the lag forces it');
  assert.ok(await manager.cleaner.cleanFilthiest(Date.now() + 5000), 'cleaned');
});

for (const [codec, name] of [
  [1, 'gzip'],
  [4, 'zstd'],
] as const) {
  both(`${name} batches are filtered and rebuilt in ${name}`, async (engine) => {
    const { log, manager } = open(engine, { 'segment.bytes': '1500' });
    await writeUpdates(log, 50, { codec, tombstoneEvery: 11, seed: 7 });
    const before = await dump(log);
    const now = Date.now();
    const c = await manager.cleaner.cleanNow(log, now);
    const after = await dump(log);
    checkClean(after, before, c!, 0, now, name);
    const rebuilt = after.batches.filter((b) => b.baseOffset < c!.endOffset && b.recordCount > 0);
    assert.ok(rebuilt.length > 0);
    for (const b of rebuilt) assert.is(b.compression, codec, `batch ${b.baseOffset} keeps ${name}`);
    assert.ok(
      rebuilt.some((b) => b.recordCount < 5),
      'some batches lost records',
    );
  });
}

both('large compressed batches are decompressed and recompressed on the worker pool', async (engine) => {
  const { log, manager } = open(engine, { 'segment.bytes': String(256 * 1024) });
  let seed = 99;
  const hex = (n: number) => {
    let out = '';
    while (out.length < n) out += ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 0).toString(16);
    return out.slice(0, n);
  };
  for (let b = 0; b < 12; b++) {
    await append(
      log,
      Array.from({ length: 200 }, (_, i) => rec(`big-${(b * 200 + i) % 150}`, hex(120))),
      { codec: b % 2 === 0 ? 1 : 4 },
    );
  }
  log.roll(Date.now(), 'test');
  const before = await dump(log);
  assert.ok(
    before.batches.some((b) => b.size > 8 * 1024),
    'batches above the inline thresholds',
  );
  const now = Date.now();
  const c = await manager.cleaner.cleanNow(log, now);
  checkClean(await dump(log), before, c!, 0, now, 'large batches');
  assert.ok(poolStarted(), 'the pool ran the large jobs');
});

both("an active producer's last batch stays (empty) so its sequence survives", async (engine) => {
  const { log, manager, root } = open(engine);
  const pid = 4242;
  await append(log, [rec('p', 'p0'), rec('q', 'q0')], { producer: { id: pid, epoch: 3, seq: 0 } });
  await append(log, [rec('p', 'p1'), rec('q', 'q1'), rec('r', 'r1')], { producer: { id: pid, epoch: 3, seq: 2 } });
  // Another producer's writes supersede every record of both batches.
  for (let i = 0; i < 40; i++) await append(log, [rec(['p', 'q', 'r'][i % 3]!, `other-${i}-${'o'.repeat(30)}`)]);
  const c = await manager.cleaner.cleanNow(log);
  assert.ok(c);
  const d = await dump(log);
  const mine = d.batches.filter((b) => b.producerId === pid);
  assert.is(mine.length, 1, 'only the last batch of the producer is left');
  assert.equal(
    {
      base: mine[0]!.baseOffset,
      lastOffsetDelta: mine[0]!.lastOffsetDelta,
      records: mine[0]!.recordCount,
      seq: mine[0]!.baseSequence,
      epoch: mine[0]!.producerEpoch,
    },
    { base: 2, lastOffsetDelta: 2, records: 0, seq: 2, epoch: 3 },
    'an empty batch with the original offsets and producer fields',
  );
  if (engine === 'disk') {
    // A restart without snapshots rebuilds the producer state from the log: the last sequence is 4.
    for (const f of readdirSync(log.dir!)) if (f.endsWith('.snapshot')) rmSync(join(log.dir!, f));
    const fds = new FdCache(64);
    const reloaded = await loadPartitionLog({
      topic: log.topic,
      partition: 0,
      dir: log.dir!,
      config: log.config,
      fds,
      log: silent,
      cleanShutdown: false,
      logStartOffset: 0,
    });
    const e = reloaded.producers.producers.get(pid);
    assert.equal({ epoch: e?.epoch, lastSeq: e?.batches.at(-1)?.lastSeq, lastOffset: e?.batches.at(-1)?.lastOffset }, { epoch: 3, lastSeq: 4, lastOffset: 4 });
    fds.closeAll();
    void root;
  }
});

both('reads and appends go on while a clean runs', async (engine) => {
  const { log, manager } = open(engine, { 'segment.bytes': '4096' });
  await writeUpdates(log, 150, { tag: 'r' });
  const before = await dump(log);
  const original = new Map(before.records.map((r) => [r.offset, r]));
  let stop = false;
  let reads = 0;
  const reader = (async () => {
    while (!stop) {
      // Every record a reader sees is the original record at that offset, in offset order.
      const d = await dump(log);
      let last = -1;
      for (const r of d.records) {
        assert.ok(r.offset > last, 'offsets increase');
        last = r.offset;
        const o = original.get(r.offset);
        if (o) assert.equal({ k: r.key, v: r.value }, { k: o.key, v: o.value }, `record ${r.offset}`);
      }
      reads++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  const writer = (async () => {
    let i = 0;
    while (!stop) {
      await append(log, [rec(`key-${i % 20}`, `during-${i++}`)]);
      await new Promise((r) => setImmediate(r));
    }
  })();
  const c = await manager.cleaner.cleanNow(log);
  stop = true;
  await Promise.all([reader, writer]);
  assert.ok(c && c.segmentsBefore > 3, 'cleaned several segments');
  assert.ok(reads > 0);
  const after = await dump(log);
  assert.equal(
    strip(after.records.filter((r) => r.offset < c!.endOffset)),
    strip(expectAfterClean(before.records, 0, c!.endOffset, Date.now()).filter((r) => r.offset < c!.endOffset)),
  );
});

both('retention deleting segments under a clean (compact,delete) makes it give up harmlessly', async (engine) => {
  const { log, manager } = open(engine, { 'cleanup.policy': 'compact,delete' });
  await writeUpdates(log, 60, { seed: 3 });
  const before = await dump(log);
  const ltc = await logToClean(log, undefined, Date.now(), manager.fds);
  let retained = 0;
  const err = await cleanLog(ltc, {
    fds: manager.fds,
    live: () => true,
    hooks: {
      step: (s) => {
        if (s !== 'cleaned-written' || retained > 0) return;
        log.config = { ...log.config, retentionBytes: log.sizeInBytes - log.segments[0]!.size - 1 };
        retained = log.applyRetention(Date.now());
      },
    },
  }).catch((e) => e);
  assert.is(retained, 1, 'retention deleted the oldest segment mid-clean');
  assert.instance(err, CleaningAborted);
  const after = await dump(log);
  assert.equal(strip(after.records), strip(before.records.filter((r) => r.offset >= log.logStartOffset)), 'the log is as retention left it');
  if (engine === 'disk')
    assert.equal(
      readdirSync(log.dir!).filter((f) => f.endsWith('.cleaned')),
      [],
      'cleaned files removed',
    );
  log.config = { ...log.config, retentionBytes: -1 };
  assert.ok(await manager.cleaner.cleanNow(log), 'the next clean works');
});

// ---- disk: checkpoint, restart ----

test("the cleaner checkpoint is written in Kafka's format and read back at start-up [disk]", async () => {
  const env = open('disk');
  await writeUpdates(env.log, 40);
  const c = await env.manager.cleaner.cleanNow(env.log);
  const text = readFileSync(join(env.root, CLEANER_CHECKPOINT), 'utf8');
  assert.is(text, `0\n1\n${env.topic.name} 0 ${c!.endOffset}\n`);
  const before = await dump(env.log);
  await env.manager.close();
  const again = await reopen(env);
  assert.is(again.manager.cleaner.checkpointOf(env.log.name), c!.endOffset);
  assert.equal(strip((await dump(again.log)).records), strip(before.records), 'the cleaned log reloads as it was');
  assert.is(await again.manager.cleaner.cleanNow(again.log), null, 'nothing dirty after the restart');
  // Deleting the topic drops its checkpoint entry.
  again.manager.topicDeleted(env.topic);
  assert.is(readFileSync(join(env.root, CLEANER_CHECKPOINT), 'utf8'), '0\n0\n');
});

test('merged segments: a second clean groups small cleaned segments into one [disk]', async () => {
  const env = open('disk', { 'segment.bytes': '3000' });
  await writeUpdates(env.log, 80);
  await env.manager.cleaner.cleanNow(env.log);
  const n1 = env.log.segments.length;
  await writeUpdates(env.log, 30, { tag: 'm' });
  const before = await dump(env.log);
  const c = await env.manager.cleaner.cleanNow(env.log);
  assert.ok(c!.segmentsAfter < c!.segmentsBefore, `segments ${c!.segmentsBefore} -> ${c!.segmentsAfter} (after the first clean: ${n1})`);
  checkClean(await dump(env.log), before, c!, c!.firstDirtyOffset, Date.now(), 'second clean');
  const files = readdirSync(env.log.dir!).filter((f) => f.endsWith('.log'));
  assert.is(files.length, env.log.segments.length, 'one file per segment');
  const again = await reopen(env);
  assert.equal(strip((await dump(again.log)).records), strip((await dump(env.log)).records), 'reloads the same');
});

// ---- leases: readers lease the segments they read; PartitionLog.replaceSegments waits for them ----

both('a fetch holds a lease on the segment it reads until its read returns', async (engine) => {
  const { log } = open(engine);
  await writeUpdates(log, 40, { seed: 4 });
  assert.ok(log.segments.length > 2, 'several segments');
  const first = log.segments[0]!;
  assert.ok(first instanceof (engine === 'disk' ? FileSegment : MemorySegment), 'the engine chosen at creation makes the segments');
  const reading = log.read(log.logStartOffset, 1 << 20, true);
  // The read is suspended inside the first segment: leased there, and nowhere else yet.
  assert.ok(first.leased, 'leased while the read is in flight');
  assert.not.ok(
    log.segments.slice(1).some((s) => s.leased),
    'later segments not yet leased',
  );
  await reading;
  assert.not.ok(
    log.segments.some((s) => s.leased),
    'every lease released once the read returned',
  );
});

both('the swap waits for the leases of readers of the old segments', async (engine) => {
  const { log, manager } = open(engine);
  await writeUpdates(log, 40, { seed: 5 });
  const first = log.segments[0]!;
  first.lease(); // a fetch reading the first segment
  const steps: string[] = [];
  const ltc = await logToClean(log, undefined, Date.now(), manager.fds);
  const cleaning = cleanLog(ltc, { fds: manager.fds, live: () => true, hooks: { step: (s) => void steps.push(s) } });
  const deadline = Date.now() + 5000;
  while (!steps.includes('cleaned-written') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(steps, ['cleaned-written'], 'the first group is written but not swapped in');
  assert.ok(log.segments[0] === first, 'the old segment is still listed');
  if (engine === 'disk') assert.ok(existsSync((first as FileSegment).logPath), 'and its file is still there');
  first.release();
  await cleaning;
  assert.ok(steps.includes('swapped'), 'swapped once the read finished');
  assert.ok(log.segments[0] !== first, 'the cleaned segment replaced it');
});

both('a lease held past swapWaitMs gives the clean up, leaving the log as it was', async (engine) => {
  const { log, manager } = open(engine);
  await writeUpdates(log, 40, { seed: 6 });
  const before = await dump(log);
  const segments = [...log.segments];
  segments[0]!.lease();
  const ltc = await logToClean(log, undefined, Date.now(), manager.fds);
  const err = await cleanLog(ltc, { fds: manager.fds, live: () => true, swapWaitMs: 20 }).catch((e) => e);
  segments[0]!.release();
  assert.instance(err, CleaningAborted);
  assert.equal(log.segments, segments, 'the same segments');
  assert.equal(strip((await dump(log)).records), strip(before.records), 'the same records');
  if (engine === 'disk')
    assert.equal(
      readdirSync(log.dir!).filter((f) => /\.(cleaned|swap|deleted)$/.test(f)),
      [],
      'nothing of the clean left',
    );
});

// ---- crash safety ----

/** A log with a first clean done and more dirty data after it, plus what it held. */
async function crashScenario(): Promise<{ env: Env; before: Dump }> {
  const env = open('disk', { 'segment.bytes': '3000' }, undefined);
  await writeUpdates(env.log, 60, { tombstoneEvery: 17 });
  await env.manager.cleaner.cleanNow(env.log);
  await writeUpdates(env.log, 40, { tag: 'second', tombstoneEvery: 9 });
  return { env, before: await dump(env.log) };
}

async function stepsOfASecondClean(): Promise<string[]> {
  const { env } = await crashScenario();
  const steps: string[] = [];
  const ltc = await logToClean(env.log, env.manager.cleaner.checkpointOf(env.log.name), Date.now(), env.manager.fds);
  await cleanLog(ltc, { fds: env.manager.fds, live: () => true, hooks: { step: (s) => void steps.push(s) } });
  return steps;
}

class Crash extends Error {}

test('a crash at any step of the swap loses nothing and the next start completes or rolls back [disk]', async () => {
  const steps = await stepsOfASecondClean();
  assert.ok(steps.includes('log-swap') && steps.some((s) => s.startsWith('delete:')) && steps.includes('log-final'), steps.join(' '));
  assert.ok(steps.filter((s) => s === 'cleaned-written').length >= 2, 'several groups');
  // Crash at the k-th step, for every k.
  for (let k = 0; k < steps.length; k++) {
    const { env, before } = await crashScenario();
    const checkpoint = env.manager.cleaner.checkpointOf(env.log.name)!;
    const ltc = await logToClean(env.log, checkpoint, Date.now(), env.manager.fds);
    let n = 0;
    let crashed = false;
    try {
      await cleanLog(ltc, {
        fds: env.manager.fds,
        live: () => true,
        hooks: {
          step: () => {
            if (n++ === k) throw new Crash(`crash at ${steps[k]}`);
          },
        },
      });
    } catch (err) {
      assert.instance(err, Crash);
      crashed = true;
    }
    assert.ok(crashed, `crashed at step ${k} (${steps[k]})`);
    // The files as the crash left them; a new broker process loads them.
    const again = await reopen(env);
    const d = await dump(again.log);
    const what = `after a crash at ${steps[k]} (#${k})`;
    assert.is(again.log.logEndOffset, env.log.logEndOffset, `${what}: log end offset`);
    // Every record left is the original record at its offset, each offset once, in order.
    const original = new Map(before.records.map((r) => [r.offset, r]));
    let last = -1;
    for (const r of d.records) {
      assert.ok(r.offset > last, `${what}: offsets increase (${r.offset} after ${last})`);
      last = r.offset;
      const o = original.get(r.offset);
      assert.ok(o && o.key === r.key && o.value === r.value, `${what}: record ${r.offset} is intact`);
    }
    // Nothing that a clean keeps is missing: at least the oracle's records are there.
    const expected = expectAfterClean(before.records, checkpoint, ltc.firstUncleanableOffset, Date.now());
    const have = new Set(d.records.map((r) => r.offset));
    for (const r of expected) assert.ok(have.has(r.offset), `${what}: record ${r.offset} (${r.key}=${r.value}) lost`);
    assert.equal(latestValues(d.records), latestValues(before.records), `${what}: latest values`);
    const leftovers = readdirSync(again.log.dir!).filter((f) => /\.(cleaned|swap)$/.test(f));
    assert.equal(leftovers, [], `${what}: no temporary files left`);
    // And a clean after the restart gets to the same end result.
    const after = await again.manager.cleaner.cleanNow(again.log);
    const final = await dump(again.log);
    if (after) assert.is(after.endOffset, ltc.firstUncleanableOffset);
    assert.equal(strip(final.records), strip(expected), `${what}: the next clean ends where an uninterrupted one would`);
  }
});

test('files of an interrupted clean: .cleaned is dropped, a .swap is completed [disk]', async () => {
  // Spelled out for the two key states, with the files checked directly.
  for (const [crashAt, expectSwap] of [
    ['cleaned-written', false],
    ['log-swap', true],
  ] as const) {
    const { env } = await crashScenario();
    const ltc = await logToClean(env.log, env.manager.cleaner.checkpointOf(env.log.name), Date.now(), env.manager.fds);
    await cleanLog(ltc, {
      fds: env.manager.fds,
      live: () => true,
      hooks: {
        step: (s) => {
          if (s === crashAt) throw new Crash(s);
        },
      },
    }).catch((e) => assert.instance(e, Crash));
    const files = readdirSync(env.log.dir!);
    assert.is(
      files.some((f) => f.endsWith('.log.swap')),
      expectSwap,
      `${crashAt}: a .log.swap ${expectSwap ? 'is' : 'is not'} there`,
    );
    if (!expectSwap)
      assert.ok(
        files.some((f) => f.endsWith('.log.cleaned')),
        `${crashAt}: .cleaned files are there`,
      );
    const again = await reopen(env);
    const names = readdirSync(again.log.dir!);
    assert.not.ok(
      names.some((f) => /\.(cleaned|swap)$/.test(f)),
      `${crashAt}: loader removed or completed them: ${names.join(' ')}`,
    );
    assert.ok(existsSync(join(again.log.dir!, '00000000000000000000.log')));
  }
});

test.run();
