#!/usr/bin/env node
// Copies Apache Kafka's message schemas (clients/src/main/resources/common/message/*.json) into
// the layout of shared/kafka-protocol/<version>/: request, response and header schemas at the
// top, the non-RPC data schemas (`"type": "data"`) in other/. Bytes are copied unchanged.
// Usage: node place-schemas.mjs <kafka message dir> <dest dir>
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [src, dest] = process.argv.slice(2);
if (!src || !dest) {
  console.error('usage: place-schemas.mjs <kafka message dir> <dest dir>');
  process.exit(2);
}

/** The schema's top-level "type"; the files carry whole-line // comments (license, notes). */
function schemaType(text, file) {
  const json = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');
  try {
    return JSON.parse(json).type;
  } catch (e) {
    throw new Error(`${file}: not a schema (${e.message})`);
  }
}

mkdirSync(join(dest, 'other'), { recursive: true });
const counts = { request: 0, response: 0, header: 0, data: 0 };
for (const name of readdirSync(src).sort()) {
  if (!name.endsWith('.json')) continue;
  const from = join(src, name);
  const type = schemaType(readFileSync(from, 'utf8'), from);
  if (!(type in counts)) throw new Error(`${from}: unknown schema type ${JSON.stringify(type)}`);
  counts[type]++;
  copyFileSync(from, type === 'data' ? join(dest, 'other', name) : join(dest, name));
}
if (counts.request === 0 || counts.request !== counts.response || counts.header !== 2) {
  throw new Error(`${src}: unexpected schema set ${JSON.stringify(counts)} (expected as many requests as responses, and 2 headers)`);
}
console.log(`${dest}: ${counts.request} requests, ${counts.response} responses, ${counts.header} headers, ${counts.data} data schemas in other/`);
