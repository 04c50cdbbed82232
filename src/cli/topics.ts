// `samsa topics list|create|describe|delete|alter-config`: topic administration over the Kafka
// protocol (src/client/connection.ts), so it works against any Kafka-compatible broker, samsa or
// not. Each subcommand lives in src/cli/topics/.
import { subcommandRunner } from './subcommands.js';
import { LIST_USAGE, listCommand } from './topics/list.js';
import { CREATE_USAGE, createCommand } from './topics/create.js';
import { DESCRIBE_USAGE, describeCommand } from './topics/describe.js';
import { DELETE_USAGE, deleteCommand } from './topics/delete.js';
import { ALTER_CONFIG_USAGE, alterConfigCommand } from './topics/alter-config.js';

const INTERNAL: [string, string] = ['--include-internal', 'also show internal topics (__consumer_offsets, __transaction_state)'];

export const topicsCommand = subcommandRunner('topics', 'Topic administration over the Kafka protocol: works against any Kafka-compatible broker.', {
  list: { run: listCommand, usage: LIST_USAGE, summary: 'Print the names of the topics, one a line, sorted.', options: [INTERNAL] },
  create: {
    run: createCommand,
    usage: CREATE_USAGE,
    summary: 'Create topic NAME.',
    options: [
      ['-p, --partitions N', "number of partitions (default: the broker's num.partitions)"],
      ['-r, --replication-factor N', "replicas per partition (default: the broker's default.replication.factor)"],
      ['-c, --config KEY=VALUE', 'a topic config, e.g. cleanup.policy=compact (repeatable)'],
      ['--if-not-exists', 'succeed if the topic already exists'],
      ['--validate-only', 'have the broker check the request without creating the topic'],
    ],
  },
  describe: {
    run: describeCommand,
    usage: DESCRIBE_USAGE,
    summary: 'Print partitions, leaders and configs set on the topics (all topics without NAME).',
    options: [INTERNAL],
  },
  delete: {
    run: deleteCommand,
    usage: DELETE_USAGE,
    summary: 'Delete the named topics and their data.',
    options: [['--if-exists', 'succeed for a topic that does not exist']],
  },
  'alter-config': {
    run: alterConfigCommand,
    usage: ALTER_CONFIG_USAGE,
    summary: 'Set or remove configs of topic NAME (IncrementalAlterConfigs); the others keep their values.',
    options: [
      ['-s, --set KEY=VALUE', 'set a topic config, e.g. retention.ms=3600000 (repeatable)'],
      ['-d, --delete KEY', "remove a topic config, back to the broker's default (repeatable)"],
      ['--validate-only', 'have the broker check the change without applying it'],
    ],
  },
});
