import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseProperties, parsePropertyEntries, PropertiesSyntaxError } from '../../src/config/properties.js';

const obj = (text: string) => Object.fromEntries(parseProperties(text));

test('key=value, key: value and key value separators', () => {
  assert.equal(obj('a=1\nb: 2\nc 3\nd=\ne\n'), { a: '1', b: '2', c: '3', d: '', e: '' });
});

test('blanks around the separator are skipped, trailing blanks are kept', () => {
  assert.equal(obj('a = 1\nb :  2\nc\t\t3\nd = x  \n'), { a: '1', b: '2', c: '3', d: 'x  ' });
  // A second separator after blanks belongs to the value.
  assert.equal(obj('a = = 1\nb := 2\n'), { a: '= 1', b: '= 2' });
});

test('# and ! comments, blank lines and leading whitespace', () => {
  const text = ['# comment', '   ! another', '', '   \t', '   key = v', '#not=a setting', 'x=1 # not a comment'].join('\n');
  assert.equal(obj(text), { key: 'v', x: '1 # not a comment' });
});

test('trailing backslash continues the line; leading blanks of the next line are dropped', () => {
  assert.equal(obj('listeners=PLAINTEXT://:9092,\\\n    CONTROLLER://:9093\n'), { listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093' });
  assert.equal(obj('a=1\\\n\\\n  2\n'), { a: '12' });
  // Two backslashes are an escaped backslash, not a continuation.
  assert.equal(obj('dir=C:\\\\\nnext=1\n'), { dir: 'C:\\', next: '1' });
  // A comment line does not continue.
  assert.equal(obj('# a comment \\\nkey=v\n'), { key: 'v' });
});

test('escapes: \\t \\n \\r \\f, \\uXXXX, escaped separators and other characters', () => {
  assert.equal(obj('a=x\\ty\\nz\n'), { a: 'x\ty\nz' });
  assert.equal(obj('u=\\u00e9t\\u00E9\n'), { u: 'été' });
  assert.equal(obj('key\\=with\\:seps\\ space=v\n'), { 'key=with:seps space': 'v' });
  assert.equal(obj('a=\\q\\#\\!\n'), { a: 'q#!' });
});

test('malformed \\u escape is an error naming the line', () => {
  try {
    parseProperties('ok=1\nbad=\\u12\n');
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, PropertiesSyntaxError);
    assert.is((err as PropertiesSyntaxError).line, 2);
  }
});

test('CRLF and CR line endings', () => {
  assert.equal(obj('a=1\r\nb=2\rc=3'), { a: '1', b: '2', c: '3' });
});

test('later keys override earlier ones; entries keep every occurrence and its line', () => {
  assert.equal(obj('a=1\nb=2\na=3\n'), { a: '3', b: '2' });
  assert.equal(parsePropertyEntries('a=1\n\n# c\nb=2\\\n  x\na=3'), [
    { key: 'a', value: '1', line: 1 },
    { key: 'b', value: '2x', line: 4 },
    { key: 'a', value: '3', line: 6 },
  ]);
});

test('a key alone, unicode text and an empty file', () => {
  assert.equal(obj('lonely'), { lonely: '' });
  assert.equal(obj('name=日本語'), { name: '日本語' });
  assert.equal(obj(''), {});
});

test.run();
