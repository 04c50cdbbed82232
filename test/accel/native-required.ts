// Tests of the native addon (native/, built by `npm run build:native`, which README calls
// optional): without the binary they are skipped, each with the reason on stdout (the test
// runner shows it), except under CI (CI=true), which builds it: there a missing binary fails.
import { test } from 'uvu';
import { loadNativeAddon } from '../../src/accel/native.js';

const loaded = loadNativeAddon();
export const nativeMissing: string | null = 'error' in loaded && process.env['CI'] !== 'true' ? loaded.error : null;

export function nativeTest(name: string, fn: () => void | Promise<void>): void {
  if (nativeMissing === null) return void test(name, fn);
  console.log(`skipped: ${name}: needs the native addon (npm run build:native): ${nativeMissing}`);
  test.skip(name, fn);
}
