// `samsa topics alter-config NAME --set k=v --delete k`: IncrementalAlterConfigs on one topic.
// Keys not named keep their values (unlike the legacy AlterConfigs, which replaces them all).
import { IncrementalAlterConfigsRequest } from '../../protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../protocol/generated/incremental-alter-configs-response.js';
import { COMMON_OPTIONS, CliError, UsageError, common, parse, parseKeyValues } from './options.js';
import { describeError, withAdmin } from './admin.js';

export const ALTER_CONFIG_USAGE =
  'usage: samsa topics alter-config NAME --bootstrap host:port [--set key=value ...] [--delete key ...]\n' +
  '                                 [--validate-only] [--timeout-ms N]';

const RESOURCE_TOPIC = 2;
const OP_SET = 0;
const OP_DELETE = 1;

export async function alterConfigCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      ...COMMON_OPTIONS,
      set: { type: 'string', multiple: true, short: 's' },
      delete: { type: 'string', multiple: true, short: 'd' },
      'validate-only': { type: 'boolean' },
    },
    ALTER_CONFIG_USAGE,
  );
  if (values.help) return void process.stdout.write(`${ALTER_CONFIG_USAGE}\n`);
  const opts = common(values, ALTER_CONFIG_USAGE);
  if (positionals.length !== 1 || positionals[0] === '')
    throw new UsageError(positionals.length === 0 ? 'alter-config needs a topic NAME' : 'alter-config takes exactly one topic NAME', ALTER_CONFIG_USAGE);
  const name = positionals[0]!;
  const sets = parseKeyValues('set', values.set, ALTER_CONFIG_USAGE);
  const deletes = (values.delete ?? []).map((k) => k.trim());
  if (sets.length === 0 && deletes.length === 0) throw new UsageError('alter-config needs at least one --set key=value or --delete key', ALTER_CONFIG_USAGE);
  if (deletes.includes('')) throw new UsageError('--delete expects a config key', ALTER_CONFIG_USAGE);
  const keys = [...sets.map(([k]) => k), ...deletes];
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined) throw new UsageError(`config key '${dup}' is given more than once`, ALTER_CONFIG_USAGE);
  const validateOnly = values['validate-only'] === true;

  const { res } = await withAdmin(opts, (admin) =>
    admin.send(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, () => ({
      resources: [
        {
          resourceType: RESOURCE_TOPIC,
          resourceName: name,
          configs: [
            ...sets.map(([k, v]) => ({ name: k, configOperation: OP_SET, value: v })),
            ...deletes.map((k) => ({ name: k, configOperation: OP_DELETE, value: null })),
          ],
        },
      ],
      validateOnly,
    })),
  );
  const r = res.responses.find((x) => x.resourceType === RESOURCE_TOPIC && x.resourceName === name) ?? res.responses[0];
  if (!r) throw new CliError(`cannot alter config of topic ${name}: the broker's answer names no resource`);
  if (r.errorCode !== 0) throw new CliError(`cannot alter config of topic ${name}: ${describeError(r.errorCode, r.errorMessage)}`);
  process.stdout.write(validateOnly ? `Config for topic ${name} is valid (--validate-only: nothing was changed).\n` : `Updated config for topic ${name}.\n`);
}
