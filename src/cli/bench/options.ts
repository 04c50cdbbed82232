// `samsa bench produce|consume|e2e` options into a BenchConfig (src/bench/types.ts).
import { UsageError, parse, parseBootstrap, parseIntOption } from '../topics/options.js';
import type { BenchConfig, BenchMode } from '../../bench/types.js';

export const RUN_USAGE = `usage: samsa bench produce|consume|e2e --bootstrap host:port [--topic T] [options]
  --topic NAME            the topic to use (default samsa-bench)
  --create-topic          create the topic first (with --partitions N)
  --partitions N | LIST   partitions to create; for consume, which to read (e.g. 0,1,2; default all)
  --record-size N | A-B   value bytes, fixed or uniform in A..B (default 100)
  --key-cardinality N     distinct keys, each sent to the partition Kafka's default partitioner picks
                          (murmur2 of the key); default 0: null keys, spread over all partitions
  --records N             stop after N records
  --duration 10s          stop after this long (ms, s, m; default 10s unless --records)
  --acks 0|1|all          acknowledgements each produce waits for (default 1)
  --batch-size BYTES      record-batch size per request (default 16384)
  --linger-ms N           with --rate, how long a batch collects records (default 0)
  --compression CODEC     none, gzip, snappy, lz4 or zstd (default none)
  --connections N         producer connections per leader (default 1)
  --max-in-flight N       requests in flight per connection (default 5)
  --rate N                records/s on a fixed schedule (latency below saturation, coordinated omission corrected)
  --from earliest|latest  consume start (default earliest; with --group, only where nothing is committed)
  --group ID              consume as a member of consumer group ID (classic protocol, range assignor): only the
                          assigned partitions, from the committed offsets, committing as it goes and at the end;
                          without --records or --duration, until the assigned partitions reach their log end
  --session-timeout-ms N  group session timeout (default 45000; heartbeats every min(3 s, N/3))
  --json                  print the result as JSON on stdout
  --report FILE.html      write a self-contained HTML report
  --timeout-ms N          connection and request timeout (default 30000)`;

export const OPTIONS = {
  bootstrap: { type: 'string', short: 'b' },
  topic: { type: 'string', short: 't' },
  'create-topic': { type: 'boolean' },
  partitions: { type: 'string', short: 'p' },
  'record-size': { type: 'string' },
  'key-cardinality': { type: 'string' },
  records: { type: 'string', short: 'n' },
  duration: { type: 'string', short: 'd' },
  acks: { type: 'string' },
  'batch-size': { type: 'string' },
  'linger-ms': { type: 'string' },
  compression: { type: 'string' },
  connections: { type: 'string' },
  'max-in-flight': { type: 'string' },
  rate: { type: 'string' },
  from: { type: 'string' },
  group: { type: 'string', short: 'g' },
  'session-timeout-ms': { type: 'string' },
  json: { type: 'boolean' },
  report: { type: 'string' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseDuration(v: string, usage: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) throw new UsageError(`--duration expects a time like 10s, 500ms or 2m, got '${v}'`, usage);
  const n = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  if (!(n > 0)) throw new UsageError(`--duration must be more than 0, got '${v}'`, usage);
  return n;
}

export function parseRunOptions(mode: BenchMode, argv: string[]): { cfg: BenchConfig; json: boolean; report: string | null; help: boolean } {
  const U = RUN_USAGE;
  const { values: v, positionals } = parse(argv, OPTIONS, U);
  if (v.help) return { cfg: null as unknown as BenchConfig, json: false, report: null, help: true };
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`, U);
  if (v.bootstrap === undefined) throw new UsageError('--bootstrap host:port is required', U);
  const int = (name: keyof typeof v, min: number, max: number) => parseIntOption(name, v[name] as string | undefined, min, max, U);
  let recordSize = { min: 100, max: 100 };
  if (v['record-size'] !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(v['record-size'].trim());
    const a = m ? Number(m[1]) : NaN;
    const b = m?.[2] !== undefined ? Number(m[2]) : a;
    if (!m || a > b) throw new UsageError(`--record-size expects N or MIN-MAX bytes, got '${v['record-size']}'`, U);
    // Kafka's default socket.request.max.bytes: no broker takes a larger request by default.
    if (b > 100 * 1024 * 1024) throw new UsageError(`--record-size is at most 104857600 bytes (100 MiB), got '${v['record-size']}'`, U);
    recordSize = { min: a, max: b };
  }
  const acksS = v.acks ?? '1';
  if (!['0', '1', 'all', '-1'].includes(acksS)) throw new UsageError(`--acks must be 0, 1 or all, got '${acksS}'`, U);
  const compression = (v.compression ?? 'none') as BenchConfig['compression'];
  if (!['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(compression))
    throw new UsageError(`--compression must be none, gzip, snappy, lz4 or zstd, got '${compression}'`, U);
  const from = (v.from ?? 'earliest') as BenchConfig['from'];
  if (from !== 'earliest' && from !== 'latest') throw new UsageError(`--from must be earliest or latest, got '${from}'`, U);
  let partitions: number | null = null;
  let consumePartitions: number[] | null = null;
  if (v.partitions !== undefined) {
    if (mode === 'consume' || v.partitions.includes(',')) {
      consumePartitions = v.partitions.split(',').map((s) => parseIntOption('partitions', s, 0, 2_147_483_647, U)!);
    } else partitions = int('partitions', 1, 100_000)!;
  }
  const records = int('records', 1, Number.MAX_SAFE_INTEGER) ?? null;
  const durationMs = v.duration !== undefined ? parseDuration(v.duration, U) : records === null && mode !== 'consume' ? 10_000 : null;
  const cfg: BenchConfig = {
    mode,
    bootstrap: parseBootstrap(v.bootstrap, U),
    topic: v.topic ?? 'samsa-bench',
    createTopic: v['create-topic'] === true,
    partitions,
    consumePartitions,
    recordSize,
    keyCardinality: int('key-cardinality', 0, 2_147_483_647) ?? 0,
    records,
    durationMs,
    acks: acksS === '0' ? 0 : acksS === '1' ? 1 : -1,
    batchSize: int('batch-size', 64, 256 * 1024 * 1024) ?? 16384,
    lingerMs: int('linger-ms', 0, 60_000) ?? 0,
    compression,
    connections: int('connections', 1, 1024) ?? 1,
    maxInFlight: int('max-in-flight', 1, 100_000) ?? 5,
    rate: int('rate', 1, 1_000_000_000) ?? null,
    from,
    group: v.group ?? null,
    sessionTimeoutMs: int('session-timeout-ms', 3, 2_147_483_647) ?? 45_000,
    timeoutMs: int('timeout-ms', 1, 2_147_483_647) ?? 30_000,
    progress: process.stderr.isTTY === true,
  };
  if (cfg.group !== null && mode !== 'consume') throw new UsageError('--group is for bench consume', U);
  if (cfg.group === '') throw new UsageError('--group needs a group id', U);
  if (cfg.group !== null && consumePartitions) throw new UsageError('--group takes the partitions the group assigns: leave out --partitions', U);
  if (mode === 'e2e' && cfg.acks === 0) throw new UsageError('e2e needs --acks 1 or all (it counts what the broker acknowledged)', U);
  return { cfg, json: v.json === true, report: v.report ?? null, help: false };
}
