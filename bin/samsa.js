#!/usr/bin/env node
// The `samsa` command. The CLI is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import('../dist/bundle/samsa-cli.mjs').then(
  (cli) => cli.main(process.argv.slice(2)),
  (err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
      console.error('samsa: dist/ is missing; run `npm install` or `npm run build` first');
      process.exit(1);
    }
    throw err;
  },
);
