// `samsa groups list|describe|delete|reset-offsets`: consumer group administration over the Kafka
// protocol (src/client/connection.ts), so it works against any Kafka-compatible broker, samsa or
// not; each subcommand lives in src/cli/groups/ and shares the option handling and sessions of
// `samsa topics`.
import { subcommandRunner } from './subcommands.js';
import { LIST_USAGE, listCommand } from './groups/list.js';
import { DESCRIBE_USAGE, describeCommand } from './groups/describe.js';
import { DELETE_USAGE, deleteCommand } from './groups/delete.js';
import { RESET_OFFSETS_USAGE, resetOffsetsCommand } from './groups/reset-offsets.js';

export const groupsCommand = subcommandRunner('groups', 'Consumer group administration over the Kafka protocol: works against any Kafka-compatible broker.', {
  list: {
    run: listCommand,
    usage: LIST_USAGE,
    summary: 'Print the group ids, one a line, sorted.',
    options: [
      ['--state STATE', 'only groups in this state, e.g. Stable or Empty (repeatable)'],
      ['--long', "also print each group's state, type and protocol type"],
    ],
  },
  describe: { run: describeCommand, usage: DESCRIBE_USAGE, summary: 'Print the state, members and committed offsets (with lag) of each GROUP.' },
  delete: { run: deleteCommand, usage: DELETE_USAGE, summary: 'Delete the named groups and their committed offsets (each must have no members).' },
  'reset-offsets': {
    run: resetOffsetsCommand,
    usage: RESET_OFFSETS_USAGE,
    summary: "Move GROUP's committed offsets while it has no members; prints the plan, applies it only with --execute.",
    options: [
      ['--topic TOPIC[:P,P...]', 'the topic, optionally only some partitions (repeatable; required)'],
      ['--to-earliest', 'to the log start offset'],
      ['--to-latest', 'to the log end offset'],
      ['--to-offset N', 'to offset N'],
      ['--execute', 'apply the plan (without it, a dry run)'],
      ['--dry-run', 'print the plan only (the default)'],
    ],
  },
});
