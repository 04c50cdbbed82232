// requires: python-kafka
// Broker configs Kafka defines and samsa does not use, through confluent-kafka-python 1.7.0
// (librdkafka 2.0.2) AlterConfigs / DescribeConfigs: librdkafka's own admin test sets
// sasl.kerberos.min.time.before.relogin on a broker and expects success, as Kafka answers; samsa
// used to refuse it as an unknown configuration. The Python side is py/confluent_broker_configs.py.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { IncrementalAlterConfigsRequest } from '../../src/protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../src/protocol/generated/incremental-alter-configs-response.js';
import { runPythonJson } from './helpers.js';

type Step = { ok: any } | { error: string; code: number | null; message: string };

let broker: Broker;
let r: Record<string, Step>;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  r = await runPythonJson('confluent_broker_configs.py', [broker.bootstrap], 120_000);
});

test.after(async () => {
  await broker?.close();
});

function ok(name: string): any {
  const s = r[name]!;
  if ('error' in s) assert.unreachable(`${name} failed: ${s.error} ${s.message}`);
  return (s as { ok: any }).ok;
}
function failed(name: string): { error: string; code: number | null; message: string } {
  const s = r[name]!;
  if ('ok' in s) assert.unreachable(`${name} succeeded: ${JSON.stringify(s.ok)}`);
  return s as { error: string; code: number | null; message: string };
}

test('alter_configs(broker 1, sasl.kerberos.min.time.before.relogin=58000) succeeds and is described as a dynamic broker config', () => {
  assert.is(ok('alter_kerberos_relogin'), null);
  assert.equal(ok('describe_kerberos_relogin'), { value: '58000', source: 'DYNAMIC_BROKER_CONFIG', is_read_only: false });
  assert.is(broker.config.get('sasl.kerberos.min.time.before.relogin'), '58000');
});

test("the value is still checked against Kafka's type (INVALID_REQUEST, as Kafka answers a refused broker config)", () => {
  const bad = failed('alter_kerberos_relogin_invalid');
  assert.is(bad.error, 'INVALID_REQUEST');
  assert.match(bad.message, 'Invalid value soon for configuration sasl.kerberos.min.time.before.relogin: Not a number of type LONG');
});

test('the cluster default resource "" cannot take a per-broker listener setting (librdkafka cannot name it: samsa\'s client)', async () => {
  const c = await ClientConnection.connect(broker.host, broker.port, { clientId: 'cluster-default' });
  try {
    await c.negotiate();
    const res = await c.send(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
      validateOnly: false,
      resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'sasl.kerberos.min.time.before.relogin', configOperation: 0, value: '1000' }] }],
    });
    assert.equal(
      [res.responses[0]!.errorCode, res.responses[0]!.errorMessage],
      [
        ErrorCode.INVALID_REQUEST,
        'Cannot update these configs at default cluster level, broker id must be specified: Set(sasl.kerberos.min.time.before.relogin)',
      ],
    );
  } finally {
    c.close();
  }
});

test('a static Kafka setting samsa does not use is described with its default and read-only, and refused dynamically as Kafka does', () => {
  assert.equal(ok('describe_static_unused'), { value: '30000', source: 'DEFAULT_CONFIG', is_read_only: true });
  const st = failed('alter_static_unused');
  assert.equal([st.error, st.message], ['INVALID_REQUEST', 'Cannot update these configs dynamically: Set(request.timeout.ms)']);
});

test.run();
