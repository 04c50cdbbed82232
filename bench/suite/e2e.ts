// The end-to-end cells (`npm run bench:e2e`): `samsa bench e2e` (a producer stamping each batch
// as it sends it, a consumer fetching from the end, latency = record timestamp -> receipt) at a
// fixed rate and at saturation, acks=all, one partition, on a fresh broker per cell.
// Ceiling beside each: the same frames on the same schedule (or with the same requests in flight)
// to a process that appends them to a file (disk) and sends the same bytes straight back;
// latency = due (or sent) -> the frame is back.
import { execFileSync } from 'node:child_process';
import { startSamsa } from '../lib/samsa.js';
import { fmt } from '../lib/report.js';
import { samsaBench } from './cli.js';
import { cellFrames } from './frames.js';
import { e2eCeilingRate, e2eCeilingSaturated, type CeilingResult } from './ceiling.js';
import { measuringMachine } from './machine.js';
import { sizeName, type E2eCell, type Settings } from './settings.js';
import type { BenchResult } from '../../src/bench/types.js';

export interface E2eRow {
  cell: E2eCell;
  recordSize: number;
  command?: string;
  samsa?: BenchResult;
  brokerCores?: number;
  machineCores?: number;
  ceiling?: CeilingResult;
  ceilingMachineCores?: number;
  error?: string;
}

const ms = (us: number | undefined) => (us === undefined ? '-' : (us / 1000).toFixed(us < 10_000 ? 2 : 1));

export function e2eName(c: E2eCell): string {
  return `${c.mode}, ${c.rate ? `${fmt(c.rate)} records/s` : 'saturation'}`;
}

export async function runE2e(s: Settings, log: (line: string) => void): Promise<E2eRow[]> {
  const rows: E2eRow[] = [];
  const topic = 'bench-e2e';
  for (const cell of s.e2e) {
    const row: E2eRow = { cell, recordSize: s.e2eRecordSize };
    rows.push(row);
    try {
      if (cell.mode === 'disk') execFileSync('sync');
      // samsa bench --rate R --linger-ms L sends the records due within L ms as one request.
      const perRequest = cell.rate ? Math.max(1, Math.round((cell.rate * s.e2eLingerMs) / 1000)) : undefined;
      const frames = await cellFrames({
        topic,
        recordSize: s.e2eRecordSize,
        partitions: 1,
        acks: -1,
        batchSize: s.batchSize,
        ...(perRequest ? { recordsPerRequest: perRequest } : {}),
      });
      const c = await measuringMachine(() =>
        cell.rate
          ? e2eCeilingRate(cell.mode, frames[0]!, cell.rate / perRequest!, s.e2eSeconds)
          : e2eCeilingSaturated(cell.mode, frames, s.inflight, s.e2eSeconds),
      );
      row.ceiling = c.value;
      row.ceilingMachineCores = c.machineCores;
      if (cell.mode === 'disk') execFileSync('sync');
      const broker = await startSamsa({ storage: cell.mode });
      try {
        const args = [
          'e2e',
          '--bootstrap',
          `127.0.0.1:${broker.port}`,
          '--topic',
          topic,
          '--create-topic',
          '--partitions',
          '1',
          '--record-size',
          String(s.e2eRecordSize),
          '--acks',
          'all',
          '--duration',
          `${s.e2eSeconds}s`,
          '--batch-size',
          String(s.batchSize),
          '--max-in-flight',
          String(s.inflight),
        ];
        if (cell.rate) args.push('--rate', String(cell.rate), '--linger-ms', String(s.e2eLingerMs));
        const r = await measuringMachine(() => samsaBench(args, broker.pid));
        row.command = r.value.command.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:9092');
        row.samsa = r.value.result;
        row.brokerCores = r.value.brokerCores;
        row.machineCores = r.machineCores;
      } finally {
        await broker.destroy();
      }
      const l = row.samsa.latency;
      const cl = row.ceiling.latency;
      log(
        `e2e ${e2eName(cell)} (${sizeName(s.e2eRecordSize)}, acks=all): samsa ${fmt(row.samsa.recordsPerSec)} records/s, p50/p99/p99.9 ${ms(l.p50Us)}/${ms(l.p99Us)}/${ms(l.p999Us)} ms; ceiling ${fmt(row.ceiling.recordsPerSec)} records/s, ${ms(cl?.p50Us)}/${ms(cl?.p99Us)}/${ms(cl?.p999Us)} ms`,
      );
    } catch (err) {
      row.error = (err as Error).message;
      log(`e2e ${e2eName(cell)}: FAILED: ${row.error}`);
    }
  }
  return rows;
}
