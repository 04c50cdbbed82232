// Argument handling shared by the `samsa topics` subcommands: the common options (--bootstrap,
// --timeout-ms, --help), bootstrap address parsing, key=value lists, and the two error kinds the
// command turns into one stderr line (usage errors exit 2, everything else exits 1).
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const COMMON_OPTIONS = {
  bootstrap: { type: 'string', short: 'b' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const DEFAULT_TIMEOUT_MS = 30_000;

/** A problem with the command line: printed with the subcommand's usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An expected failure (unreachable broker, a Kafka error): one line on stderr, exit code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export interface Address {
  host: string;
  port: number;
}

export function formatAddress(a: Address): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** `host:port`, `[ipv6]:port`, or a comma-separated list of them (tried in order). */
export function parseBootstrap(value: string, usage: string): Address[] {
  const out: Address[] = [];
  for (const part of value.split(',')) {
    const s = part.trim();
    const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:[\]\s]+):(\d+)$/.exec(s);
    const port = m ? Number(m[2]) : NaN;
    if (!m || !Number.isInteger(port) || port < 1 || port > 65535) {
      const hint = s.split(':').length > 2 && !s.startsWith('[') ? ' (write IPv6 addresses as [addr]:port)' : '';
      throw new UsageError(`--bootstrap expects host:port or [ipv6]:port, got '${s}'${hint}`, usage);
    }
    out.push({ host: m[1]!, port });
  }
  return out;
}

/** `key=value` items of a repeatable option into [key, value] pairs, in order. */
export function parseKeyValues(option: string, items: readonly string[] | undefined, usage: string): [string, string][] {
  const out: [string, string][] = [];
  for (const kv of items ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0 || kv.slice(0, eq).trim() === '') throw new UsageError(`--${option} expects key=value, got '${kv}'`, usage);
    out.push([kv.slice(0, eq).trim(), kv.slice(eq + 1)]);
  }
  return out;
}

export function parseIntOption(option: string, value: string | undefined, min: number, max: number, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${option} must be an integer from ${min} to ${max}, got '${value}'`, usage);
  return n;
}

export interface Common {
  bootstrap: Address[];
  timeoutMs: number;
}

/** Reads the common options, or throws UsageError (a missing --bootstrap included). */
export function common(values: { bootstrap?: string; 'timeout-ms'?: string }, usage: string): Common {
  if (values.bootstrap === undefined) throw new UsageError('--bootstrap host:port is required', usage);
  return {
    bootstrap: parseBootstrap(values.bootstrap, usage),
    timeoutMs: parseIntOption('timeout-ms', values['timeout-ms'], 1, 2_147_483_647, usage) ?? DEFAULT_TIMEOUT_MS,
  };
}

/** parseArgs with parse failures turned into UsageError. */
type ParseConfig<T> = { args: string[]; options: T; strict: true; allowPositionals: true };

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  usage: string,
): ReturnType<typeof parseArgs<ParseConfig<T>>> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}
