// The produce cells: for each, the ceiling with the same frames, then a fresh samsa (disk or
// memory) driven by `samsa bench produce` for the same duration with the same batch size and
// requests in flight on one connection.
import { execFileSync } from 'node:child_process';
import { startSamsa } from '../lib/samsa.js';
import { fmt } from '../lib/report.js';
import { samsaBench } from './cli.js';
import { cellFrames } from './frames.js';
import { produceCeiling, type CeilingResult } from './ceiling.js';
import { measuringMachine } from './machine.js';
import { acksName, sizeName, type ProduceCell, type Settings } from './settings.js';
import type { BenchResult } from '../../src/bench/types.js';

export interface ProduceRow {
  cell: ProduceCell;
  command?: string;
  samsa?: BenchResult;
  brokerCores?: number;
  machineCores?: number;
  ceiling?: CeilingResult;
  ceilingMachineCores?: number;
  /** samsa MB/s / ceiling MB/s */
  ratio?: number;
  error?: string;
}

// Memory mode keeps every batch: bound what a long cell can pile up (per partition).
const MEMORY_BOUND = { 'log.segment.bytes': 256 * 1024 * 1024, 'log.retention.bytes': 1024 * 1024 * 1024, 'log.retention.check.interval.ms': 500 };

export function cellName(c: ProduceCell): string {
  return `${c.mode}, ${sizeName(c.recordSize)}, acks=${acksName(c.acks)}, ${c.partitions} partition${c.partitions > 1 ? 's' : ''}`;
}

export async function runProduce(s: Settings, log: (line: string) => void): Promise<ProduceRow[]> {
  const rows: ProduceRow[] = [];
  for (const cell of s.produce) {
    const row: ProduceRow = { cell };
    rows.push(row);
    const topic = 'bench-produce';
    try {
      // No dirty pages of the previous cell left to write back during this one.
      if (cell.mode === 'disk') execFileSync('sync');
      const frames = await cellFrames({ topic, recordSize: cell.recordSize, partitions: cell.partitions, acks: cell.acks, batchSize: s.batchSize });
      const c = await measuringMachine(() => produceCeiling(cell.mode, cell.acks, frames, s.inflight, s.seconds));
      row.ceiling = c.value;
      row.ceilingMachineCores = c.machineCores;
      if (cell.mode === 'disk') execFileSync('sync');
      const broker = await startSamsa({ storage: cell.mode, set: cell.mode === 'memory' ? MEMORY_BOUND : {} });
      try {
        const args = [
          'produce',
          '--bootstrap',
          `127.0.0.1:${broker.port}`,
          '--topic',
          topic,
          '--create-topic',
          '--partitions',
          String(cell.partitions),
          '--record-size',
          String(cell.recordSize),
          '--acks',
          acksName(cell.acks),
          '--duration',
          `${s.seconds}s`,
          '--batch-size',
          String(s.batchSize),
          '--max-in-flight',
          String(s.inflight),
        ];
        const r = await measuringMachine(() => samsaBench(args, broker.pid));
        row.command = r.value.command.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:9092');
        row.samsa = r.value.result;
        row.brokerCores = r.value.brokerCores;
        row.machineCores = r.machineCores;
      } finally {
        await broker.destroy();
      }
      row.ratio = row.samsa.mbPerSec / row.ceiling.mbPerSec;
      const errs = Object.entries(row.samsa.errors);
      log(
        `produce ${cellName(cell)}: samsa ${fmt(row.samsa.recordsPerSec)} records/s, ${fmt(row.samsa.mbPerSec, 1)} MB/s; ceiling ${fmt(row.ceiling.recordsPerSec)} records/s, ${fmt(row.ceiling.mbPerSec, 1)} MB/s; ${(100 * row.ratio).toFixed(0)}%${errs.length ? `; errors ${errs.map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`,
      );
    } catch (err) {
      row.error = (err as Error).message;
      log(`produce ${cellName(cell)}: FAILED: ${row.error}`);
    }
  }
  return rows;
}
