// `samsa topics create NAME`: CreateTopics, printing what kafka-topics.sh prints.
import { CreateTopicsRequest } from '../../protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../protocol/generated/create-topics-response.js';
import { ErrorCode } from '../../errors.js';
import { COMMON_OPTIONS, CliError, UsageError, common, parse, parseIntOption, parseKeyValues } from './options.js';
import { describeError, withAdmin } from './admin.js';

export const CREATE_USAGE =
  'usage: samsa topics create NAME --bootstrap host:port [--partitions N] [--replication-factor N]\n' +
  '                           [--config key=value ...] [--if-not-exists] [--validate-only] [--timeout-ms N]';

export async function createCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      ...COMMON_OPTIONS,
      partitions: { type: 'string', short: 'p' },
      'replication-factor': { type: 'string', short: 'r' },
      config: { type: 'string', multiple: true, short: 'c' },
      'if-not-exists': { type: 'boolean' },
      'validate-only': { type: 'boolean' },
    },
    CREATE_USAGE,
  );
  if (values.help) return void process.stdout.write(`${CREATE_USAGE}\n`);
  const opts = common(values, CREATE_USAGE);
  if (positionals.length !== 1 || positionals[0] === '')
    throw new UsageError(positionals.length === 0 ? 'create needs a topic NAME' : 'create takes exactly one topic NAME', CREATE_USAGE);
  const name = positionals[0]!;
  const partitions = parseIntOption('partitions', values.partitions, 1, 2_147_483_647, CREATE_USAGE);
  const replicationFactor = parseIntOption('replication-factor', values['replication-factor'], 1, 32_767, CREATE_USAGE);
  const configs = parseKeyValues('config', values.config, CREATE_USAGE).map(([k, v]) => ({ name: k, value: v }));
  const validateOnly = values['validate-only'] === true;

  const result = await withAdmin(opts, async (admin) => {
    const { res } = await admin.sendToController(
      CreateTopicsRequest,
      CreateTopicsResponse,
      (v) => {
        if (validateOnly && v < 1) throw new CliError('the broker does not support --validate-only (CreateTopics v0)');
        // v4+ lets the broker choose (num.partitions, default.replication.factor); older brokers
        // need numbers, so they get Kafka's defaults for both.
        const fallback = v >= 4 ? -1 : 1;
        return {
          topics: [{ name, numPartitions: partitions ?? fallback, replicationFactor: replicationFactor ?? fallback, assignments: [], configs }],
          timeoutMs: opts.timeoutMs,
          ...(validateOnly ? { validateOnly } : {}),
        };
      },
      (r) => r.topics.some((t) => t.errorCode === ErrorCode.NOT_CONTROLLER),
    );
    return res.topics.find((t) => t.name === name) ?? res.topics[0];
  });
  if (!result) throw new CliError(`cannot create topic ${name}: the broker's answer names no topic`);
  if (result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && values['if-not-exists']) return;
  if (result.errorCode !== 0) throw new CliError(`cannot create topic ${name}: ${describeError(result.errorCode, result.errorMessage)}`);
  process.stdout.write(validateOnly ? `Topic ${name} can be created (--validate-only: nothing was changed).\n` : `Created topic ${name}.\n`);
}
