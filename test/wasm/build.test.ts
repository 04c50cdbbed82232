// wasm/build/samsa.wasm is committed (the package must run without a build step where there is no
// native binary), so it must be exactly what `npm run build:wasm` makes from wasm/assembly today.
// This compiles the sources in memory with the pinned assemblyscript and compares the bytes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import asc from 'assemblyscript/asc';

const wasmDir = fileURLToPath(new URL('../../wasm/', import.meta.url));

test('the committed wasm/build/samsa.wasm is what the sources build to', async () => {
  const written = new Map<string, Uint8Array | string>();
  let log = '';
  const sink = { write: (s: string | Uint8Array): void => void (log += String(s)) } as unknown as asc.OutputStream;
  const { error } = await asc.main(['--config', `${wasmDir}asconfig.json`, '--target', 'release'], {
    stdout: sink,
    stderr: sink,
    writeFile: (name: string, contents: Uint8Array | string) => void written.set(name, contents),
  });
  assert.is(error, null, `asc failed: ${error}\n${log}`);
  const built = [...written].find(([name]) => name.endsWith('samsa.wasm'))?.[1];
  assert.ok(built instanceof Uint8Array, `asc wrote ${[...written.keys()].join(', ')}`);
  const committed = readFileSync(`${wasmDir}build/samsa.wasm`);
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex').slice(0, 16);
  assert.ok(
    Buffer.from(built).equals(committed),
    `wasm/build/samsa.wasm is stale (committed ${sha(committed)}, sources build ${sha(built)}): run npm run build:wasm and commit it`,
  );
});

test.run();
