// The four compression codecs of Kafka record batches, by their id in the batch attributes
// (bits 0-2): 1 gzip, 2 snappy, 3 lz4, 4 zstd. Each codec compresses and decompresses a whole
// records section in memory.
//
// What Kafka clients put on the wire, checked against ../shared/kafka-golden and the clients'
// sources, and what samsa writes:
// - gzip: an RFC 1952 gzip member (node:zlib). Kafka's default level is zlib's default (6).
// - snappy: raw snappy from librdkafka, xerial-framed snappy from the Java client and
//   kafka-python (xerial.ts). Both are read; samsa writes the xerial framing.
// - lz4: the LZ4 frame format (magic 04 22 4d 18), independent blocks, no block or content
//   checksum: KIP-57, Kafka's Lz4BlockOutputStream, librdkafka's LZ4F_compressFrame. lz4-napi's
//   frame functions (lz4_flex) read all of these; they write FLG 0x60 (version 1, independent
//   blocks, no checksums) with BD 0x50 (256 KiB blocks) where Java and librdkafka write 0x40
//   (64 KiB). Readers accept both: Java's Lz4BlockInputStream takes block size ids 4-7 and
//   rejects only dependent blocks (read in Kafka's source); librdkafka and kafka-python (liblz4's
//   LZ4F decoder) read samsa's frames in test/compression/clients.test.ts.
// - zstd: a zstd frame (@mongodb-js/zstd, level 3 by default as in Kafka). That library has no
//   synchronous functions, so zstd is async only: compressSync/decompressSync refuse it.
//
// Libraries are loaded on first use, so a broker that never sees a compressed batch never loads
// them. Corrupt input throws CompressionError, a KafkaError with code CORRUPT_MESSAGE.
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { ErrorCode, KafkaError } from '../errors.js';
import { XERIAL_BLOCK_SIZE, isXerialFramed, xerialBlocks, xerialEncode } from './xerial.js';

export const Codec = { Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
/** A compression codec id as in the batch attributes; 0 (none) is not a codec. */
export type CodecId = 1 | 2 | 3 | 4;
export const CODEC_NAMES: Readonly<Record<number, string>> = Object.freeze({ 0: 'none', 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' });

/** Kafka's default levels (compression.gzip.level, compression.zstd.level; KIP-390). */
export const DEFAULT_GZIP_LEVEL = zlib.constants.Z_DEFAULT_COMPRESSION;
export const DEFAULT_ZSTD_LEVEL = 3;

/** Corrupt or undecodable compressed data: the Produce path answers CORRUPT_MESSAGE. */
export class CompressionError extends KafkaError {
  readonly codec: number;

  constructor(codec: number, message: string, options?: ErrorOptions) {
    super(ErrorCode.CORRUPT_MESSAGE, `${CODEC_NAMES[codec] ?? `codec ${codec}`}: ${message}`, options);
    this.name = 'CompressionError';
    this.codec = codec;
  }
}

export function isCodecId(codec: number): codec is CodecId {
  return codec === 1 || codec === 2 || codec === 3 || codec === 4;
}

/** Whether compressSync/decompressSync can do this codec (zstd: no). */
export function hasSyncCodec(codec: number): boolean {
  return codec === 1 || codec === 2 || codec === 3;
}

// ---- lazily loaded libraries ---------------------------------------------------------------

const require = createRequire(import.meta.url);
type Snappy = typeof import('snappy');
type Lz4 = typeof import('lz4-napi');
interface ZstdBindings {
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}
let snappyLib: Snappy | undefined;
let lz4Lib: Lz4 | undefined;
let zstdLib: ZstdBindings | undefined;
const snappy = (): Snappy => (snappyLib ??= require('snappy') as Snappy);
const lz4 = (): Lz4 => (lz4Lib ??= require('lz4-napi') as Lz4);
// The package's index.js drops the level argument; its napi bindings take it.
const zstd = (): ZstdBindings => (zstdLib ??= require('@mongodb-js/zstd/bindings.js') as ZstdBindings);

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function corrupt(codec: number, err: unknown): CompressionError {
  if (err instanceof CompressionError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CompressionError(codec, message.replace(/^zstd: /, ''), { cause: err });
}

function unknownCodec(codec: number): KafkaError {
  return new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression type id ${codec}`);
}

// Magic, FLG, BD and the header checksum: lz4-napi takes an empty input for an empty frame.
const LZ4_MIN_FRAME = 7;

function checkLz4Frame(input: Buffer): void {
  if (input.length < LZ4_MIN_FRAME) throw new CompressionError(Codec.Lz4, `${input.length} bytes, too short for an LZ4 frame`);
}

// copyOutputData: results in ordinary V8 memory rather than external buffers, twice as fast for
// 32 KiB blocks (external buffers cost a finalizer each: 420 vs 940 MB/s decompressing here).
const SNAPPY_ENC = { copyOutputData: true } as const;
const SNAPPY_DEC = { asBuffer: true, copyOutputData: true } as const;

function snappyBlockSync(block: Buffer): Buffer {
  return snappy().compressSync(block, SNAPPY_ENC);
}

function snappyUncompressSync(block: Buffer): Buffer {
  return snappy().uncompressSync(block, SNAPPY_DEC) as Buffer;
}

// ---- synchronous ---------------------------------------------------------------------------

/** Compresses on the calling thread. zstd has no synchronous codec here: use compress(). */
export function compressSync(codec: number, data: Uint8Array, level?: number): Buffer {
  const input = asBuffer(data);
  switch (codec) {
    case Codec.Gzip:
      return zlib.gzipSync(input, { level: level ?? DEFAULT_GZIP_LEVEL });
    case Codec.Snappy:
      return xerialEncode(input, snappyBlockSync);
    case Codec.Lz4:
      return lz4().compressFrameSync(input);
    case Codec.Zstd:
      throw new TypeError('compressSync: zstd has no synchronous codec; use compress()');
    default:
      throw unknownCodec(codec);
  }
}

/** Decompresses on the calling thread; throws CompressionError on corrupt input. */
export function decompressSync(codec: number, data: Uint8Array): Buffer {
  const input = asBuffer(data);
  try {
    switch (codec) {
      case Codec.Gzip:
        return zlib.gunzipSync(input);
      case Codec.Snappy: {
        if (!isXerialFramed(input)) return snappyUncompressSync(input);
        const blocks = xerialBlocks(input).map(snappyUncompressSync);
        return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
      }
      case Codec.Lz4:
        checkLz4Frame(input);
        return lz4().decompressFrameSync(input);
      case Codec.Zstd:
        throw new TypeError('decompressSync: zstd has no synchronous codec; use decompress()');
    }
  } catch (err) {
    if (err instanceof TypeError) throw err;
    throw corrupt(codec, err);
  }
  throw unknownCodec(codec);
}

// ---- asynchronous (the libraries' own threads: libuv's pool) --------------------------------

/** Compresses off the calling thread where the library can (all four do). */
export async function compress(codec: number, data: Uint8Array, level?: number): Promise<Buffer> {
  const input = asBuffer(data);
  switch (codec) {
    case Codec.Gzip:
      return gzipAsync(input, { level: level ?? DEFAULT_GZIP_LEVEL });
    case Codec.Snappy: {
      const blocks: Buffer[] = [];
      const jobs: Promise<Buffer>[] = [];
      for (let p = 0; p < input.length; p += XERIAL_BLOCK_SIZE) jobs.push(snappy().compress(input.subarray(p, p + XERIAL_BLOCK_SIZE), SNAPPY_ENC));
      blocks.push(...(await Promise.all(jobs)));
      let i = 0;
      return xerialEncode(input, () => blocks[i++]!);
    }
    case Codec.Lz4:
      return lz4().compressFrame(input);
    case Codec.Zstd:
      return zstd().compress(input, level ?? DEFAULT_ZSTD_LEVEL);
    default:
      throw unknownCodec(codec);
  }
}

/** Decompresses off the calling thread; rejects with CompressionError on corrupt input. */
export async function decompress(codec: number, data: Uint8Array): Promise<Buffer> {
  const input = asBuffer(data);
  try {
    switch (codec) {
      case Codec.Gzip:
        return await gunzipAsync(input);
      case Codec.Snappy: {
        const s = snappy();
        if (!isXerialFramed(input)) return (await s.uncompress(input, SNAPPY_DEC)) as Buffer;
        const blocks = (await Promise.all(xerialBlocks(input).map((b) => s.uncompress(b, SNAPPY_DEC)))) as Buffer[];
        return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
      }
      case Codec.Lz4:
        checkLz4Frame(input);
        return await lz4().decompressFrame(input);
      case Codec.Zstd:
        return await zstd().decompress(input);
    }
  } catch (err) {
    throw corrupt(codec, err);
  }
  throw unknownCodec(codec);
}
