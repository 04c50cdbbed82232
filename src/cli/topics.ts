// `samsa topics list|create|describe|delete|alter-config`: topic administration over the Kafka
// protocol (src/client/connection.ts), so it works against any Kafka-compatible broker, samsa or
// not. Each subcommand lives in src/cli/topics/.
import { subcommandRunner } from './subcommands.js';
import { LIST_USAGE, listCommand } from './topics/list.js';
import { CREATE_USAGE, createCommand } from './topics/create.js';
import { DESCRIBE_USAGE, describeCommand } from './topics/describe.js';
import { DELETE_USAGE, deleteCommand } from './topics/delete.js';
import { ALTER_CONFIG_USAGE, alterConfigCommand } from './topics/alter-config.js';

export const topicsCommand = subcommandRunner('topics', {
  list: { run: listCommand, usage: LIST_USAGE },
  create: { run: createCommand, usage: CREATE_USAGE },
  describe: { run: describeCommand, usage: DESCRIBE_USAGE },
  delete: { run: deleteCommand, usage: DELETE_USAGE },
  'alter-config': { run: alterConfigCommand, usage: ALTER_CONFIG_USAGE },
});
