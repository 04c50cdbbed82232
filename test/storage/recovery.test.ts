// Start-up recovery of partition logs on disk (log-loader.ts, recovery.ts, LogManager.loadAll):
// a log is written for real, the "process" stops without close() (or closes cleanly), the files are
// damaged the way a crash or a disk leaves them, and a new LogManager loads the directory. What
// must hold: a torn tail is cut off and nothing before it is lost, indexes are rebuilt and agree
// with the ones appends wrote, the log end offset is right and appends continue there, a clean
// shutdown needs no repair, leftovers of unfinished deletes go, and the checkpoints are honoured.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig } from '../../src/config/index.js';
import { createLogger, type Logger } from '../../src/log.js';
import { ErrorCode, KafkaError } from '../../src/errors.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { loadPartitionLog } from '../../src/storage/log-loader.js';
import { logConfigFor } from '../../src/storage/log-config.js';
import { FdCache } from '../../src/storage/fd-cache.js';
import type { PartitionLog, AppendInfo } from '../../src/storage/partition-log.js';
import type { FileSegment } from '../../src/storage/segment.js';
import type { TopicState } from '../../src/cluster/topic.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { stampBatch } from '../../src/protocol/records/stamp.js';

const brokerConfig = BrokerConfig.load({});
const silent = createLogger('silent');
const roots: string[] = [];
const T = 1_700_000_000_000;

// A logger that keeps its lines, to see whether recovery reported repairs.
function capture(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const raw: string[] = [];
  const logger = createLogger('info', { write: (s: string) => void raw.push(s) });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

let seq = 0;
function topicState(configs: Record<string, string> = {}): TopicState {
  seq++;
  return {
    name: `rec${seq}`,
    id: `recovery-topic-${seq}`.padEnd(22, 'x'),
    partitions: [{ partition: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1] }],
    configs,
    internal: false,
  };
}

interface Written {
  root: string;
  topic: TopicState;
  manager: LogManager;
  log: PartitionLog;
  batches: Array<{ base: number; last: number; bytes: Buffer }>;
}

function batch(count: number, tag: number, timestamp = T + tag * 1000, valueSize = 120): Buffer {
  return buildBatch(
    Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`key-${tag}-${i}`), value: Buffer.alloc(valueSize, 65 + ((tag + i) % 26)), timestamp })),
    { timestamp },
  );
}

async function append(log: PartitionLog, b: Buffer, epoch = 0): Promise<AppendInfo> {
  const h = readBatchHeader(b, 0);
  const info = log.append(
    b,
    [{ position: 0, size: b.length, lastOffsetDelta: h.lastOffsetDelta, maxTimestamp: h.maxTimestamp }],
    epoch,
    Date.now(),
    stampBatch,
  );
  await log.waitDurable(info.lastOffset);
  return info;
}

// A log of `count` batches of 1-3 records over several segments, fully written to its files.
async function writeLog(
  count = 12,
  configs: Record<string, string> = { 'segment.bytes': '1200', 'index.interval.bytes': '200' },
  timestamps?: (i: number) => number,
): Promise<Written> {
  const root = mkdtempSync(join(tmpdir(), 'samsa-recovery-'));
  roots.push(root);
  const topic = topicState(configs);
  const manager = new LogManager('disk', [root], brokerConfig, silent);
  manager.partitionsCreated(topic, topic.partitions);
  const log = manager.get(topic.name, 0)!;
  const batches: Written['batches'] = [];
  for (let i = 0; i < count; i++) {
    const b = batch(1 + (i % 3), i, timestamps?.(i));
    const info = await append(log, b, i < count / 2 ? 0 : 3);
    batches.push({ base: info.baseOffset, last: info.lastOffset, bytes: b });
  }
  return { root, topic, manager, log, batches };
}

// The process dies: no close(), no clean-shutdown marker, no checkpoints beyond those already
// written. The kernel closes its files.
function crash(w: Written): void {
  w.manager.fds.closeAll();
}

async function restart(w: Written, logger: Logger = silent): Promise<{ manager: LogManager; log: PartitionLog }> {
  const manager = new LogManager('disk', [w.root], brokerConfig, logger);
  await manager.loadAll([w.topic]);
  return { manager, log: manager.get(w.topic.name, 0)! };
}

// What a restart must restore exactly (creation times aside).
function state(log: PartitionLog) {
  return {
    logStartOffset: log.logStartOffset,
    logEndOffset: log.logEndOffset,
    highWatermark: log.highWatermark,
    epochs: log.epochs.map((e) => ({ ...e })),
    segments: log.segments.map((s) => ({
      baseOffset: s.baseOffset,
      size: s.size,
      writtenSize: s.writtenSize,
      lastOffset: s.lastOffset,
      maxTimestamp: s.maxTimestamp,
      offsetOfMaxTimestamp: s.offsetOfMaxTimestamp,
      index: s.index.toBuffer().toString('hex'),
      timeIndex: s.timeIndex.toBuffer().toString('hex'),
    })),
  };
}

async function readAll(log: PartitionLog, from = log.logStartOffset): Promise<Buffer> {
  const r = await log.read(from, 1 << 30, true);
  return Buffer.concat(r.buffers);
}

// Every offset finds its batch through the (rebuilt) indexes.
async function checkLookups(log: PartitionLog, batches: Written['batches']): Promise<void> {
  for (const b of batches) {
    for (let o = b.base; o <= b.last; o++) {
      const r = await log.read(o, 1, true);
      assert.is(r.buffers.length, 1, `offset ${o}`);
      assert.ok(r.buffers[0]!.equals(b.bytes), `offset ${o}: the batch holding it`);
    }
  }
}

const segPath = (log: PartitionLog, base: number, ext: string) => join(log.dir!, `${String(base).padStart(20, '0')}${ext}`);

function recoveryWarnings(lines: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return lines.filter((l) => l.msg === 'recovered partition log');
}

test.after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

// ---- clean and unclean restarts without damage ----

test('a clean close and load restores everything and repairs nothing', async () => {
  // Timestamps out of order, an index entry per batch: the segment's max timestamp is in an
  // early batch, which a load that only reads the tail must still know (ListOffsets -3).
  const w = await writeLog(12, { 'segment.bytes': '1200', 'index.interval.bytes': '1' }, (i) => T + (i % 4 === 0 ? 50_000 : i * 10));
  const before = state(w.log);
  const bytes = await readAll(w.log);
  await w.manager.close();
  assert.ok(existsSync(join(w.root, '.kafka_cleanshutdown')));
  const files = readdirSync(w.log.dir!).sort();
  const indexBytes = new Map(files.filter((f) => f.endsWith('index')).map((f) => [f, readFileSync(join(w.log.dir!, f))]));
  const { logger, lines } = capture();
  const { manager, log } = await restart(w, logger);
  assert.equal(state(log), before);
  assert.ok((await readAll(log)).equals(bytes));
  assert.equal(recoveryWarnings(lines()), [], 'no repairs reported');
  assert.equal(readdirSync(log.dir!).sort(), files);
  for (const [f, b] of indexBytes) assert.ok(readFileSync(join(log.dir!, f)).equals(b), `${f} untouched`);
  assert.not.ok(existsSync(join(w.root, '.kafka_cleanshutdown')), 'the marker is consumed: a crash from here on is unclean');
  await checkLookups(log, w.batches);
  await manager.close();
});

test('an unclean stop with intact files loses nothing; the rebuilt indexes equal the written ones', async () => {
  const w = await writeLog();
  const before = state(w.log);
  const bytes = await readAll(w.log);
  crash(w);
  const { logger, lines } = capture();
  const { manager, log } = await restart(w, logger);
  assert.equal(state(log), before);
  assert.ok((await readAll(log)).equals(bytes));
  const warned = recoveryWarnings(lines());
  assert.is(warned.length, 1);
  assert.equal(warned[0]!.repairs, [`segment ${log.activeSegment.baseOffset}: indexes rebuilt`], 'only the active segment is checked');
  await checkLookups(log, w.batches);
  await manager.close();
});

// ---- torn tails ----

interface Damage {
  name: string;
  // Damages the active segment's .log; returns how many of the written batches survive.
  apply(w: Written, logPath: string): number;
  clean?: boolean; // damage after a clean close
}

const DAMAGES: Damage[] = [
  {
    name: 'random bytes appended',
    apply: (w, p) => {
      appendFileSync(p, Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff)));
      return w.batches.length;
    },
  },
  {
    name: 'half a batch appended',
    apply: (w, p) => {
      const next = Buffer.from(batch(3, 99));
      next.writeBigInt64BE(BigInt(w.log.logEndOffset), 0);
      appendFileSync(p, next.subarray(0, next.length >> 1));
      return w.batches.length;
    },
  },
  {
    name: 'a partial batch header appended',
    apply: (w, p) => {
      appendFileSync(p, Buffer.from([0, 0, 0, 0, 0, 0, 0]));
      return w.batches.length;
    },
  },
  {
    name: 'zeros appended (a preallocated tail)',
    apply: (w, p) => {
      appendFileSync(p, Buffer.alloc(4096));
      return w.batches.length;
    },
  },
  {
    name: 'a flipped byte in the last batch',
    apply: (w, p) => {
      const buf = readFileSync(p);
      const last = w.batches[w.batches.length - 1]!;
      const at = buf.length - last.bytes.length + 70; // inside the records: covered by the CRC
      buf[at] = buf[at]! ^ 0x40;
      writeFileSync(p, buf);
      return w.batches.length - 1;
    },
  },
  {
    name: 'the last batch cut short',
    apply: (w, p) => {
      const last = w.batches[w.batches.length - 1]!;
      truncateSync(p, statSync(p).size - Math.floor(last.bytes.length / 3));
      return w.batches.length - 1;
    },
  },
  {
    name: 'the last batch length overstated',
    apply: (w, p) => {
      const buf = readFileSync(p);
      const last = w.batches[w.batches.length - 1]!;
      buf.writeInt32BE(1 << 20, buf.length - last.bytes.length + 8);
      writeFileSync(p, buf);
      return w.batches.length - 1;
    },
  },
  {
    name: 'random bytes appended after a clean close',
    clean: true,
    apply: (w, p) => {
      appendFileSync(p, Buffer.from('this is not a record batch, and it is long enough to look like a header'));
      return w.batches.length;
    },
  },
];

for (const d of DAMAGES) {
  test(`torn tail: ${d.name}`, async () => {
    const w = await writeLog();
    const activeBase = w.log.activeSegment.baseOffset;
    const logPath = segPath(w.log, activeBase, '.log');
    if (d.clean) await w.manager.close();
    else crash(w);
    const keep = d.apply(w, logPath);
    const kept = w.batches.slice(0, keep);
    const expectedEnd = kept[kept.length - 1]!.last + 1;
    const expectedSize = kept.filter((b) => b.base >= activeBase).reduce((n, b) => n + b.bytes.length, 0);
    const { logger, lines } = capture();
    const { manager, log } = await restart(w, logger);
    assert.is(statSync(logPath).size, expectedSize, 'the .log is truncated where the valid data ends');
    assert.is(log.logEndOffset, expectedEnd);
    assert.is(log.highWatermark, expectedEnd);
    assert.ok((await readAll(log)).equals(Buffer.concat(kept.map((b) => b.bytes))), 'everything before the tear is intact');
    await checkLookups(log, kept);
    const warned = recoveryWarnings(lines());
    assert.is(warned.length, 1);
    assert.match(JSON.stringify(warned[0]!.repairs), `active segment ${activeBase}`);
    // Appends continue at the right offset, and survive the next restart.
    const next = batch(2, 50);
    const info = await append(log, next, 3);
    assert.is(info.baseOffset, expectedEnd);
    await manager.close();
    const again = await restart(w);
    assert.is(again.log.logEndOffset, expectedEnd + 2);
    await checkLookups(again.log, [...kept, { base: expectedEnd, last: expectedEnd + 1, bytes: next }]);
    await again.manager.close();
  });
}

test('a torn tail that removes every batch of the active segment leaves it empty at its base offset', async () => {
  const w = await writeLog();
  const activeBase = w.log.activeSegment.baseOffset;
  crash(w);
  const p = segPath(w.log, activeBase, '.log');
  const buf = readFileSync(p);
  buf[30] = buf[30]! ^ 0xff; // the first batch's CRC region
  writeFileSync(p, buf);
  const { manager, log } = await restart(w);
  assert.is(statSync(p).size, 0);
  assert.is(log.logEndOffset, activeBase);
  assert.ok(log.activeSegment.isEmpty);
  const info = await append(log, batch(1, 77));
  assert.is(info.baseOffset, activeBase);
  await manager.close();
});

// ---- indexes ----

const INDEX_DAMAGES: Array<{ name: string; apply: (indexPath: string, timeIndexPath: string) => void }> = [
  { name: 'both index files deleted', apply: (i, t) => (unlinkSync(i), unlinkSync(t)) },
  { name: 'the .index deleted', apply: (i) => unlinkSync(i) },
  { name: 'the .timeindex deleted', apply: (_, t) => unlinkSync(t) },
  { name: 'the .index emptied', apply: (i) => writeFileSync(i, Buffer.alloc(0)) },
  { name: 'the .index cut mid-entry', apply: (i) => truncateSync(i, statSync(i).size - 3) },
  {
    name: 'the .index entries out of order',
    apply: (i) => {
      const b = readFileSync(i);
      b.writeInt32BE(0x7fff, 0);
      writeFileSync(i, b);
    },
  },
  {
    name: 'an .index entry pointing past the log',
    apply: (i) => {
      const b = readFileSync(i);
      b.writeInt32BE(0x7ffffff0, b.length - 4);
      writeFileSync(i, b);
    },
  },
  {
    name: 'the .timeindex with decreasing timestamps',
    apply: (_, t) => writeFileSync(t, Buffer.concat([readFileSync(t), Buffer.from('000000000000000100000000', 'hex')])),
  },
];

for (const d of INDEX_DAMAGES) {
  test(`index recovery after a clean close: ${d.name}`, async () => {
    const w = await writeLog(30, { 'segment.bytes': '2500', 'index.interval.bytes': '150' });
    assert.ok(w.log.segments.length >= 3);
    const before = state(w.log);
    const bytes = await readAll(w.log);
    await w.manager.close();
    // Damage the indexes of the first (an old, trusted) segment and of the active one.
    for (const s of [w.log.segments[0]!, w.log.activeSegment] as FileSegment[]) d.apply(s.indexPath, s.timeIndexPath);
    const { logger, lines } = capture();
    const { manager, log } = await restart(w, logger);
    assert.equal(state(log), before, 'segments, offsets and indexes as written');
    assert.ok((await readAll(log)).equals(bytes));
    for (const s of log.segments as FileSegment[]) {
      assert.ok(readFileSync(s.indexPath).equals(s.index.toBuffer()), `${s.baseOffset}.index rewritten`);
      assert.ok(readFileSync(s.timeIndexPath).equals(s.timeIndex.toBuffer()), `${s.baseOffset}.timeindex rewritten`);
    }
    await checkLookups(log, w.batches);
    const warned = recoveryWarnings(lines());
    assert.is(warned.length, 0, 'a rebuilt index after a clean shutdown is no data repair');
    await manager.close();
  });
}

// ---- leftovers and checkpoints ----

test('leftover .deleted and temp files are removed at start-up', async () => {
  const one = batch(1, 1).length;
  const w = await writeLog(8, { 'segment.bytes': String(one * 2), 'retention.bytes': String(one * 3), 'file.delete.delay.ms': '600000' });
  assert.ok(w.manager.runRetention(Date.now()) > 0);
  const dir = w.log.dir!;
  const doomed = readdirSync(dir).filter((f) => f.endsWith('.deleted'));
  assert.ok(doomed.length >= 3, 'segments renamed, waiting for file.delete.delay.ms');
  writeFileSync(join(dir, 'leader-epoch-checkpoint.tmp'), 'half written');
  const start = w.log.logStartOffset;
  const end = w.log.logEndOffset;
  crash(w);
  const { manager, log } = await restart(w);
  assert.equal(
    readdirSync(dir).filter((f) => f.endsWith('.deleted') || f.endsWith('.tmp')),
    [],
  );
  assert.is(log.logStartOffset, start);
  assert.is(log.logEndOffset, end);
  assert.is(log.segments[0]!.baseOffset, start);
  await manager.close();
});

for (const how of ['crash', 'clean close'] as const) {
  test(`the log start offset checkpoint is honoured after a restart (${how})`, async () => {
    const w = await writeLog();
    const mid = w.batches[4]!.base + 1; // inside a batch, inside the first segment
    assert.is(w.log.deleteRecordsBefore(mid, Date.now()), mid);
    w.manager.checkpointLogStartOffsets();
    assert.match(readFileSync(join(w.root, 'log-start-offset-checkpoint'), 'utf8'), `${w.topic.name} 0 ${mid}\n`);
    const segmentsBefore = w.log.segments.map((s) => s.baseOffset);
    const epochs = w.log.epochs.map((e) => ({ ...e }));
    if (how === 'crash') crash(w);
    else await w.manager.close();
    const { manager, log } = await restart(w);
    assert.is(log.logStartOffset, mid);
    assert.equal(
      log.segments.map((s) => s.baseOffset),
      segmentsBefore,
    );
    assert.equal(log.epochs, epochs, 'the leader epoch cache as it was, truncated at the start');
    try {
      await log.read(mid - 1, 1000, true);
      assert.unreachable('reads below the restored start fail');
    } catch (err) {
      assert.ok(err instanceof KafkaError);
      assert.is((err as KafkaError).code, ErrorCode.OFFSET_OUT_OF_RANGE);
    }
    const r = await log.read(mid, 1 << 20, true);
    assert.is(readBatchHeader(r.buffers[0]!, 0).baseOffset, w.batches[4]!.base);
    await manager.close();
  });
}

test('leader epochs survive a restart', async () => {
  const w = await writeLog();
  const answers = [-1, 0, 1, 2, 3, 4].map((e) => w.log.endOffsetForEpoch(e));
  assert.equal(answers[1], { leaderEpoch: 0, endOffset: w.batches[6]!.base });
  crash(w);
  const { manager, log } = await restart(w);
  assert.equal(
    [-1, 0, 1, 2, 3, 4].map((e) => log.endOffsetForEpoch(e)),
    answers,
  );
  await manager.close();
});

test('loadPartitionLog on its own: a directory with no segments starts at the checkpointed offset', async () => {
  const root = mkdtempSync(join(tmpdir(), 'samsa-recovery-'));
  roots.push(root);
  const dir = join(root, 'lonely-0');
  const fds = new FdCache(16);
  const config = logConfigFor(brokerConfig, {});
  const log = await loadPartitionLog({ topic: 'lonely', partition: 0, dir, config, fds, log: silent, cleanShutdown: false, logStartOffset: 42 });
  assert.is(log.logStartOffset, 42);
  assert.is(log.logEndOffset, 42);
  assert.is(log.activeSegment.baseOffset, 42);
  const info = await append(log, batch(2, 1));
  assert.is(info.baseOffset, 42);
  await log.close();
  fds.closeAll();
  const again = await loadPartitionLog({ topic: 'lonely', partition: 0, dir, config, fds, log: silent, cleanShutdown: true, logStartOffset: 42 });
  assert.is(again.logEndOffset, 44);
  assert.is(again.logStartOffset, 42);
  assert.equal(
    readdirSync(dir).filter((f) => f.endsWith('.log')),
    ['00000000000000000042.log'],
  );
  await again.close();
  fds.closeAll();
});

test.run();
