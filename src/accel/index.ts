// accel: the hot path (CRC32C, batch scan, stamp) from the fastest backend this process has,
// chosen once when this module loads: native (the Rust addon) if it loads, else wasm, else the
// pure-TypeScript reference. SAMSA_ACCEL=native|wasm|js forces one, and a forced backend that is
// not available is an error (tests and CI jobs rely on getting what they asked for).
//
//   import { accel, accelDescription } from '../accel/index.js';
//   accel.crc32c(buf); accel.scanBatches(records, scan, options);
//   log.info(`accel: ${accelDescription()}`);
import { AccelUnavailableError } from './common.js';
import { jsAccel } from './js.js';
import { loadNative } from './native.js';
import { loadWasm } from './wasm.js';
import { ACCEL_BACKENDS, type Accel, type AccelBackend } from './types.js';

export type { Accel, AccelBackend, BatchScan, ScanOptions, ScanResult } from './types.js';
export { ACCEL_BACKENDS } from './types.js';
export { AccelUnavailableError } from './common.js';

interface Choice {
  accel: Accel;
  /** Why faster backends were passed over (empty when forced or native). */
  skipped: string[];
}

async function choose(): Promise<Choice> {
  const forced = (process.env.SAMSA_ACCEL ?? '').trim().toLowerCase();
  if (forced !== '') {
    if (!(ACCEL_BACKENDS as readonly string[]).includes(forced)) {
      throw new Error(`SAMSA_ACCEL=${process.env.SAMSA_ACCEL} is not a backend: use native, wasm or js, or leave it unset for the fastest one available`);
    }
    if (forced === 'js') return { accel: jsAccel, skipped: [] };
    if (forced === 'native') {
      const n = loadNative();
      if ('error' in n)
        throw new AccelUnavailableError(
          'native',
          `${n.error}. Build it with \`npm run build:native\` (needs Rust), or install the @samsa/native-<platform> package`,
        );
      return { accel: n.accel, skipped: [] };
    }
    const w = await loadWasm();
    if ('error' in w) throw new AccelUnavailableError('wasm', w.error);
    return { accel: w.accel, skipped: [] };
  }
  const skipped: string[] = [];
  const n = loadNative();
  if (!('error' in n)) return { accel: n.accel, skipped };
  skipped.push(`native: ${n.error}`);
  const w = await loadWasm();
  if (!('error' in w)) return { accel: w.accel, skipped };
  skipped.push(`wasm: ${w.error}`);
  return { accel: jsAccel, skipped };
}

const choice = await choose();

/** The backend in use for this process. */
export const accel: Accel = choice.accel;

export function accelBackend(): AccelBackend {
  return accel.backend;
}

/** One line for logs and `samsa --version`: "native (crc32c: sse4.2 crc32 3-way; samsa-native.linux-x64-gnu.node)". */
export function accelDescription(): string {
  return accel.description;
}

/** Why faster backends were not chosen (for a debug log line); empty if none was skipped. */
export function accelSkipped(): readonly string[] {
  return choice.skipped;
}

/** Every backend this process can load, fastest first (tests and benchmarks). */
export async function availableAccels(): Promise<Accel[]> {
  const all: Accel[] = [];
  const n = loadNative();
  if (!('error' in n)) all.push(n.accel);
  const w = await loadWasm();
  if (!('error' in w)) all.push(w.accel);
  all.push(jsAccel);
  return all;
}
