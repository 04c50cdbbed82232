// The wasm backend: wasm/index.mjs (AssemblyScript, wasm/build/samsa.wasm), which exports
// `wasmAccel` with the reference's signatures and results. Found next to this checkout or
// package (wasm/ beside src/ or dist/); importing it compiles the module synchronously.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createBatchScan } from './batch-scan.js';
import { checkHeader, checkWholeBatch, normalizedCrc32c } from './common.js';
import type { Accel, BatchScan, ScanOptions, ScanResult } from './types.js';

/** The part of wasm/index.d.ts this backend uses (declared here: wasm/ is a separate build). */
interface WasmAccelModule {
  wasmAccel: {
    crc32c(buf: Uint8Array, start?: number, end?: number, init?: number): number;
    scanBatches(buf: Uint8Array, out: BatchScan, options: ScanOptions): ScanResult;
    stampBatch(buf: Uint8Array, position: number, baseOffset: number, partitionLeaderEpoch: number): void;
    setLogAppendTime(buf: Uint8Array, position: number, timestamp: number): void;
  };
}

/** wasm/ of this checkout, from src/accel/ (tsx), dist/accel/ (tsc) or dist/ (the CLI bundle). */
function wasmDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'wasm');
    if (existsSync(join(candidate, 'index.mjs'))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** The wasm backend, or the reason there is none. */
export async function loadWasm(): Promise<{ accel: Accel } | { error: string }> {
  if (typeof WebAssembly !== 'object') return { error: 'this runtime has no WebAssembly' };
  const dir = wasmDir();
  if (!dir) return { error: 'wasm/index.mjs not found' };
  if (!existsSync(join(dir, 'build', 'samsa.wasm'))) return { error: `${join(dir, 'build', 'samsa.wasm')} is missing (build it in wasm/)` };
  let mod: WasmAccelModule;
  try {
    mod = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as WasmAccelModule;
  } catch (e) {
    return { error: `loading ${join(dir, 'index.mjs')} failed: ${(e as Error).message}` };
  }
  const w = mod.wasmAccel;
  if (!w || typeof w.crc32c !== 'function' || typeof w.scanBatches !== 'function') return { error: `${join(dir, 'index.mjs')} does not export wasmAccel` };
  const accel: Accel = Object.freeze({
    backend: 'wasm' as const,
    description: 'wasm (AssemblyScript, wasm/build/samsa.wasm)',
    crc32c: normalizedCrc32c((buf, start, end, init) => w.crc32c(buf, start, end, init)),
    scanBatches(buf: Buffer, out: BatchScan, options: ScanOptions): ScanResult {
      return w.scanBatches(buf, out, options);
    },
    createBatchScan,
    stampBatch(buf: Buffer, position: number, baseOffset: number, partitionLeaderEpoch: number): void {
      checkHeader(buf, position);
      w.stampBatch(buf, position, baseOffset, partitionLeaderEpoch);
    },
    setLogAppendTime(buf: Buffer, position: number, timestamp: number): void {
      checkWholeBatch(buf, position);
      w.setLogAppendTime(buf, position, timestamp);
    },
  });
  return { accel };
}
