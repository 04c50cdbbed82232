// formatLine turns one pino JSON line into the readable line shown at a terminal.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatLine } from '../src/log-pretty.js';

test('a message and its fields, level padded, no colour', () => {
  const line = formatLine(JSON.stringify({ level: 30, time: '2026-12-07T12:00:01.234Z', msg: 'listening', port: 9092 }), false);
  assert.is(line, '12:00:01.234 INFO  listening port=9092\n');
});

test('a msg that is not a string is shown as JSON, not [object Object]', () => {
  const line = formatLine(JSON.stringify({ level: 40, time: '2026-12-07T12:00:01.234Z', msg: { a: 1 } }), false);
  assert.is(line, '12:00:01.234 WARN  {"a":1}\n');
});

test('a line that is not JSON is kept as it is', () => {
  assert.is(formatLine('plain text', false), 'plain text');
});

test.run();
