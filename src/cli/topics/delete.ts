// `samsa topics delete NAME ...`: DeleteTopics for every name in one request.
import { DeleteTopicsRequest } from '../../protocol/generated/delete-topics-request.js';
import { DeleteTopicsResponse } from '../../protocol/generated/delete-topics-response.js';
import { ErrorCode } from '../../errors.js';
import { COMMON_OPTIONS, CliError, UsageError, common, parse } from './options.js';
import { describeError, withAdmin } from './admin.js';

export const DELETE_USAGE = 'usage: samsa topics delete NAME ... --bootstrap host:port [--if-exists] [--timeout-ms N]';

export async function deleteCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, 'if-exists': { type: 'boolean' } }, DELETE_USAGE);
  if (values.help) return void process.stdout.write(`${DELETE_USAGE}\n`);
  const opts = common(values, DELETE_USAGE);
  const names = [...new Set(positionals)];
  if (names.length === 0 || names.includes('')) throw new UsageError('delete needs at least one topic NAME', DELETE_USAGE);

  const { res } = await withAdmin(opts, (admin) =>
    admin.sendToController(
      DeleteTopicsRequest,
      DeleteTopicsResponse,
      // v6 names topics in `topics` (name or id); v0-5 in `topicNames`.
      (v) => (v >= 6 ? { topics: names.map((name) => ({ name })), timeoutMs: opts.timeoutMs } : { topicNames: names, timeoutMs: opts.timeoutMs }),
      (r) => r.responses.some((t) => t.errorCode === ErrorCode.NOT_CONTROLLER),
    ),
  );
  const errors: string[] = [];
  for (const name of names) {
    const r = res.responses.find((t) => t.name === name);
    if (!r) errors.push(`cannot delete topic ${name}: the broker's answer does not mention it`);
    else if (r.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && values['if-exists']) continue;
    else if (r.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      errors.push(`cannot delete topic ${name}: ${describeError(r.errorCode, 'the topic does not exist')}`);
    else if (r.errorCode !== 0) errors.push(`cannot delete topic ${name}: ${describeError(r.errorCode, r.errorMessage)}`);
    else process.stdout.write(`Deleted topic ${name}.\n`);
  }
  if (errors.length === 0) return;
  for (const e of errors.slice(0, -1)) process.stderr.write(`samsa: ${e}\n`);
  throw new CliError(errors.at(-1)!);
}
