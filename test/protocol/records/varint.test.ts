// The record format's one varint implementation (src/protocol/records/varint.ts): zig-zag
// round trips, sizes, and Kafka's limits (ByteUtils.readVarint / readVarlong: at most 5 and 10
// bytes; a 5th varint byte without the continuation bit is taken as it is).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cursor, readVarint, readVarlong, varintSize, writeVarint, writeVarlong } from '../../../src/protocol/records/varint.js';

function read(bytes: number[], reader: (b: Uint8Array, end: number) => number): { value: number; pos: number } {
  const b = Uint8Array.from(bytes);
  cursor.pos = 0;
  const value = reader(b, b.length);
  return { value, pos: cursor.pos };
}

test('varints round-trip, and varintSize is the bytes written', () => {
  const b = new Uint8Array(5);
  for (const n of [0, 1, -1, 63, -64, 64, -65, 8191, 8192, 2 ** 20, -(2 ** 27), 2 ** 31 - 1, -(2 ** 31)]) {
    const end = writeVarint(b, 0, n);
    assert.is(end, varintSize(n), `size of ${n}`);
    cursor.pos = 0;
    assert.is(readVarint(b, end), n);
    assert.is(cursor.pos, end);
  }
});

test('varlongs round-trip up to 2^52', () => {
  const b = new Uint8Array(10);
  for (const n of [0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 1_733_000_000_000, -1_733_000_000_000, 2 ** 52 - 1, -(2 ** 52)]) {
    const end = writeVarlong(b, 0, n);
    cursor.pos = 0;
    assert.is(readVarlong(b, end), n);
    assert.is(cursor.pos, end);
  }
});

test('known encodings (protobuf sint32)', () => {
  assert.equal(read([0x00], readVarint), { value: 0, pos: 1 });
  assert.equal(read([0x01], readVarint), { value: -1, pos: 1 });
  assert.equal(read([0x02], readVarint), { value: 1, pos: 1 });
  assert.equal(read([0xfe, 0xff, 0xff, 0xff, 0x0f], readVarint), { value: 2 ** 31 - 1, pos: 5 });
  assert.equal(read([0xff, 0xff, 0xff, 0xff, 0x0f], readVarint), { value: -(2 ** 31), pos: 5 });
});

test('bad varints leave the cursor at -1', () => {
  assert.is(read([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], readVarint).pos, -1, 'six bytes');
  assert.is(read([0x80, 0x80], readVarint).pos, -1, 'runs past the end');
  assert.is(read([], readVarint).pos, -1, 'nothing to read');
  assert.is(read(Array(10).fill(0x80).concat([0x00]), readVarlong).pos, -1, 'eleven-byte varlong');
  assert.is(read([0xff], readVarlong).pos, -1, 'varlong past the end');
  // A reader after a bad read stays bad instead of reading from byte -1.
  const b = Uint8Array.from([0x02]);
  cursor.pos = -1;
  readVarint(b, 1);
  assert.is(cursor.pos, -1);
  readVarlong(b, 1);
  assert.is(cursor.pos, -1);
});

test("a 5th byte without the continuation bit is taken whole, as Kafka's ByteUtils.readVarint does", () => {
  // 0x7f in the 5th byte: the unsigned value is 0x7f << 28 = 0xf0000000 once bits above 32 fall
  // off, and its zig-zag decoding 0x78000000 is the int Kafka reads.
  assert.equal(read([0x80, 0x80, 0x80, 0x80, 0x7f], readVarint), { value: 0x78000000, pos: 5 });
});

test.run();
