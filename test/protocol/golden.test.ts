// requires: golden
// Every frame captured between six real clients and a real Kafka 4.1 broker decodes with the
// generated codecs and re-encodes to the identical bytes (../shared/kafka-golden).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { CODECS, HEADERS } from '../../src/protocol/generated/index.js';
import { Reader, Writer } from '../../src/protocol/primitives/index.js';
import { requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/headers.js';

const dir = join(fileURLToPath(import.meta.url), '../../../../shared/kafka-golden');

interface Frame {
  conn: number;
  dir: 'request' | 'response';
  apiKey: number;
  apiName: string;
  apiVersion: number;
  hex: string;
}

for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
  const frames: Frame[] = readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

  test(`${file}: ${frames.length} frames decode and re-encode byte for byte`, () => {
    for (const [i, f] of frames.entries()) {
      const where = `${file} frame ${i} ${f.dir} ${f.apiName} v${f.apiVersion}`;
      const codecs = CODECS.get(f.apiKey);
      assert.ok(codecs, `${where}: no codec`);
      const bytes = Buffer.from(f.hex, 'hex');
      const r = new Reader(bytes);
      const w = new Writer();
      if (f.dir === 'request') {
        const hv = requestHeaderVersion(f.apiKey, f.apiVersion);
        const h = HEADERS.RequestHeader.decode(r, hv);
        assert.is(h.requestApiKey, f.apiKey, where);
        HEADERS.RequestHeader.encode(w, hv, h);
        const body = codecs!.request.decode(r, f.apiVersion);
        assert.is(r.remaining, 0, `${where}: ${r.remaining} bytes left over`);
        codecs!.request.encode(w, f.apiVersion, body);
      } else {
        const hv = responseHeaderVersion(f.apiKey, f.apiVersion);
        const h = HEADERS.ResponseHeader.decode(r, hv);
        HEADERS.ResponseHeader.encode(w, hv, h);
        const body = codecs!.response.decode(r, f.apiVersion);
        assert.is(r.remaining, 0, `${where}: ${r.remaining} bytes left over`);
        codecs!.response.encode(w, f.apiVersion, body);
      }
      const again = w.toBuffer();
      if (!again.equals(bytes)) assert.is(again.toString('hex'), f.hex, `${where}: re-encoded bytes differ`);
    }
  });
}

test.run();
