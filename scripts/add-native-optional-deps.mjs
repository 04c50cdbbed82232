#!/usr/bin/env node
// Release step (release.yml), after `napi create-npm-dir -t .` and `napi artifacts` in native/:
// makes the platform packages native/npm/<platform>/ publishable and lists them in samsa's
// package.json as optionalDependencies, at samsa's own version.
//
// Why at release time and not in package.json for good: the packages do not exist on the
// registry until the first release, and npm 11 (this machine's npm 11.19, and Node 24's) then
// refuses `npm ci` ("Missing: @samsa/native-linux-x64-gnu@ from lock file"): `npm install` skips a
// missing optional dependency but cannot lock it. npm 10 (Node 20 and 22) tolerates it. Checked
// on this machine; test/ci/workflows.test.ts keeps package.json free of them.
//
// What it does, failing loudly rather than publishing something half right:
// - the set of platform folders must be exactly the targets of native/package.json
//   (napi.triples.additional), each package named @samsa/native-<platform>, each holding its
//   binary (unless --no-binaries);
// - each platform package gets samsa's version (native/package.json's own version is not
//   published and may lag) and samsa's `repository` (npm provenance requires it to match the
//   GitHub repository; taken from GITHUB_REPOSITORY when package.json has none);
// - package.json gets optionalDependencies { "@samsa/native-<platform>": "<version>" } (exact).
// Usage: node scripts/add-native-optional-deps.mjs [--root <dir>] [--npm-dir <dir>] [--no-binaries] [--dry-run]
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** napi-rs's platform name for a Rust target triple (as @napi-rs/cli 2.x parses it). */
export function napiPlatform(triple) {
  const [cpu, , sys, abi] = triple.split('-');
  const arch = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm' }[cpu];
  if (!arch) throw new Error(`unsupported CPU in ${triple}`);
  if (sys === 'darwin') return `darwin-${arch}`;
  if (sys === 'windows') return `win32-${arch}-${abi}`;
  if (sys === 'linux') return `linux-${arch}-${abi}`;
  throw new Error(`unsupported target ${triple}`);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function writeJson(path, value) {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

export function addNativeOptionalDeps({ root, npmDir, binaries = true, dryRun = false, env = process.env }) {
  const rootPkgPath = join(root, 'package.json');
  const rootPkg = readJson(rootPkgPath);
  const napiPkg = readJson(join(root, 'native', 'package.json'));
  const triples = napiPkg.napi?.triples?.additional ?? [];
  if (triples.length === 0) throw new Error('native/package.json lists no napi.triples.additional');
  const expected = triples.map(napiPlatform).sort();
  const found = existsSync(npmDir)
    ? readdirSync(npmDir)
        .filter((d) => statSync(join(npmDir, d)).isDirectory())
        .sort()
    : [];
  if (expected.join() !== found.join()) {
    throw new Error(`platform packages in ${npmDir}: [${found.join(', ')}], expected [${expected.join(', ')}] (run \`napi create-npm-dir -t .\` in native/)`);
  }
  let repository = rootPkg.repository;
  if (!repository && env.GITHUB_REPOSITORY) {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    repository = { type: 'git', url: `git+${server}/${env.GITHUB_REPOSITORY}.git` };
    rootPkg.repository = repository;
  }
  const version = rootPkg.version;
  const deps = {};
  for (const [name, range] of Object.entries(rootPkg.optionalDependencies ?? {})) {
    if (!name.startsWith(`${napiPkg.name}-`)) deps[name] = range;
  }
  const packages = [];
  for (const platform of expected) {
    const path = join(npmDir, platform, 'package.json');
    const pkg = readJson(path);
    const name = `${napiPkg.name}-${platform}`;
    if (pkg.name !== name) throw new Error(`${path}: name ${pkg.name}, expected ${name}`);
    if (binaries && !existsSync(join(npmDir, platform, pkg.main))) {
      throw new Error(`${path}: its binary ${pkg.main} is missing (napi artifacts did not find bindings for ${platform})`);
    }
    pkg.version = version;
    if (repository) pkg.repository = repository;
    delete pkg.private;
    if (!dryRun) writeJson(path, pkg);
    deps[name] = version;
    packages.push(pkg);
  }
  rootPkg.optionalDependencies = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
  if (!dryRun) writeJson(rootPkgPath, rootPkg);
  return { version, optionalDependencies: rootPkg.optionalDependencies, packages };
}

function main(argv) {
  const here = dirname(fileURLToPath(import.meta.url));
  let root = resolve(here, '..');
  let npmDir;
  let binaries = true;
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--root') root = resolve(argv[++i]);
    else if (a === '--npm-dir') npmDir = resolve(argv[++i]);
    else if (a === '--no-binaries') binaries = false;
    else if (a === '--dry-run') dryRun = true;
    else {
      console.error(`unknown argument ${a}\nusage: add-native-optional-deps.mjs [--root <dir>] [--npm-dir <dir>] [--no-binaries] [--dry-run]`);
      return 2;
    }
  }
  const result = addNativeOptionalDeps({ root, npmDir: npmDir ?? join(root, 'native', 'npm'), binaries, dryRun });
  console.log(JSON.stringify({ version: result.version, optionalDependencies: result.optionalDependencies }, null, 2));
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
