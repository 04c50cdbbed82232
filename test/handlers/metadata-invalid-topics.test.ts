// Metadata for topic names Kafka cannot have ("", "..", longer than 249 characters, characters
// other than [a-zA-Z0-9._-]) is answered per topic with INVALID_TOPIC_EXCEPTION, with
// auto-creation on and off, at every version (KafkaApis.getTopicMetadata and
// AutoTopicCreationManager.filterCreatableTopics). "" used to be taken for a lookup by topic id,
// answered with a null name that v0-v9 cannot encode, and the connection was closed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { ZERO_UUID } from '../../src/protocol/primitives/index.js';

const INVALID = ['', '..', 'x'.repeat(250), 'bad name!', 'ü'];
const VERSIONS = [0, 1, 4, 9, 10, 11, 12, 13];

let autoOn: Broker;
let autoOff: Broker;

test.before(async () => {
  autoOn = await startBroker({ port: 0, logLevel: 'silent' });
  autoOff = await startBroker({ port: 0, logLevel: 'silent', config: { 'auto.create.topics.enable': false } });
});

test.after(async () => {
  await autoOn?.close();
  await autoOff?.close();
});

async function ask(broker: Broker, version: number, names: string[]) {
  const conn = await ClientConnection.connect(broker.host, broker.port, { clientId: 'md-invalid' });
  try {
    await conn.negotiate();
    const res = await conn.send(MetadataRequest, MetadataResponse, version, {
      // allowAutoTopicCreation defaults to true (v0-v3 have no such field and always allow it).
      topics: names.map((name) => ({ name, topicId: ZERO_UUID })),
    });
    // The connection is still served afterwards.
    const again = await conn.send(MetadataRequest, MetadataResponse, version, { topics: [] });
    assert.is(again.brokers.length, 1);
    return res.topics.map((t) => [t.name, t.errorCode]);
  } finally {
    conn.close();
  }
}

test('auto-creation off: illegal names INVALID_TOPIC_EXCEPTION, a legal missing one UNKNOWN_TOPIC_OR_PARTITION, at v0-v13', async () => {
  for (const v of VERSIONS) {
    const got = await ask(autoOff, v, [...INVALID, 'legal-missing']);
    assert.equal(got, [...INVALID.map((n) => [n, ErrorCode.INVALID_TOPIC_EXCEPTION]), ['legal-missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]], `v${v}`);
  }
  assert.is(autoOff.metadata.topics().length, 0);
});

test('auto-creation on: illegal names INVALID_TOPIC_EXCEPTION and nothing created; a legal name is created', async () => {
  for (const v of VERSIONS) {
    const got = await ask(autoOn, v, [...INVALID, `legal-${v}`]);
    assert.equal(got, [...INVALID.map((n) => [n, ErrorCode.INVALID_TOPIC_EXCEPTION]), [`legal-${v}`, ErrorCode.NONE]], `v${v}`);
  }
  assert.equal(
    autoOn.metadata
      .topics()
      .map((t) => t.name)
      .sort(),
    VERSIONS.map((v) => `legal-${v}`).sort(),
  );
});

test.run();
