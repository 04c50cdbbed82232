// The protocol generator: `tsx src/protocol/codegen/main.ts <newest schema dir> [<older schema dir>]
// --out <dir> [--check]`. Writes one module per message plus the API key table and an index;
// --check regenerates in memory and fails on any difference from what is committed.
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadMessages, type Message } from './schema.js';
import { BANNER, emitMessage, kebab } from './emit.js';
import { highest, lowest } from './versions.js';

function emitApiKeys(messages: Message[]): string {
  const requests = messages.filter((m) => m.type === 'request').sort((a, b) => a.apiKey! - b.apiKey!);
  const lines = requests.map((m) => {
    const name = m.name.replace(/Request$/, '');
    return `  { apiKey: ${m.apiKey}, name: '${name}', minVersion: ${lowest(m.served)}, maxVersion: ${highest(m.served)}, flexibleMinVersion: ${lowest(m.flexible)} },`;
  });
  return (
    BANNER +
    '\n// Every API in the schemas, with the versions the codec implements (the version policy applied).\n' +
    '// What the broker advertises is derived from the handler registry, not from this table.\n' +
    'export interface ApiInfo {\n  apiKey: number;\n  name: string;\n  minVersion: number;\n  maxVersion: number;\n  flexibleMinVersion: number;\n}\n\n' +
    `export const API_INFO: readonly ApiInfo[] = [\n${lines.join('\n')}\n];\n\n` +
    'export const API_BY_KEY: ReadonlyMap<number, ApiInfo> = new Map(API_INFO.map((a) => [a.apiKey, a]));\n\n' +
    'export const ApiKey = {\n' +
    requests.map((m) => `  ${m.name.replace(/Request$/, '')}: ${m.apiKey},`).join('\n') +
    '\n} as const;\n'
  );
}

function emitIndex(messages: Message[]): string {
  const api = messages.filter((m) => m.type === 'request');
  const imports = messages.map((m) => `import { ${m.name} } from './${kebab(m.name)}.js';`);
  const entries = api.map((m) => {
    const resp = m.name.replace(/Request$/, 'Response');
    return `  [${m.apiKey}, { request: ${m.name}, response: ${resp} }],`;
  });
  return (
    BANNER +
    '// Every message codec by API key. For tools and tests: the broker imports only what it serves.\n' +
    "import type { MessageCodec } from '../primitives/index.js';\n" +
    imports.join('\n') +
    '\n\nexport const CODECS: ReadonlyMap<number, { request: MessageCodec<any>; response: MessageCodec<any> }> = new Map([\n' +
    entries.join('\n') +
    '\n]);\n\nexport const HEADERS = { RequestHeader, ResponseHeader };\n'
  );
}

function generate(dirs: string[]): Map<string, string> {
  const messages = loadMessages(dirs);
  const files = new Map<string, string>();
  for (const m of messages) files.set(`${kebab(m.name)}.ts`, emitMessage(m));
  files.set('api-keys.ts', emitApiKeys(messages));
  files.set('index.ts', emitIndex(messages));
  return files;
}

function main(argv: string[]): number {
  const dirs: string[] = [];
  let out = '';
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out') out = argv[++i] ?? '';
    else if (a === '--check') check = true;
    else dirs.push(a);
  }
  if (!out || dirs.length === 0) {
    console.error('usage: codegen <newest schema dir> [<older schema dir>] --out <dir> [--check]');
    return 2;
  }
  const files = generate(dirs);
  if (check) {
    const problems: string[] = [];
    const present = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.ts')) : [];
    for (const [name, text] of files) {
      const path = join(out, name);
      if (!existsSync(path)) problems.push(`missing ${path}`);
      else if (readFileSync(path, 'utf8') !== text) problems.push(`differs ${path}`);
    }
    for (const f of present) if (!files.has(f)) problems.push(`extra ${join(out, f)}`);
    if (problems.length > 0) {
      console.error(`generated code is stale (run npm run codegen):\n  ${problems.slice(0, 20).join('\n  ')}`);
      return 1;
    }
    console.log(`codegen check: ${files.size} files up to date`);
    return 0;
  }
  if (existsSync(out)) for (const f of readdirSync(out)) if (f.endsWith('.ts')) rmSync(join(out, f));
  mkdirSync(out, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(out, name), text);
  console.log(`codegen: wrote ${files.size} files to ${out}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
