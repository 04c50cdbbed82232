// The consume cells, for each record size: fill one partition of a disk samsa with
// `samsa bench produce --records N`, then `samsa bench consume --from earliest` (reads to the end
// offsets it saw at the start):
//   tail   the broker that just wrote it; the segment is in the page cache
//   cold   a new broker process on the same data dir, after the segment files were written back
//          and dropped from the page cache (dd iflag=nocache; fincore shows what is left)
//   memory (if the memory mode is asked) a memory broker filled the same way, read the same way
// Ceiling beside each: the segment files themselves read with fs.read into 10 MiB buffers and
// written to a loopback socket (hot for tail and memory, dropped from the cache again for cold).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSamsa, type SamsaProcess } from '../lib/samsa.js';
import { fmt } from '../lib/report.js';
import { samsaBench } from './cli.js';
import { consumeCeiling, type CeilingResult } from './ceiling.js';
import { dropFromPageCache, measuringMachine, residentBytes } from './machine.js';
import { sizeName, type ConsumeCell, type Settings } from './settings.js';
import type { BenchResult } from '../../src/bench/types.js';

export type ConsumePhase = 'tail' | 'cold' | 'memory';

export interface ConsumeRow {
  recordSize: number;
  phase: ConsumePhase;
  command?: string;
  samsa?: BenchResult;
  brokerCores?: number;
  machineCores?: number;
  /** Bytes of the segment files in the page cache when samsa started reading (NaN: unknown). */
  cachedBytes?: number;
  /** Whether the cold phase could drop the files from the page cache. */
  dropped?: boolean;
  ceiling?: CeilingResult;
  ceilingCachedBytes?: number;
  ratio?: number;
  error?: string;
}

const TOPIC = 'bench-consume';

export async function runConsume(s: Settings, log: (line: string) => void): Promise<ConsumeRow[]> {
  const rows: ConsumeRow[] = [];
  for (const cell of s.consume) rows.push(...(await consumeCell(s, cell, log)));
  return rows;
}

async function fill(s: Settings, broker: SamsaProcess, recordSize: number): Promise<void> {
  const records = Math.max(1, Math.round((s.consumeMB * 1e6) / (recordSize + 10)));
  await samsaBench([
    'produce',
    '--bootstrap',
    `127.0.0.1:${broker.port}`,
    '--topic',
    TOPIC,
    '--create-topic',
    '--partitions',
    '1',
    '--record-size',
    String(recordSize),
    '--acks',
    '1',
    '--records',
    String(records),
    '--batch-size',
    String(s.batchSize),
    '--max-in-flight',
    String(s.inflight),
  ]);
}

async function consume(row: ConsumeRow, broker: SamsaProcess): Promise<void> {
  const r = await measuringMachine(() =>
    samsaBench(['consume', '--bootstrap', `127.0.0.1:${broker.port}`, '--topic', TOPIC, '--from', 'earliest'], broker.pid),
  );
  row.command = r.value.command.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:9092');
  row.samsa = r.value.result;
  row.brokerCores = r.value.brokerCores;
  row.machineCores = r.machineCores;
}

function segments(dataDir: string): string[] {
  const dir = join(dataDir, `${TOPIC}-0`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => join(dir, f));
}

async function consumeCell(s: Settings, cell: ConsumeCell, log: (line: string) => void): Promise<ConsumeRow[]> {
  const tail: ConsumeRow = { recordSize: cell.recordSize, phase: 'tail' };
  const cold: ConsumeRow = { recordSize: cell.recordSize, phase: 'cold' };
  const memory: ConsumeRow = { recordSize: cell.recordSize, phase: 'memory' };
  const rows = cell.memory ? [tail, cold, memory] : [tail, cold];
  const current = { row: tail };
  let broker: SamsaProcess | null = null;
  let dataDir: string | null = null;
  try {
    broker = await startSamsa({ storage: 'disk' });
    dataDir = broker.dataDir!;
    await fill(s, broker, cell.recordSize);
    const files = segments(dataDir);
    tail.cachedBytes = residentBytes(files);
    await consume(tail, broker);
    tail.ceilingCachedBytes = residentBytes(files);
    tail.ceiling = await consumeCeiling(files);
    report(tail, log);

    current.row = cold;
    await broker.stop();
    const d = dropFromPageCache(files);
    cold.dropped = d.dropped;
    cold.cachedBytes = d.residentBytes;
    broker = await startSamsa({ storage: 'disk', dataDir });
    await consume(cold, broker);
    await broker.stop();
    broker = null;
    const d2 = dropFromPageCache(files);
    cold.ceilingCachedBytes = d2.residentBytes;
    cold.ceiling = await consumeCeiling(files);
    report(cold, log);

    if (cell.memory) {
      current.row = memory;
      broker = await startSamsa({ storage: 'memory' });
      await fill(s, broker, cell.recordSize);
      await consume(memory, broker);
      await broker.destroy();
      broker = null;
      // The same bytes from the page cache (the cold ceiling just read them back in).
      memory.ceilingCachedBytes = residentBytes(files);
      memory.ceiling = await consumeCeiling(files);
      report(memory, log);
    }
  } catch (err) {
    current.row.error = (err as Error).message;
    log(`consume ${sizeName(cell.recordSize)} ${current.row.phase}: FAILED: ${current.row.error}`);
    for (const r of rows.slice(rows.indexOf(current.row) + 1)) r.error = `not run: the ${current.row.phase} phase failed`;
  } finally {
    if (broker) await broker.stop();
    if (dataDir) (await import('node:fs')).rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

function report(row: ConsumeRow, log: (line: string) => void): void {
  row.ratio = row.samsa!.mbPerSec / row.ceiling!.mbPerSec;
  const cached = Number.isFinite(row.cachedBytes) ? `, ${fmt(row.cachedBytes! / 1e6)} MB of the segment cached at the start` : '';
  log(
    `consume ${sizeName(row.recordSize)} ${row.phase}: samsa ${fmt(row.samsa!.mbPerSec)} MB/s (${fmt(row.samsa!.bytes / 1e6)} MB)${row.phase === 'memory' ? '' : cached}; ceiling ${fmt(row.ceiling!.mbPerSec)} MB/s; ${(100 * row.ratio).toFixed(0)}%`,
  );
}
