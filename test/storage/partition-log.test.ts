// PartitionLog and LogManager through their public API: appends and reads, Kafka's maxBytes rules,
// segment rolls, index lookups, time and size retention, DeleteRecords, the leader epoch cache
// and out-of-range reads. Every case runs against both engines (files under a temp dir, and
// memory) from one table: the engines must not differ in anything a client can see.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { ErrorCode, KafkaError } from '../../src/errors.js';
import { LogManager } from '../../src/storage/log-manager.js';
import type { PartitionLog, AppendInfo } from '../../src/storage/partition-log.js';
import type { FileSegment } from '../../src/storage/segment.js';
import type { TopicState } from '../../src/cluster/topic.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { stampBatch } from '../../src/protocol/records/stamp.js';
import { iterateRecords } from '../../src/protocol/records/iterate.js';
import { OFFSET_ENTRY, TIME_ENTRY } from '../../src/storage/offset-index.js';

type Engine = 'disk' | 'memory';
const ENGINES: Engine[] = ['disk', 'memory'];
const silent = createLogger('silent');
const roots: string[] = [];
const managers: LogManager[] = [];

interface Env {
  engine: Engine;
  root: string;
  manager: LogManager;
  log: PartitionLog;
  topic: TopicState;
}

let topicSeq = 0;

// A LogManager with one single-partition topic; `configs` are topic config overrides, resolved
// through logConfigFor exactly as for a topic created by CreateTopics.
function open(engine: Engine, configs: Record<string, string> = {}): Env {
  const root = mkdtempSync(join(tmpdir(), 'samsa-plog-'));
  roots.push(root);
  const manager = new LogManager(engine, [root], BrokerConfig.load({}), silent);
  managers.push(manager);
  const topic: TopicState = {
    name: `t${++topicSeq}`,
    id: `topic-id-${topicSeq}`.padEnd(22, 'x'),
    partitions: [{ partition: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1] }],
    configs,
    internal: false,
  };
  manager.partitionsCreated(topic, topic.partitions);
  const log = manager.get(topic.name, 0)!;
  return { engine, root, manager, log, topic };
}

// A batch of `count` records whose values are `valueSize` bytes; `tag` makes batches distinct.
function batch(count: number, o: { valueSize?: number; timestamp?: number; tag?: number } = {}): Buffer {
  const tag = o.tag ?? 0;
  return buildBatch(
    Array.from({ length: count }, (_, i) => ({
      key: Buffer.from(`k${tag}-${i}`),
      value: Buffer.alloc(o.valueSize ?? 10, 97 + ((tag + i) % 26)),
      timestamp: o.timestamp,
    })),
    { timestamp: o.timestamp },
  );
}

// Appends one or more batches (back to back in one buffer, as a produce request holds them) and
// waits until they are durable. Returns the append info; the buffers are stamped in place.
async function append(log: PartitionLog, batches: Buffer | Buffer[], o: { epoch?: number; now?: number } = {}): Promise<AppendInfo> {
  const list = Array.isArray(batches) ? batches : [batches];
  const records = list.length === 1 ? list[0]! : Buffer.concat(list);
  const parts = [];
  let position = 0;
  for (const b of list) {
    const h = readBatchHeader(b, 0);
    parts.push({ position, size: b.length, lastOffsetDelta: h.lastOffsetDelta, maxTimestamp: h.maxTimestamp });
    position += b.length;
  }
  const info = log.append(records, parts, o.epoch ?? 0, o.now ?? Date.now(), stampBatch);
  await log.waitDurable(info.lastOffset);
  if (list.length > 1) {
    // The caller's copies get the stamps the log wrote into the concatenation.
    let p = 0;
    for (const b of list) {
      records.copy(b, 0, p, p + b.length);
      p += b.length;
    }
  }
  return info;
}

interface ReadBack {
  bytes: Buffer;
  bases: number[];
  nextOffset: number;
  logStartOffset: number;
  highWatermark: number;
}

async function read(log: PartitionLog, offset: number, maxBytes = 1 << 30, minOneBatch = true): Promise<ReadBack> {
  const r = await log.read(offset, maxBytes, minOneBatch);
  const bytes = Buffer.concat(r.buffers);
  assert.is(bytes.length, r.bytes, 'bytes counts the buffers');
  const bases: number[] = [];
  for (let p = 0; p < bytes.length;) {
    const h = readBatchHeader(bytes, p);
    bases.push(h.baseOffset);
    p += h.size;
  }
  return { bytes, bases, nextOffset: r.nextOffset, logStartOffset: r.logStartOffset, highWatermark: r.highWatermark };
}

async function throwsCode(fn: () => Promise<unknown> | unknown, code: number, what: string): Promise<void> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof KafkaError, `${what}: KafkaError expected, got ${String(err)}`);
    assert.is((err as KafkaError).code, code, `${what}: error code`);
    return;
  }
  assert.unreachable(`${what}: should have failed with code ${code}`);
}

function logFiles(env: Env): string[] {
  return readdirSync(env.log.dir!).sort();
}

// Every case gets a fresh log per engine.
function both(name: string, fn: (engine: Engine) => Promise<void>): void {
  for (const engine of ENGINES) test(`${name} [${engine}]`, () => fn(engine));
}

test.after(async () => {
  for (const m of managers) await m.close().catch(() => undefined);
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

// ---- append and read ----

both('appends get consecutive offsets and read back byte for byte', async (engine) => {
  const { log } = open(engine);
  const b0 = batch(1, { tag: 0 });
  const b1 = batch(3, { tag: 1 });
  const b2 = batch(2, { tag: 2 });
  const i0 = await append(log, b0, { epoch: 7 });
  const i1 = await append(log, b1, { epoch: 7 });
  const i2 = await append(log, b2, { epoch: 7 });
  assert.equal([i0.baseOffset, i0.lastOffset], [0, 0]);
  assert.equal([i1.baseOffset, i1.lastOffset], [1, 3]);
  assert.equal([i2.baseOffset, i2.lastOffset], [4, 5]);
  assert.is(log.logEndOffset, 6);
  assert.is(log.highWatermark, 6);
  assert.is(log.logStartOffset, 0);
  const r = await read(log, 0);
  assert.equal(r.bases, [0, 1, 4]);
  assert.is(r.nextOffset, 6);
  assert.is(r.highWatermark, 6);
  assert.ok(r.bytes.equals(Buffer.concat([b0, b1, b2])), 'the bytes served are the bytes appended, stamped');
  // Stamps: base offsets and the leader epoch, CRC untouched (it does not cover them).
  const h = readBatchHeader(r.bytes, b0.length);
  assert.is(h.baseOffset, 1);
  assert.is(h.partitionLeaderEpoch, 7);
  const offsets: number[] = [];
  iterateRecords(r.bytes, b0.length, (o) => void offsets.push(o));
  assert.equal(offsets, [1, 2, 3]);
  if (engine === 'disk') {
    assert.ok(readFileSync(join(log.dir!, '00000000000000000000.log')).equals(r.bytes), 'the .log file holds exactly the stamped batches');
  }
});

both('several batches in one append are stamped one after another', async (engine) => {
  const { log } = open(engine);
  await append(log, batch(2, { tag: 9 }));
  const a = batch(2, { tag: 1 });
  const b = batch(3, { tag: 2 });
  const info = await append(log, [a, b]);
  assert.equal([info.baseOffset, info.lastOffset], [2, 6]);
  const r = await read(log, 2);
  assert.equal(r.bases, [2, 4]);
  assert.ok(r.bytes.equals(Buffer.concat([a, b])));
});

both('a read from the middle of a batch returns that whole batch', async (engine) => {
  const { log } = open(engine);
  const b0 = batch(3, { tag: 0 });
  const b1 = batch(4, { tag: 1 });
  await append(log, b0);
  await append(log, b1);
  for (const offset of [4, 5, 6]) {
    const r = await read(log, offset);
    assert.equal(r.bases, [3], `offset ${offset}`);
    assert.ok(r.bytes.equals(b1));
    assert.is(r.nextOffset, 7);
  }
  const r = await read(log, 1);
  assert.equal(r.bases, [0, 3]);
});

both('maxBytes: the first batch whole when larger, otherwise whole batches that fit', async (engine) => {
  const { log } = open(engine);
  const bs = [
    batch(2, { valueSize: 100, tag: 0 }),
    batch(1, { valueSize: 300, tag: 1 }),
    batch(3, { valueSize: 50, tag: 2 }),
    batch(1, { valueSize: 80, tag: 3 }),
  ];
  for (const b of bs) await append(log, b);
  const [s0, s1, s2] = bs.map((b) => b.length) as [number, number, number];
  // Larger than maxBytes: returned whole when minOneBatch, else nothing.
  let r = await read(log, 0, 10, true);
  assert.equal(r.bases, [0]);
  assert.ok(r.bytes.equals(bs[0]!));
  r = await read(log, 0, 10, false);
  assert.equal(r.bases, []);
  assert.is(r.nextOffset, -1);
  // Stops at batch boundaries.
  r = await read(log, 0, s0 + s1 - 1);
  assert.equal(r.bases, [0]);
  r = await read(log, 0, s0 + s1);
  assert.equal(r.bases, [0, 2]);
  assert.is(r.nextOffset, 3);
  r = await read(log, 0, s0 + s1 + s2 - 1);
  assert.equal(r.bases, [0, 2]);
  // The limit falls a few bytes into the next batch's header (shorter than a header).
  for (const extra of [1, 11, 12, 20, 26, 27, 40, 60, 61]) {
    r = await read(log, 0, s0 + extra);
    assert.equal(r.bases, [0], `maxBytes = first batch + ${extra}`);
    assert.is(r.bytes.length, s0);
  }
  r = await read(log, 2, s1 + s2);
  assert.equal(r.bases, [2, 3]);
});

both('reads at the log end are empty; below the start or past the end are OFFSET_OUT_OF_RANGE', async (engine) => {
  const { log } = open(engine);
  let r = await read(log, 0);
  assert.equal(r.bases, [], 'empty log');
  await append(log, batch(3));
  await append(log, batch(2));
  r = await read(log, 5);
  assert.equal(r.bases, []);
  assert.is(r.nextOffset, -1);
  await throwsCode(() => log.read(6, 1000, true), ErrorCode.OFFSET_OUT_OF_RANGE, 'past the end');
  await throwsCode(() => log.read(-1, 1000, true), ErrorCode.OFFSET_OUT_OF_RANGE, 'negative');
  log.deleteRecordsBefore(2, Date.now());
  await throwsCode(() => log.read(1, 1000, true), ErrorCode.OFFSET_OUT_OF_RANGE, 'below the log start');
  r = await read(log, 2);
  assert.equal(r.bases, [0, 3], 'a read at the start offset gets the batch holding it');
  assert.is(r.logStartOffset, 2);
});

// ---- segments ----

both('segment.bytes rolls the active segment; reads cross segments', async (engine) => {
  const one = batch(1, { valueSize: 200 }).length;
  const env = open(engine, { 'segment.bytes': String(one * 2 + one / 2) });
  const { log } = env;
  const all: Buffer[] = [];
  for (let i = 0; i < 9; i++) {
    const b = batch(1, { valueSize: 200, tag: i });
    all.push(b);
    await append(log, b);
  }
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [0, 2, 4, 6, 8],
  );
  for (const s of log.segments.slice(0, -1)) assert.is(s.size, one * 2);
  assert.is(log.sizeInBytes, one * 9);
  const r = await read(log, 0);
  assert.equal(r.bases, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(r.bytes.equals(Buffer.concat(all)));
  // Part of the way: stops at a batch boundary inside a later segment.
  const part = await read(log, 1, one * 4);
  assert.equal(part.bases, [1, 2, 3, 4]);
  if (engine === 'disk') {
    const names = logFiles(env);
    for (const base of [0, 2, 4, 6, 8]) {
      const stem = String(base).padStart(20, '0');
      for (const ext of ['.log', '.index', '.timeindex']) assert.ok(names.includes(stem + ext), `${stem}${ext} exists`);
    }
    assert.is(statSync(join(log.dir!, '00000000000000000002.log')).size, one * 2);
  }
});

both('a batch that does not fit the rest of a read is not skipped over into the next segment', async (engine) => {
  // Segments: [small] [large] [small]; a read that takes the first segment and has room for the
  // third segment's batch but not the second's must stop, not jump over the large batch.
  const small = batch(1, { valueSize: 50 });
  const env = open(engine, { 'segment.bytes': String(small.length + 1) });
  const { log } = env;
  const a = batch(1, { valueSize: 50, tag: 1 });
  const big = batch(1, { valueSize: 600, tag: 2 });
  const c = batch(1, { valueSize: 50, tag: 3 });
  await append(log, a);
  await append(log, big);
  await append(log, c);
  assert.is(log.segments.length, 3);
  const r = await read(log, 0, a.length + c.length + 10);
  assert.equal(r.bases, [0], 'only the first batch: the second does not fit and must not be skipped');
  assert.is(r.nextOffset, 1);
});

both('segment.ms rolls a segment that has grown old', async (engine) => {
  const { log } = open(engine, { 'segment.ms': '1000' });
  const t0 = log.activeSegment.createdMs;
  await append(log, batch(1), { now: t0 + 10 });
  await append(log, batch(1), { now: t0 + 900 });
  assert.is(log.segments.length, 1, 'not old enough yet');
  await append(log, batch(2), { now: t0 + 1001 });
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [0, 2],
  );
  // The new segment's age counts from its own creation.
  await append(log, batch(1), { now: t0 + 1500 });
  assert.is(log.segments.length, 2);
  await append(log, batch(1), { now: t0 + 2100 });
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [0, 2, 5],
  );
  const r = await read(log, 0);
  assert.equal(r.bases, [0, 1, 2, 4, 5]);
});

both('index lookups find the batch of every offset across many segments', async (engine) => {
  const env = open(engine, { 'segment.bytes': '3000', 'index.interval.bytes': '300' });
  const { log } = env;
  const batches: Array<{ base: number; last: number; bytes: Buffer }> = [];
  let seed = 12345;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  for (let i = 0; i < 150; i++) {
    const b = batch(1 + rnd(4), { valueSize: 10 + rnd(200), tag: i });
    const info = await append(log, b);
    batches.push({ base: info.baseOffset, last: info.lastOffset, bytes: b });
  }
  assert.ok(log.segments.length >= 8, `many segments (${log.segments.length})`);
  assert.ok(log.segments.every((s) => s.index.count >= 1));
  assert.ok(
    log.segments.some((s) => s.index.count > 1),
    'sparse entries inside segments',
  );
  for (const b of batches) {
    for (let o = b.base; o <= b.last; o++) {
      const r = await read(log, o, 1);
      assert.equal(r.bases, [b.base], `offset ${o}`);
      assert.ok(r.bytes.equals(b.bytes), `offset ${o}: bytes`);
    }
  }
  const all = await read(log, 0);
  assert.equal(
    all.bases,
    batches.map((b) => b.base),
  );
  if (engine === 'disk') {
    // The index files on disk hold what the in-memory index holds.
    for (const s of log.segments as FileSegment[]) {
      assert.ok(readFileSync(s.indexPath).equals(s.index.toBuffer()), `${s.baseOffset}.index`);
      assert.ok(readFileSync(s.timeIndexPath).equals(s.timeIndex.toBuffer()), `${s.baseOffset}.timeindex`);
      assert.is(readFileSync(s.indexPath).length, s.index.count * OFFSET_ENTRY);
      assert.is(readFileSync(s.timeIndexPath).length, s.timeIndex.count * TIME_ENTRY);
    }
  }
});

both('batchForTimestamp finds the first batch with a timestamp at or after the target', async (engine) => {
  const { log } = open(engine, { 'segment.bytes': '400' });
  const t = 1_700_000_000_000;
  for (let i = 0; i < 10; i++) await append(log, batch(2, { timestamp: t + i * 1000, valueSize: 60, tag: i }));
  assert.ok(log.segments.length > 2);
  for (const [ts, base] of [
    [t - 5, 0],
    [t, 0],
    [t + 1, 2],
    [t + 4500, 10],
    [t + 9000, 18],
  ] as const) {
    const found = await log.batchForTimestamp(ts);
    assert.ok(found, `ts ${ts}`);
    assert.is(readBatchHeader(found!.buf, found!.position).baseOffset, base, `ts ${ts - t}`);
  }
  assert.is(await log.batchForTimestamp(t + 9001), null);
});

// ---- retention ----

both('retention.ms deletes expired segments, keeps the active one, and rolls it once all expired', async (engine) => {
  const one = batch(1, { valueSize: 200 }).length;
  const env = open(engine, { 'segment.bytes': String(one * 2), 'retention.ms': '60000', 'file.delete.delay.ms': '100' });
  const { log, manager } = env;
  const now = Date.now();
  for (let i = 0; i < 6; i++) await append(log, batch(1, { valueSize: 200, timestamp: now - 600_000, tag: i }), { now });
  for (let i = 0; i < 3; i++) await append(log, batch(1, { valueSize: 200, timestamp: now - 1000, tag: 6 + i }), { now });
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [0, 2, 4, 6, 8],
  );
  // Nothing has expired yet at `now - 600_000 + retention`.
  assert.is(manager.runRetention(now - 600_000 + 60_000), 0);
  const deleted = manager.runRetention(now);
  assert.is(deleted, 3, 'the three segments holding only old records');
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [6, 8],
  );
  assert.is(log.logStartOffset, 6);
  await throwsCode(() => log.read(5, 1000, true), ErrorCode.OFFSET_OUT_OF_RANGE, 'deleted offsets');
  assert.equal((await read(log, 6)).bases, [6, 7, 8]);
  if (engine === 'disk') {
    const names = logFiles(env);
    for (const stem of ['00000000000000000000', '00000000000000000002', '00000000000000000004']) {
      assert.not.ok(names.includes(`${stem}.log`), `${stem}.log renamed`);
      for (const ext of ['.log', '.index', '.timeindex']) assert.ok(names.includes(`${stem}${ext}.deleted`), `${stem}${ext}.deleted`);
    }
    // The new start is checkpointed with the deletion.
    assert.match(readFileSync(join(env.root, 'log-start-offset-checkpoint'), 'utf8'), `${env.topic.name} 0 6\n`);
    // file.delete.delay.ms (100 ms) later they are removed: poll for it, bounded.
    const deadline = Date.now() + 10_000;
    while (logFiles(env).some((f) => f.endsWith('.deleted')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.not.ok(
      logFiles(env).some((f) => f.endsWith('.deleted')),
      'removed after file.delete.delay.ms',
    );
  }
  // Everything expired: the active segment is rolled so that it can go too.
  const later = now + 120_000;
  assert.is(manager.runRetention(later), 2);
  assert.is(log.segments.length, 1);
  assert.ok(log.activeSegment.isEmpty);
  assert.is(log.activeSegment.baseOffset, 9);
  assert.is(log.logStartOffset, 9);
  assert.is(log.logEndOffset, 9);
  assert.equal((await read(log, 9)).bases, []);
  await throwsCode(() => log.read(8, 1000, true), ErrorCode.OFFSET_OUT_OF_RANGE, 'all deleted');
  // Appends continue at the old end.
  const info = await append(log, batch(2, { timestamp: later }), { now: later });
  assert.is(info.baseOffset, 9);
  assert.equal((await read(log, 9)).bases, [9]);
});

both('retention.bytes deletes the oldest segments beyond the limit, never the active one', async (engine) => {
  const one = batch(1, { valueSize: 200 }).length;
  const env = open(engine, { 'segment.bytes': String(one * 2), 'retention.bytes': String(one * 4 + 10), 'file.delete.delay.ms': '0' });
  const { log, manager } = env;
  for (let i = 0; i < 9; i++) await append(log, batch(1, { valueSize: 200, tag: i }));
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [0, 2, 4, 6, 8],
  );
  assert.is(log.sizeInBytes, one * 9);
  // 9 batches, at most 4 (+10 bytes) kept: whole segments go while the rest stays above the limit.
  assert.is(manager.runRetention(Date.now()), 2);
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [4, 6, 8],
  );
  assert.is(log.logStartOffset, 4);
  assert.is(log.sizeInBytes, one * 5);
  assert.is(manager.runRetention(Date.now()), 0, 'deleting one more segment would go below the limit');
  if (engine === 'disk') {
    assert.not.ok(
      logFiles(env).some((f) => f.startsWith('00000000000000000000') || f.startsWith('00000000000000000002')),
      'file.delete.delay.ms=0 removes at once',
    );
  }
  // retention.bytes = 0 still keeps the active segment.
  log.config = { ...log.config, retentionBytes: 0 };
  manager.runRetention(Date.now());
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [8],
  );
  assert.is(log.logStartOffset, 8);
  assert.equal((await read(log, 8)).bases, [8]);
});

both('cleanup.policy=compact is left alone by retention', async (engine) => {
  const { log, manager } = open(engine, { 'cleanup.policy': 'compact', 'segment.bytes': '300', 'retention.ms': '1' });
  for (let i = 0; i < 4; i++) await append(log, batch(1, { valueSize: 200, timestamp: 1000, tag: i }));
  assert.is(manager.runRetention(Date.now()), 0);
  assert.is(log.logStartOffset, 0);
});

test('retention never deletes a segment at or above the high watermark [disk]', async () => {
  // Kafka's deletableSegments: the log start offset may never pass the high watermark. On disk the
  // high watermark trails appends until their write completes; retention running in between must
  // not delete (or rename) a segment whose bytes are still being written.
  const one = batch(1, { valueSize: 200 }).length;
  const { log, manager } = open('disk', { 'segment.bytes': String(one), 'retention.bytes': '1', 'file.delete.delay.ms': '0' });
  const bs = [0, 1, 2].map((i) => batch(1, { valueSize: 200, tag: i }));
  const infos = bs.map((b) =>
    log.append(b, [{ position: 0, size: b.length, lastOffsetDelta: 0, maxTimestamp: readBatchHeader(b, 0).maxTimestamp }], 0, Date.now(), stampBatch),
  );
  assert.is(log.segments.length, 3);
  assert.ok(log.highWatermark < 3, 'writes still in flight');
  manager.runRetention(Date.now());
  assert.ok(log.logStartOffset <= log.highWatermark, `log start ${log.logStartOffset} <= high watermark ${log.highWatermark}`);
  await log.waitDurable(infos[2]!.lastOffset);
  assert.is(log.highWatermark, 3);
  manager.runRetention(Date.now());
  assert.is(log.logStartOffset, 2);
  assert.equal((await read(log, 2)).bases, [2]);
});

// ---- DeleteRecords ----

both('deleteRecordsBefore moves the log start offset and deletes whole segments below it', async (engine) => {
  const one = batch(2, { valueSize: 100 }).length;
  const env = open(engine, { 'segment.bytes': String(one * 2), 'file.delete.delay.ms': '0' });
  const { log } = env;
  for (let i = 0; i < 7; i++) await append(log, batch(2, { valueSize: 100, tag: i }));
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [0, 4, 8, 12],
  );
  const now = Date.now();
  // Inside the first segment: nothing is deleted, but the start moves.
  assert.is(log.deleteRecordsBefore(3, now), 3);
  assert.is(log.segments.length, 4);
  await throwsCode(() => log.read(2, 1000, true), ErrorCode.OFFSET_OUT_OF_RANGE, 'below the new start');
  assert.equal((await read(log, 3, one)).bases, [2], 'the batch holding the start offset is served whole');
  // Never backwards.
  assert.is(log.deleteRecordsBefore(1, now), 3);
  assert.is(log.logStartOffset, 3);
  // Exactly at a segment's base: the segments below go.
  assert.is(log.deleteRecordsBefore(8, now), 8);
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [8, 12],
  );
  if (engine === 'disk') assert.not.ok(existsSync(join(log.dir!, '00000000000000000004.log')));
  // Above the high watermark: refused, nothing changes.
  await throwsCode(() => log.deleteRecordsBefore(15, now), ErrorCode.OFFSET_OUT_OF_RANGE, 'above the high watermark');
  await throwsCode(() => log.deleteRecordsBefore(-2, now), ErrorCode.OFFSET_OUT_OF_RANGE, 'negative');
  assert.is(log.logStartOffset, 8);
  // -1: up to the high watermark. The active segment stays (empty of readable records).
  assert.is(log.deleteRecordsBefore(-1, now), 14);
  assert.equal(
    log.segments.map((s) => s.baseOffset),
    [12],
  );
  assert.is(log.logEndOffset, 14);
  assert.equal((await read(log, 14)).bases, []);
  await throwsCode(() => log.read(13, 1000, true), ErrorCode.OFFSET_OUT_OF_RANGE, 'everything deleted');
  const info = await append(log, batch(1));
  assert.is(info.baseOffset, 14);
  assert.is(info.logStartOffset, 14);
});

// ---- leader epochs ----

both('endOffsetForEpoch answers as Kafka’s LeaderEpochFileCache.endOffsetFor', async (engine) => {
  const env = open(engine);
  const { log } = env;
  assert.equal(log.endOffsetForEpoch(0), { leaderEpoch: -1, endOffset: -1 }, 'no epochs yet');
  await append(log, batch(3), { epoch: 0 }); // 0-2
  await append(log, batch(2), { epoch: 0 }); // 3-4
  await append(log, batch(3), { epoch: 2 }); // 5-7
  await append(log, batch(2), { epoch: 5 }); // 8-9
  assert.equal(log.epochs, [
    { epoch: 0, startOffset: 0 },
    { epoch: 2, startOffset: 5 },
    { epoch: 5, startOffset: 8 },
  ]);
  const cases: Array<[number, number, number]> = [
    [-1, -1, -1], // UNDEFINED_EPOCH
    [0, 0, 5],
    [1, 0, 5], // the largest epoch <= 1 is 0, which ends where 2 starts
    [2, 2, 8],
    [3, 2, 8],
    [4, 2, 8],
    [5, 5, 10], // the latest epoch ends at the log end
    [6, -1, -1], // above every known epoch: undefined
    [100, -1, -1],
  ];
  for (const [req, epoch, end] of cases) assert.equal(log.endOffsetForEpoch(req), { leaderEpoch: epoch, endOffset: end }, `epoch ${req}`);
  if (engine === 'disk') {
    assert.is(readFileSync(join(log.dir!, 'leader-epoch-checkpoint'), 'utf8'), '0\n3\n0 0\n2 5\n5 8\n');
  }
  // Kafka's truncateFromStart when the log start moves: entries wholly below go, the one holding
  // the new start begins there; an epoch older than the first known one ends at its start.
  log.deleteRecordsBefore(6, Date.now());
  assert.equal(log.epochs, [
    { epoch: 2, startOffset: 6 },
    { epoch: 5, startOffset: 8 },
  ]);
  assert.equal(log.endOffsetForEpoch(0), { leaderEpoch: 0, endOffset: 6 });
  assert.equal(log.endOffsetForEpoch(2), { leaderEpoch: 2, endOffset: 8 });
  assert.equal(log.endOffsetForEpoch(5), { leaderEpoch: 5, endOffset: 10 });
  if (engine === 'disk') {
    assert.is(readFileSync(join(log.dir!, 'leader-epoch-checkpoint'), 'utf8'), '0\n2\n2 6\n5 8\n');
  }
  // A start exactly at an epoch's first offset keeps that entry as it is.
  log.deleteRecordsBefore(8, Date.now());
  assert.equal(log.epochs, [{ epoch: 5, startOffset: 8 }]);
});

both('the current leader epoch counts as starting at the log end until a record carries it', async (engine) => {
  const { log } = open(engine);
  // Kafka assigns the leader's epoch at the log end on election: an empty log knows it.
  assert.equal(log.endOffsetForEpoch(0, 0), { leaderEpoch: 0, endOffset: 0 });
  assert.equal(log.endOffsetForEpoch(1, 0), { leaderEpoch: -1, endOffset: -1 });
  await append(log, batch(5), { epoch: 0 });
  const cases: Array<[number, number, number]> = [
    [0, 0, 5],
    [2, 0, 5],
    [4, 4, 5],
    [5, -1, -1],
  ];
  for (const [req, epoch, end] of cases) assert.equal(log.endOffsetForEpoch(req, 4), { leaderEpoch: epoch, endOffset: end }, `epoch ${req}, leader epoch 4`);
  assert.equal(log.epochs, [{ epoch: 0, startOffset: 0 }], 'asking changes nothing');
  await append(log, batch(2), { epoch: 4 });
  assert.equal(log.endOffsetForEpoch(0, 4), { leaderEpoch: 0, endOffset: 5 });
  assert.equal(log.endOffsetForEpoch(4, 4), { leaderEpoch: 4, endOffset: 7 });
});

test.run();
