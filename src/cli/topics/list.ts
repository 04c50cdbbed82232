// `samsa topics list`: topic names, one per line, sorted; internal topics only when asked.
import { COMMON_OPTIONS, UsageError, common, parse } from './options.js';
import { withAdmin } from './admin.js';
import { fetchTopics } from './metadata.js';

export const LIST_USAGE = 'usage: samsa topics list --bootstrap host:port [--include-internal] [--timeout-ms N]';

export async function listCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, 'include-internal': { type: 'boolean' } }, LIST_USAGE);
  if (values.help) return void process.stdout.write(`${LIST_USAGE}\n`);
  const opts = common(values, LIST_USAGE);
  if (positionals.length > 0) throw new UsageError(`list takes no topic names, got '${positionals[0]}'`, LIST_USAGE);
  const topics = await withAdmin(opts, (admin) => fetchTopics(admin, null));
  const names = topics
    .filter((t) => t.name !== null && (values['include-internal'] || !t.isInternal))
    .map((t) => t.name!)
    .sort();
  if (names.length > 0) process.stdout.write(`${names.join('\n')}\n`);
}
