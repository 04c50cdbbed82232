import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  configTypeCode,
  describeValidValues,
  editDistance,
  javaDoubleString,
  parseList,
  suggestName,
  validateValue,
  type ConfigDef,
} from '../../src/config/config-def.js';

const def = (d: Partial<ConfigDef> & Pick<ConfigDef, 'name' | 'type'>): ConfigDef => ({ default: null, doc: '', ...d });
const ok = (d: ConfigDef, raw: string) => {
  const r = validateValue(d, raw);
  if (!r.ok) assert.unreachable(r.error);
  return r.ok ? r.value : '';
};
const err = (d: ConfigDef, raw: string) => {
  const r = validateValue(d, raw);
  if (r.ok) assert.unreachable(`expected ${raw} to be rejected`);
  return r.ok ? '' : r.error;
};

test('ConfigType codes follow DescribeConfigs v3+', () => {
  assert.equal(
    (['boolean', 'string', 'int', 'short', 'long', 'double', 'list', 'class', 'password'] as const).map(configTypeCode),
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.is(configTypeCode(undefined), 0);
});

test('integers: canonical form, 16/32/64-bit ranges, Kafka wording', () => {
  const retention = def({ name: 'retention.ms', type: 'long' });
  assert.is(ok(retention, ' +0042 '), '42');
  assert.is(ok(retention, '9223372036854775807'), '9223372036854775807');
  assert.is(err(retention, 'abc'), 'Invalid value abc for configuration retention.ms: Not a number of type LONG');
  assert.is(err(retention, '9223372036854775808'), 'Invalid value 9223372036854775808 for configuration retention.ms: Not a number of type LONG');
  assert.is(err(retention, '1h'), 'Invalid value 1h for configuration retention.ms: Not a number of type LONG');
  assert.is(err(def({ name: 'n', type: 'int' }), '2147483648'), 'Invalid value 2147483648 for configuration n: Not a number of type INT');
  assert.is(err(def({ name: 'rf', type: 'short' }), '40000'), 'Invalid value 40000 for configuration rf: Not a number of type SHORT');
  assert.is(err(def({ name: 'n', type: 'int' }), ''), 'Invalid value  for configuration n: Not a number of type INT');
});

test('ranges: at least / no more than', () => {
  const seg = def({ name: 'segment.bytes', type: 'int', min: 1048576 });
  assert.is(err(seg, '100'), 'Invalid value 100 for configuration segment.bytes: Value must be at least 1048576');
  assert.is(ok(seg, '1048576'), '1048576');
  const lz4 = def({ name: 'compression.lz4.level', type: 'int', min: 1, max: 17 });
  assert.is(err(lz4, '18'), 'Invalid value 18 for configuration compression.lz4.level: Value must be no more than 17');
  const ratio = def({ name: 'min.cleanable.dirty.ratio', type: 'double', min: 0, max: 1 });
  assert.is(err(ratio, '1.01'), 'Invalid value 1.01 for configuration min.cleanable.dirty.ratio: Value must be no more than 1');
});

test('doubles print like Java', () => {
  const d = def({ name: 'd', type: 'double' });
  assert.is(ok(d, '0.5'), '0.5');
  assert.is(ok(d, '1'), '1.0');
  assert.is(ok(d, '.25'), '0.25');
  assert.is(ok(d, '2.5d'), '2.5');
  assert.is(ok(d, '1e7'), '1.0E7');
  assert.is(ok(d, '1.7976931348623157E308'), '1.7976931348623157E308');
  assert.is(javaDoubleString(0.0001), '1.0E-4');
  assert.is(err(d, 'half'), 'Invalid value half for configuration d: Not a number of type DOUBLE');
});

test('booleans are case-insensitive and canonical lower case', () => {
  const b = def({ name: 'auto.create.topics.enable', type: 'boolean' });
  assert.is(ok(b, 'TRUE'), 'true');
  assert.is(ok(b, ' false '), 'false');
  assert.is(err(b, 'yes'), 'Invalid value yes for configuration auto.create.topics.enable: Expected value to be either true or false');
});

test('enums: case-sensitive like ValidString, or case-insensitive when asked', () => {
  const type = def({ name: 'message.timestamp.type', type: 'string', validValues: ['CreateTime', 'LogAppendTime'] });
  assert.is(ok(type, 'LogAppendTime'), 'LogAppendTime');
  assert.is(err(type, 'createtime'), 'Invalid value createtime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime');
  const level = def({ name: 'samsa.log.level', type: 'string', validValues: ['info', 'debug'], caseInsensitive: true });
  assert.is(ok(level, 'DEBUG'), 'debug');
  assert.is(err(level, 'loud'), 'Invalid value loud for configuration samsa.log.level: String must be one of (case insensitive): info, debug');
});

test('lists validate each element and print comma separated', () => {
  const policy = def({ name: 'cleanup.policy', type: 'list', validValues: ['compact', 'delete'] });
  assert.is(ok(policy, 'compact, delete'), 'compact,delete');
  assert.is(ok(policy, 'delete'), 'delete');
  assert.is(ok(policy, ''), '');
  assert.is(err(policy, 'compact,foo'), 'Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete');
  assert.is(err(policy, 'compact,'), 'Invalid value  for configuration cleanup.policy: String must be one of: compact, delete');
  assert.equal(parseList(' a , b ,c'), ['a', 'b', 'c']);
  assert.equal(parseList('  '), []);
  assert.equal(parseList(null), []);
});

test('custom checks run on the canonical value', () => {
  const gzip = def({
    name: 'compression.gzip.level',
    type: 'int',
    check: (v) => (v === '-1' || (+v >= 1 && +v <= 9) ? null : 'Value must be between 1 and 9 or equal to -1'),
  });
  assert.is(ok(gzip, '-1'), '-1');
  assert.is(err(gzip, '0'), 'Invalid value 0 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1');
});

test('valid-values column and name suggestions', () => {
  assert.is(describeValidValues(def({ name: 'x', type: 'int', min: 1 })), '[1,...]');
  assert.is(describeValidValues(def({ name: 'x', type: 'double', min: 0, max: 1 })), '[0,...,1]');
  assert.is(describeValidValues(def({ name: 'x', type: 'list', validValues: ['compact', 'delete'] })), '[compact, delete]');
  assert.is(editDistance('retention', 'retnetion'), 1);
  assert.is(suggestName('log.retention.hour', ['log.retention.hours', 'log.retention.ms']), 'log.retention.hours');
  assert.is(suggestName('num.partitons', ['num.partitions', 'num.io.threads']), 'num.partitions');
  assert.is(suggestName('totally.different', ['num.partitions']), null);
});

test.run();
