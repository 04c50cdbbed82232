// Every version of every generated message round-trips: decode(encode(x)) equals x, and
// encode(decode(bytes)) equals bytes. Values are random but seeded, built from the same schema
// model the generator reads, so every field, nullability and tagged field is exercised.
// Those cases need Kafka's JSON schemas in ../shared/kafka-protocol (beside the checkout); without
// them they are skipped, and the cases below that need no schema still run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadMessages, elementType, isStructType, type Field, type Message } from '../../src/protocol/codegen/schema.js';
import { kebab } from '../../src/protocol/codegen/emit.js';
import { Reader, Writer, deepEqual, type MessageCodec } from '../../src/protocol/primitives/index.js';

const root = join(fileURLToPath(import.meta.url), '../../..');
const schemas = [join(root, '../shared/kafka-protocol/4.3.0'), join(root, '../shared/kafka-protocol/3.9.0')];

let seed = 0x5eed;
function rand(): number {
  // xorshift32: deterministic, so a failure reproduces.
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const has = (mask: number, v: number) => (mask & (1 << v)) !== 0;

function randomPrimitive(type: string): unknown {
  switch (type) {
    case 'int8':
      return int(-128, 127);
    case 'int16':
      return int(-32768, 32767);
    case 'uint16':
      return int(0, 65535);
    case 'int32':
      return int(-2147483648, 2147483647);
    case 'int64':
      return rand() < 0.1 ? -1 : int(-(2 ** 52), 2 ** 52);
    case 'float64':
      return rand() * 1000 - 500;
    case 'bool':
      return rand() < 0.5;
    case 'string':
      return Array.from({ length: int(0, 12) }, () => String.fromCharCode(int(32, 126))).join('') + (rand() < 0.2 ? 'é✓' : '');
    case 'uuid':
      return Buffer.from(Array.from({ length: 16 }, () => int(0, 255))).toString('base64url');
    case 'bytes':
    case 'records':
      return Buffer.from(Array.from({ length: int(0, rand() < 0.1 ? 2000 : 20) }, () => int(0, 255)));
  }
  throw new Error(`type ${type}`);
}

function randomStruct(msg: Message, mod: Record<string, unknown>, name: string, fields: Field[], v: number, depth: number): Record<string, unknown> {
  const def = (mod[`default${name}`] as () => Record<string, unknown>)();
  const out: Record<string, unknown> = { ...def };
  for (const f of fields) {
    if (!has(f.versions, v)) continue;
    const key = f.name.charAt(0).toLowerCase() + f.name.slice(1);
    const nullable = has(f.nullable, v) || (f.type === 'records' && has(f.versions, v));
    if (nullable && rand() < 0.2) {
      out[key] = null;
      continue;
    }
    const el = elementType(f.type);
    const one = () => (isStructType(f.type) ? randomStruct(msg, mod, el, msg.structs.get(el)!, v, depth + 1) : randomPrimitive(el));
    if (f.type.startsWith('[]')) out[key] = Array.from({ length: depth > 3 ? 0 : int(0, 3) }, one);
    else out[key] = one();
  }
  return out;
}

const hasSchemas = schemas.every((d) => existsSync(d));
const messages = hasSchemas ? loadMessages(schemas) : [];
if (!hasSchemas) {
  const name = 'every generated message round-trips in every version';
  console.log(`skipped: ${name}: needs schemas (../shared/kafka-protocol beside the checkout)`);
  test.skip(name, () => undefined);
}
const modules = new Map<string, Record<string, unknown>>();
for (const m of messages) modules.set(m.name, await import(`../../src/protocol/generated/${kebab(m.name)}.js`));

for (const msg of messages) {
  test(`${msg.name} round-trips in every version`, () => {
    const mod = modules.get(msg.name)!;
    const codec = mod[msg.name] as MessageCodec<unknown>;
    for (let v = codec.minVersion; v <= codec.maxVersion; v++) {
      if (!codec.hasVersion(v)) continue;
      for (let i = 0; i < 4; i++) {
        const x = randomStruct(msg, mod, msg.name, msg.fields, v, 0);
        const w = new Writer();
        codec.encode(w, v, x);
        const bytes = w.toBuffer();
        const y = codec.decode(new Reader(bytes), v);
        if (!deepEqual(x, y)) {
          assert.equal(y, x, `${msg.name} v${v}: decode(encode(x)) differs`);
        }
        const w2 = new Writer();
        codec.encode(w2, v, y as never);
        assert.ok(w2.toBuffer().equals(bytes), `${msg.name} v${v}: encode(decode(bytes)) differs`);
      }
    }
  });
}

test('unknown tagged fields survive a round trip', async () => {
  const { ApiVersionsRequest } = await import('../../src/protocol/generated/api-versions-request.js');
  const x = { clientSoftwareName: 'a', clientSoftwareVersion: 'b', unknownTaggedFields: [{ tag: 7, data: Buffer.from([1, 2, 3]) }] };
  const w = new Writer();
  ApiVersionsRequest.encode(w, 3, x);
  const y = ApiVersionsRequest.decode(new Reader(w.toBuffer()), 3);
  assert.equal(y.unknownTaggedFields?.[0]?.tag, 7);
  assert.ok(y.unknownTaggedFields?.[0]?.data.equals(Buffer.from([1, 2, 3])));
});

test('a field absent from a version must be default there', async () => {
  const { MetadataRequest } = await import('../../src/protocol/generated/metadata-request.js');
  assert.throws(() => MetadataRequest.encode(new Writer(), 3, { allowAutoTopicCreation: false }), /does not exist in version 3/);
  assert.throws(() => MetadataRequest.encode(new Writer(), 14, {}), /has no version 14/);
});

test('truncated input fails with a decode error, not a crash', async () => {
  const { MetadataResponse } = await import('../../src/protocol/generated/metadata-response.js');
  const w = new Writer();
  MetadataResponse.encode(w, 12, { brokers: [{ nodeId: 1, host: 'h', port: 1 }], topics: [{ name: 't', partitions: [{ replicaNodes: [1] }] }] });
  const bytes = w.toBuffer();
  for (let cut = 0; cut < bytes.length; cut++) {
    assert.throws(() => MetadataResponse.decode(new Reader(bytes.subarray(0, cut)), 12));
  }
});

test.run();
