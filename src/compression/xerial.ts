// Snappy framing in Kafka record batches.
//
// Two shapes arrive in the records section of a batch with codec 2:
// - raw snappy (one block: varint uncompressed length, then the compressed stream), written by
//   librdkafka (kcat, confluent-kafka) — seen in ../shared/kafka-golden/kcat-compression.jsonl;
// - xerial's SnappyOutputStream framing, written by the Java client (Kafka's SnappyFactory wraps
//   the batch in `new SnappyOutputStream(out)`) and by kafka-python:
//     magic  82 'S' 'N' 'A' 'P' 'P' 'Y' 00   (8 bytes)
//     version int32 BE (1), compatible version int32 BE (1)
//     blocks: [compressed length int32 BE][raw snappy of at most 32 KiB of input] ...
// Readers (Java's SnappyInputStream, librdkafka's rd_kafka_snappy_java_uncompress, kafka-python's
// snappy_decode) detect the framing by the 8-byte magic and take anything else as raw snappy,
// so a reader of either shape reads both. samsa reads both and writes the xerial framing, as the
// Java client does.

export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
export const XERIAL_HEADER_SIZE = 16;
/** SnappyOutputStream's default block size, the one Kafka's Java client writes with. */
export const XERIAL_BLOCK_SIZE = 32 * 1024;
const XERIAL_VERSION = 1;
const XERIAL_COMPATIBLE_VERSION = 1;

export function isXerialFramed(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER_SIZE) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** Splits `data` into 32 KiB blocks, compresses each with `compressBlock`, frames them. */
export function xerialEncode(data: Buffer, compressBlock: (block: Buffer) => Buffer): Buffer {
  const parts: Buffer[] = [];
  let total = XERIAL_HEADER_SIZE;
  for (let p = 0; p < data.length; p += XERIAL_BLOCK_SIZE) {
    const c = compressBlock(data.subarray(p, Math.min(p + XERIAL_BLOCK_SIZE, data.length)));
    parts.push(c);
    total += 4 + c.length;
  }
  const out = Buffer.allocUnsafe(total);
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(XERIAL_VERSION, 8);
  out.writeInt32BE(XERIAL_COMPATIBLE_VERSION, 12);
  let q = XERIAL_HEADER_SIZE;
  for (const c of parts) {
    out.writeInt32BE(c.length, q);
    q += 4 + c.copy(out, q + 4);
  }
  return out;
}

/**
 * The raw snappy blocks of a xerial-framed buffer, as views. Throws a plain Error on a block
 * length that runs past the end (the caller turns it into a CompressionError).
 */
export function xerialBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let p = XERIAL_HEADER_SIZE;
  while (p < data.length) {
    if (data.length - p < 4) throw new Error(`xerial snappy: ${data.length - p} stray bytes after the last block`);
    const n = data.readInt32BE(p);
    p += 4;
    if (n < 0 || n > data.length - p) throw new Error(`xerial snappy: block length ${n} at byte ${p - 4} runs past the end (${data.length - p} bytes left)`);
    blocks.push(data.subarray(p, p + n));
    p += n;
  }
  return blocks;
}
