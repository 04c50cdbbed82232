// Topic metadata for `list` and `describe`, read with Metadata and never creating anything.
import { MetadataRequest } from '../../protocol/generated/metadata-request.js';
import { MetadataResponse, type MetadataResponseTopic } from '../../protocol/generated/metadata-response.js';
import { ZERO_UUID } from '../../protocol/primitives/index.js';
import { ErrorCode } from '../../errors.js';
import { CliError } from './options.js';
import { describeError, type Admin } from './admin.js';

/**
 * All topics (`names` null), or the named ones. Naming topics needs v4+, where auto-creation
 * can be switched off; an older broker gets asked for all topics and the answer is filtered, so
 * describing a topic that does not exist never creates it.
 */
export async function fetchTopics(admin: Admin, names: readonly string[] | null): Promise<MetadataResponseTopic[]> {
  const byName = names !== null && admin.version(MetadataRequest) >= 4;
  const { res, version } = await admin.send(MetadataRequest, MetadataResponse, (v) => {
    if (byName) return { topics: names.map((name) => ({ name })), allowAutoTopicCreation: false };
    // v0: an empty list means all topics; v1+: null does.
    return { topics: v >= 1 ? null : [] };
  });
  if (version >= 13 && res.errorCode !== 0) throw new CliError(`cannot read metadata: ${describeError(res.errorCode)}`);
  if (names === null) return res.topics;
  // In the order asked; a name the answer lacks (an old broker asked for all) is unknown.
  return names.map((name) => res.topics.find((t) => t.name === name) ?? missing(name));
}

function missing(name: string): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    name,
    topicId: ZERO_UUID,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: -2147483648,
  };
}
