#!/usr/bin/env node
// Bundles the CLI into one file (dist/samsa-cli.mjs). Start-up time is a feature: loading one
// file instead of ~60 ES modules saves tens of milliseconds per `samsa start` (bench/startup.mjs).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/samsa-cli.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Dependencies that use require() need it in an ES module bundle.
  banner: { js: "import { createRequire as __samsaRequire } from 'node:module'; const require = __samsaRequire(import.meta.url);" },
  logLevel: 'warning',
  // Native addons and the worker pool load files of their own at run time: keep them as packages.
  external: ['piscina', 'snappy', 'lz4-napi', '@mongodb-js/zstd'],
});
