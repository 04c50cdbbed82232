// `samsa groups list|describe|delete|reset-offsets`: consumer group administration over the Kafka
// protocol (src/client/connection.ts), so it works against any Kafka-compatible broker, samsa or
// not; each subcommand lives in src/cli/groups/ and shares the option handling and sessions of
// `samsa topics`.
import { subcommandRunner } from './subcommands.js';
import { LIST_USAGE, listCommand } from './groups/list.js';
import { DESCRIBE_USAGE, describeCommand } from './groups/describe.js';
import { DELETE_USAGE, deleteCommand } from './groups/delete.js';
import { RESET_OFFSETS_USAGE, resetOffsetsCommand } from './groups/reset-offsets.js';

export const groupsCommand = subcommandRunner('groups', {
  list: { run: listCommand, usage: LIST_USAGE },
  describe: { run: describeCommand, usage: DESCRIBE_USAGE },
  delete: { run: deleteCommand, usage: DELETE_USAGE },
  'reset-offsets': { run: resetOffsetsCommand, usage: RESET_OFFSETS_USAGE },
});
