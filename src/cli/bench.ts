// `samsa bench produce|consume|e2e|compare`: a load generator for any Kafka-compatible broker on
// samsa's own protocol codec (src/bench/), with a text summary, --json and an HTML --report.
// Expected failures print one line on stderr: exit code 2 for a usage error, 1 for anything else.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CliError, UsageError } from './topics/options.js';
import { RUN_USAGE, parseRunOptions } from './bench/options.js';
import { BenchError, type BenchMode, type BenchResult } from '../bench/types.js';
import { ENVIRONMENT_HELP, formatOptions, helpPointer, isHelpFlag } from './help.js';

const COMPARE_USAGE = 'usage: samsa bench compare A.json B.json ... [--json]   (ratios are to the first)';
const COMPARE_HELP = `${COMPARE_USAGE}

Compares the results of earlier runs saved with --json, metric by metric.

${formatOptions('options', [
  ['--json', 'print the comparison as JSON on stdout'],
  ['-h, --help', 'show this help'],
])}
`;
const SUMMARIES: Record<string, string> = {
  produce: 'Produce records as fast as possible (or at --rate) and report throughput and request latency.',
  consume: 'Fetch records (or consume as a group member with --group) and report throughput.',
  e2e: 'Produce and consume at once and report end-to-end latency, from send to receipt.',
  compare: 'Compare results saved with --json.',
};
const RUN_HELP = (sub: string) => {
  const [first, ...options] = RUN_USAGE.replace('produce|consume|e2e', sub).split('\n');
  return `${first}\n\n${SUMMARIES[sub]}\n\noptions:\n${options.join('\n')}\n  -h, --help              show this help\n`;
};
const USAGE = `usage: samsa bench <subcommand> [options]

A load generator for any Kafka-compatible broker, with a text summary, --json and an HTML --report.

${formatOptions('subcommands', Object.entries(SUMMARIES))}

${ENVIRONMENT_HELP}

Run 'samsa bench <subcommand> --help' for its options.
`;

export async function benchCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined) return fail(`bench needs a subcommand\n${helpPointer('bench')}`, 2);
  if (isHelpFlag(sub)) {
    // `samsa bench help compare` is `samsa bench compare --help`.
    const named = rest[0];
    if (named === 'compare') return void process.stdout.write(COMPARE_HELP);
    return void process.stdout.write(named !== undefined && Object.hasOwn(SUMMARIES, named) ? RUN_HELP(named) : USAGE);
  }
  try {
    if (sub === 'compare') {
      if (rest.includes('--help') || rest.includes('-h')) return void process.stdout.write(COMPARE_HELP);
      return await compare(rest);
    }
    if (sub !== 'produce' && sub !== 'consume' && sub !== 'e2e') return fail(`unknown bench subcommand '${sub}'\n${helpPointer('bench')}`, 2);
    const { cfg, json, report, help } = parseRunOptions(sub as BenchMode, rest);
    if (help) return void process.stdout.write(RUN_HELP(sub));
    const { runBench } = await import('../bench/run.js');
    const result = await runBench(cfg);
    if (report) {
      const { renderReport } = await import('../bench/report.js');
      writeFileSync(report, renderReport(result));
    }
    const { formatSummary } = await import('../bench/summary.js');
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${formatSummary(result)}\n${report ? `report: ${report}\n` : ''}`);
    if (json && report) process.stderr.write(`report: ${report}\n`);
  } catch (err) {
    if (err instanceof UsageError) return fail(`${err.message}\n${helpPointer(`bench ${sub}`)}`, 2);
    if (err instanceof CliError || err instanceof BenchError) return fail(err.message, 1);
    if (process.env['SAMSA_DEBUG']) process.stderr.write(`${(err as Error).stack}\n`);
    return fail(`bench ${sub} failed: ${(err as Error).message ?? String(err)}`, 1);
  }
}

async function compare(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const files = argv.filter((a) => a !== '--json');
  if (files.length < 2) throw new UsageError('compare needs at least two result files', COMPARE_USAGE);
  const { isBenchResult } = await import('../bench/summary.js');
  const { compareJson, compareWarnings, formatCompare } = await import('../bench/compare.js');
  const results: BenchResult[] = files.map((f) => {
    let v: unknown;
    try {
      v = JSON.parse(readFileSync(f, 'utf8'));
    } catch (err) {
      throw new CliError(`cannot read ${f}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    if (!isBenchResult(v)) throw new CliError(`${f} is not a samsa bench --json result`);
    return v;
  });
  const names = files.map((f) => basename(f));
  for (const w of compareWarnings(names, results)) process.stderr.write(`samsa: warning: ${w}\n`);
  if (json) return void process.stdout.write(`${JSON.stringify(compareJson(files, results, names))}\n`);
  process.stdout.write(`${formatCompare(names, results)}\n`);
}

function fail(message: string, code: number): void {
  process.stderr.write(`samsa: ${message}\n`);
  process.exitCode = code;
}
