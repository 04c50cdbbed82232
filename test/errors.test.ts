import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ERRORS, ErrorCode, KafkaError, SamsaError, SamsaErrorCode, errorInfo, errorName, type ErrorName } from '../src/errors.js';

test('codes are unique and contiguous from -1 to the highest', () => {
  const codes = ERRORS.map((e) => e.code);
  assert.is(new Set(codes).size, codes.length);
  const sorted = [...codes].sort((a, b) => a - b);
  assert.equal(codes, sorted, 'table is in code order');
  assert.is(sorted[0], -1);
  // Kafka never skips a code, so a gap means a row was lost.
  sorted.forEach((c, i) => assert.is(c, i - 1));
});

test('names are unique UPPER_SNAKE', () => {
  const names = ERRORS.map((e) => e.name);
  assert.is(new Set(names).size, names.length);
  for (const n of names) assert.match(n, /^[A-Z][A-Z0-9_]*$/);
});

test('ErrorCode agrees with ERRORS', () => {
  assert.is(Object.keys(ErrorCode).length, ERRORS.length);
  for (const e of ERRORS) assert.is(ErrorCode[e.name as ErrorName], e.code, e.name);
  assert.ok(Object.isFrozen(ErrorCode));
  // Compile-time: members are literal codes and unknown names do not type-check.
  const three: 3 = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  assert.is(three, 3);
  // @ts-expect-error not a Kafka error name
  assert.is(ErrorCode.NOT_A_KAFKA_ERROR, undefined);
});

test('every error but NONE has a message', () => {
  for (const e of ERRORS) {
    if (e.code === ErrorCode.NONE) assert.is(e.message, '');
    else assert.ok(e.message.length > 0, e.name);
  }
});

test('spot checks against Kafka 4.3 Errors.java', () => {
  assert.is(ErrorCode.UNKNOWN_SERVER_ERROR, -1);
  assert.is(ErrorCode.NONE, 0);
  assert.is(ErrorCode.OFFSET_OUT_OF_RANGE, 1);
  assert.is(ErrorCode.CORRUPT_MESSAGE, 2);
  assert.is(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 3);
  assert.is(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6);
  assert.is(ErrorCode.INVALID_TOPIC_EXCEPTION, 17);
  assert.is(ErrorCode.UNSUPPORTED_VERSION, 35);
  assert.is(ErrorCode.TOPIC_ALREADY_EXISTS, 36);
  assert.is(ErrorCode.INVALID_REPLICATION_FACTOR, 38);
  assert.is(ErrorCode.INVALID_CONFIG, 40);
  assert.is(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 45);
  assert.is(ErrorCode.CONCURRENT_TRANSACTIONS, 51);
  assert.is(ErrorCode.PRODUCER_FENCED, 90);
  assert.is(ErrorCode.UNKNOWN_TOPIC_ID, 100);
  assert.is(ErrorCode.TRANSACTION_ABORTABLE, 120);
  assert.is(ErrorCode.SHARE_SESSION_LIMIT_REACHED, 133);
  assert.is(Math.max(...ERRORS.map((e) => e.code)), 133);
  assert.is(ERRORS.length, 135);
  assert.is(errorInfo(35).message, 'The version of API is not supported.');
});

test('retriable follows RetriableException', () => {
  const retriable = [
    'CORRUPT_MESSAGE',
    'UNKNOWN_TOPIC_OR_PARTITION',
    'LEADER_NOT_AVAILABLE',
    'NOT_LEADER_OR_FOLLOWER',
    'REQUEST_TIMED_OUT',
    'NETWORK_EXCEPTION',
    'COORDINATOR_LOAD_IN_PROGRESS',
    'COORDINATOR_NOT_AVAILABLE',
    'NOT_COORDINATOR',
    'NOT_ENOUGH_REPLICAS',
    'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
    'NOT_CONTROLLER',
    'CONCURRENT_TRANSACTIONS',
    'KAFKA_STORAGE_ERROR',
    'FENCED_LEADER_EPOCH',
    'UNKNOWN_LEADER_EPOCH',
    'UNKNOWN_TOPIC_ID',
    'SHARE_SESSION_LIMIT_REACHED',
  ] as const;
  for (const n of retriable) assert.ok(errorInfo(ErrorCode[n]).retriable, n);
  const fatal = [
    'UNKNOWN_SERVER_ERROR',
    'NONE',
    'OFFSET_OUT_OF_RANGE',
    'UNSUPPORTED_VERSION',
    'TOPIC_ALREADY_EXISTS',
    'INVALID_CONFIG',
    'REBALANCE_IN_PROGRESS',
    'OUT_OF_ORDER_SEQUENCE_NUMBER',
    'PRODUCER_FENCED',
    'TRANSACTION_ABORTABLE',
    'REBOOTSTRAP_REQUIRED',
  ] as const;
  for (const n of fatal) assert.not.ok(errorInfo(ErrorCode[n]).retriable, n);
});

test('errorInfo and errorName on an unknown code do not throw', () => {
  for (const code of [134, 999, -2, 32767, -32768, 1.5, Number.NaN]) {
    const info = errorInfo(code);
    assert.is(info.retriable, false);
    assert.ok(info.name.includes(String(code)), info.name);
    assert.ok(info.message.includes(String(code)), info.message);
    assert.is(errorName(code), info.name);
  }
  assert.is(errorName(3), 'UNKNOWN_TOPIC_OR_PARTITION');
});

test('KafkaError carries code, name, retriable and the default message', () => {
  const err = new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.instance(err, Error);
  assert.instance(err, KafkaError);
  assert.is(err.name, 'KafkaError');
  assert.is(err.code, 6);
  assert.is(err.errorName, 'NOT_LEADER_OR_FOLLOWER');
  assert.is(err.retriable, true);
  assert.is(err.message, errorInfo(6).message);

  const custom = new KafkaError(ErrorCode.INVALID_CONFIG, 'retention.ms must be >= -1', { cause: 'x' });
  assert.is(custom.message, 'retention.ms must be >= -1');
  assert.is(custom.errorName, 'INVALID_CONFIG');
  assert.is(custom.retriable, false);
  assert.is(custom.cause, 'x');

  const unknown = new KafkaError(4242);
  assert.is(unknown.code, 4242);
  assert.is(unknown.errorName, 'UNKNOWN(4242)');
});

test('SamsaError has a stable string code', () => {
  const err = new SamsaError(SamsaErrorCode.PORT_IN_USE, 'port 9092 is in use');
  assert.instance(err, Error);
  assert.is(err.name, 'SamsaError');
  assert.is(err.code, 'SAMSA_PORT_IN_USE');
  assert.is(err.message, 'port 9092 is in use');
  for (const code of Object.values(SamsaErrorCode)) assert.match(code, /^SAMSA_[A-Z_]+$/);
  assert.is(new Set(Object.values(SamsaErrorCode)).size, Object.keys(SamsaErrorCode).length);
});

test.run();
