// Compressed record batches real clients sent to (and got back from) Kafka 4.1, from
// ../shared/kafka-golden: every batch of every Produce request and Fetch response in the files.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { CODECS, HEADERS } from '../../src/protocol/generated/index.js';
import { Reader } from '../../src/protocol/primitives/index.js';
import { requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/headers.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';

export const GOLDEN_DIR = join(fileURLToPath(import.meta.url), '../../../../shared/kafka-golden');

export interface GoldenBatch {
  file: string;
  dir: 'request' | 'response';
  /** The records bytes of the partition; the batch is at `position`. */
  buf: Buffer;
  position: number;
  codec: number;
  recordCount: number;
}

/** Every batch with a compression codec in `file` (Produce requests and Fetch responses). */
export function goldenCompressedBatches(file: string): GoldenBatch[] {
  const out: GoldenBatch[] = [];
  for (const line of readFileSync(join(GOLDEN_DIR, file), 'utf8').split('\n')) {
    if (!line) continue;
    const f = JSON.parse(line);
    const parts: Buffer[] = [];
    const r = new Reader(Buffer.from(f.hex, 'hex'));
    if (f.dir === 'request' && f.apiKey === 0) {
      HEADERS.RequestHeader.decode(r, requestHeaderVersion(0, f.apiVersion));
      const req = CODECS.get(0)!.request.decode(r, f.apiVersion) as { topicData: Array<{ partitionData: Array<{ records: Buffer | null }> }> };
      for (const t of req.topicData) for (const p of t.partitionData) if (p.records) parts.push(p.records);
    } else if (f.dir === 'response' && f.apiKey === 1) {
      HEADERS.ResponseHeader.decode(r, responseHeaderVersion(1, f.apiVersion));
      const res = CODECS.get(1)!.response.decode(r, f.apiVersion) as { responses: Array<{ partitions: Array<{ records: Buffer | null }> }> };
      for (const t of res.responses) for (const p of t.partitions) if (p.records) parts.push(p.records);
    } else continue;
    for (const buf of parts) {
      for (let pos = 0; pos + 61 <= buf.length;) {
        const h = readBatchHeader(buf, pos);
        if (pos + h.size > buf.length) break; // a fetch may end in a partial batch
        if (h.compression !== 0) out.push({ file, dir: f.dir, buf, position: pos, codec: h.compression, recordCount: h.recordCount });
        pos += h.size;
      }
    }
  }
  return out;
}
