#!/usr/bin/env node
// Reads a built native/samsa-native.<platform>.node without loading it and checks that it is what
// its target needs, so that a wrong link shows up in the build job rather than on a user's machine:
// - every target: the file format and CPU of the target triple, and napi_register_module_v1
//   exported;
// - Linux gnu: the newest GLIBC_x.y symbol version it needs is at most --max-glibc (default 2.17,
//   what `napi build --zig --zig-abi-suffix 2.17` links against); napi_* left undefined for the
//   dynamic loader (or none, for a dyn-symbols build);
// - Linux musl: needs musl's libc, no GLIBC_ version at all;
// - Windows: a PE32+ DLL that imports no napi_* function and nothing from node.exe / node.dll
//   (src/napi/sys.rs looks them up at load time) and no dynamic C runtime (vcruntime140.dll,
//   api-ms-win-crt-*: +crt-static in .cargo/config.toml);
// - macOS: a 64-bit Mach-O bundle or dylib (undefined napi_* are reported, not judged).
// Usage: node scripts/check-native-binary.mjs [--target <triple>] [--max-glibc 2.17] [--json] <file.node>...
// Without --target, the triple is taken from the file name (samsa-native.linux-x64-gnu.node).
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PLATFORM_TO_TRIPLE = {
  'linux-x64-gnu': 'x86_64-unknown-linux-gnu',
  'linux-arm64-gnu': 'aarch64-unknown-linux-gnu',
  'linux-x64-musl': 'x86_64-unknown-linux-musl',
  'linux-arm64-musl': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64-msvc': 'x86_64-pc-windows-msvc',
};

function cstr(buf, off) {
  let end = off;
  while (end < buf.length && buf[end] !== 0) end++;
  return buf.toString('latin1', off, end);
}

function cmpVersion(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// ---- ELF (64-bit little-endian) ----
function readElf(buf) {
  if (buf[4] !== 2 || buf[5] !== 1) throw new Error('only 64-bit little-endian ELF is supported');
  const machine = buf.readUInt16LE(0x12);
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    sections.push({
      type: buf.readUInt32LE(o + 4),
      offset: Number(buf.readBigUInt64LE(o + 24)),
      size: Number(buf.readBigUInt64LE(o + 32)),
      link: buf.readUInt32LE(o + 40),
      info: buf.readUInt32LE(o + 44),
    });
  }
  const strAt = (sec, off) => cstr(buf, sections[sec.link].offset + off);
  const needed = [];
  const versions = new Set();
  const defined = new Set();
  const undefinedSyms = new Set();
  for (const sec of sections) {
    if (sec.type === 6) {
      // SHT_DYNAMIC: DT_NEEDED entries
      for (let o = sec.offset; o + 16 <= sec.offset + sec.size; o += 16) {
        const tag = buf.readBigInt64LE(o);
        if (tag === 0n) break;
        if (tag === 1n) needed.push(strAt(sec, Number(buf.readBigUInt64LE(o + 8))));
      }
    } else if (sec.type === 0x6ffffffe) {
      // SHT_GNU_verneed: Verneed records, each with Vernaux entries naming a version
      let o = sec.offset;
      for (let n = 0; n < sec.info; n++) {
        const cnt = buf.readUInt16LE(o + 2);
        let a = o + buf.readUInt32LE(o + 8);
        for (let k = 0; k < cnt; k++) {
          versions.add(strAt(sec, buf.readUInt32LE(a + 8)));
          const next = buf.readUInt32LE(a + 12);
          if (next === 0) break;
          a += next;
        }
        const nextNeed = buf.readUInt32LE(o + 12);
        if (nextNeed === 0) break;
        o += nextNeed;
      }
    } else if (sec.type === 11) {
      // SHT_DYNSYM
      for (let o = sec.offset + 24; o + 24 <= sec.offset + sec.size; o += 24) {
        const name = strAt(sec, buf.readUInt32LE(o));
        if (!name) continue;
        if (buf.readUInt16LE(o + 6) === 0) undefinedSyms.add(name);
        else defined.add(name);
      }
    }
  }
  const arch = machine === 62 ? 'x64' : machine === 183 ? 'arm64' : `machine ${machine}`;
  return { format: 'elf', arch, needed, versions: [...versions].sort(), defined, undefinedSyms };
}

// ---- PE32+ ----
function readPe(buf) {
  const pe = buf.readUInt32LE(0x3c);
  if (buf.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('no PE signature');
  const coff = pe + 4;
  const machine = buf.readUInt16LE(coff);
  const nsec = buf.readUInt16LE(coff + 2);
  const optSize = buf.readUInt16LE(coff + 16);
  const characteristics = buf.readUInt16LE(coff + 18);
  const opt = coff + 20;
  if (buf.readUInt16LE(opt) !== 0x20b) throw new Error('not PE32+ (64-bit)');
  const ndirs = buf.readUInt32LE(opt + 108);
  const dir = (i) => (i < ndirs ? { rva: buf.readUInt32LE(opt + 112 + i * 8), size: buf.readUInt32LE(opt + 116 + i * 8) } : { rva: 0, size: 0 });
  const sections = [];
  for (let i = 0; i < nsec; i++) {
    const o = opt + optSize + i * 40;
    sections.push({
      vsize: buf.readUInt32LE(o + 8),
      va: buf.readUInt32LE(o + 12),
      rawSize: buf.readUInt32LE(o + 16),
      raw: buf.readUInt32LE(o + 20),
    });
  }
  const off = (rva) => {
    for (const s of sections) {
      if (rva >= s.va && rva < s.va + Math.max(s.vsize, s.rawSize)) return rva - s.va + s.raw;
    }
    throw new Error(`RVA 0x${rva.toString(16)} is in no section`);
  };
  const thunkNames = (rva) => {
    const names = [];
    if (!rva) return names;
    for (let o = off(rva); ; o += 8) {
      const v = buf.readBigUInt64LE(o);
      if (v === 0n) break;
      if (v & 0x8000000000000000n) names.push(`#${Number(v & 0xffffn)}`);
      else names.push(cstr(buf, off(Number(v & 0x7fffffffn)) + 2));
    }
    return names;
  };
  const imports = [];
  const imp = dir(1);
  if (imp.rva) {
    for (let o = off(imp.rva); ; o += 20) {
      const nameRva = buf.readUInt32LE(o + 12);
      if (nameRva === 0) break;
      const original = buf.readUInt32LE(o);
      imports.push({ dll: cstr(buf, off(nameRva)), functions: thunkNames(original || buf.readUInt32LE(o + 16)), delay: false });
    }
  }
  const delay = dir(13);
  if (delay.rva) {
    for (let o = off(delay.rva); ; o += 32) {
      const nameRva = buf.readUInt32LE(o + 4);
      if (nameRva === 0) break;
      imports.push({ dll: cstr(buf, off(nameRva)), functions: thunkNames(buf.readUInt32LE(o + 16)), delay: true });
    }
  }
  const exports = new Set();
  const exp = dir(0);
  if (exp.rva) {
    const e = off(exp.rva);
    const count = buf.readUInt32LE(e + 24);
    const names = off(buf.readUInt32LE(e + 32));
    for (let i = 0; i < count; i++) exports.add(cstr(buf, off(buf.readUInt32LE(names + i * 4))));
  }
  const arch = machine === 0x8664 ? 'x64' : machine === 0xaa64 ? 'arm64' : machine === 0x14c ? 'ia32' : `machine 0x${machine.toString(16)}`;
  return { format: 'pe', arch, dll: (characteristics & 0x2000) !== 0, imports, exports };
}

// ---- Mach-O 64 ----
function readMachO(buf) {
  const cputype = buf.readUInt32LE(4);
  const filetype = buf.readUInt32LE(12);
  const ncmds = buf.readUInt32LE(16);
  const arch = cputype === 0x01000007 ? 'x64' : cputype === 0x0100000c ? 'arm64' : `cputype 0x${cputype.toString(16)}`;
  const defined = new Set();
  const undefinedSyms = new Map();
  let o = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = buf.readUInt32LE(o);
    const size = buf.readUInt32LE(o + 4);
    if (cmd === 0x2) {
      // LC_SYMTAB
      const symoff = buf.readUInt32LE(o + 8);
      const nsyms = buf.readUInt32LE(o + 12);
      const stroff = buf.readUInt32LE(o + 16);
      for (let k = 0; k < nsyms; k++) {
        const s = symoff + k * 16;
        const name = cstr(buf, stroff + buf.readUInt32LE(s));
        const type = buf[s + 4];
        if (type & 0xe0) continue; // stab entry
        const ext = (type & 0x01) !== 0;
        if ((type & 0x0e) === 0 && ext) undefinedSyms.set(name, (buf.readUInt16LE(s + 6) >> 8) & 0xff);
        else if ((type & 0x0e) === 0x0e && ext) defined.add(name);
      }
    }
    o += size;
  }
  return { format: 'macho', arch, filetype, defined, undefinedSyms };
}

function expectationsOf(triple) {
  const arch = triple.startsWith('x86_64') ? 'x64' : triple.startsWith('aarch64') ? 'arm64' : undefined;
  if (triple.includes('linux')) return { format: 'elf', arch, libc: triple.endsWith('musl') ? 'musl' : 'gnu' };
  if (triple.includes('apple-darwin')) return { format: 'macho', arch };
  if (triple.includes('windows')) return { format: 'pe', arch };
  throw new Error(`unknown target ${triple}`);
}

/** Checks one binary; returns { facts, problems }. */
export function checkNativeBinary(buf, triple, { maxGlibc = '2.17' } = {}) {
  const want = expectationsOf(triple);
  const problems = [];
  const facts = { target: triple };
  let info;
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0x7f454c46) info = readElf(buf);
  else if (buf.length >= 2 && buf.toString('latin1', 0, 2) === 'MZ') info = readPe(buf);
  else if (buf.length >= 4 && buf.readUInt32LE(0) === 0xfeedfacf) info = readMachO(buf);
  else return { facts, problems: ['not an ELF, PE or 64-bit Mach-O file'] };
  facts.format = info.format;
  facts.arch = info.arch;
  if (info.format !== want.format) problems.push(`format ${info.format}, expected ${want.format} for ${triple}`);
  if (info.arch !== want.arch) problems.push(`CPU ${info.arch}, expected ${want.arch} for ${triple}`);

  if (info.format === 'elf') {
    const glibc = info.versions.filter((v) => v.startsWith('GLIBC_') && /^GLIBC_[0-9.]+$/.test(v)).map((v) => v.slice(6));
    const newest = glibc.sort(cmpVersion).at(-1);
    facts.needed = info.needed;
    facts.newestGlibc = newest ?? null;
    const napiUndefined = [...info.undefinedSyms].filter((s) => s.startsWith('napi_'));
    facts.napiLeftToLoader = napiUndefined.length;
    if (!info.defined.has('napi_register_module_v1')) problems.push('napi_register_module_v1 is not exported');
    if (want.libc === 'gnu') {
      if (newest && cmpVersion(newest, maxGlibc) > 0) {
        problems.push(
          `needs GLIBC_${newest}, newer than the floor ${maxGlibc} (build with napi build --zig --zig-abi-suffix ${maxGlibc}, or on an older glibc)`,
        );
      }
      if (!info.needed.some((n) => n.startsWith('libc.so'))) problems.push(`does not link glibc (needs ${info.needed.join(', ')})`);
    } else {
      if (glibc.length > 0) problems.push(`a musl build that needs glibc versions ${glibc.join(', ')}`);
      if (!info.needed.some((n) => /^(libc\.so|libc\.musl-[a-z0-9_]+\.so\.1|ld-musl-[a-z0-9_]+\.so\.1)$/.test(n))) {
        problems.push(`does not link musl's libc (needs ${info.needed.join(', ') || 'nothing'}): a static musl build cannot be a shared object`);
      }
    }
  } else if (info.format === 'pe') {
    facts.dlls = info.imports.map((i) => (i.delay ? `${i.dll} (delay)` : i.dll));
    if (!info.dll) problems.push('not a DLL');
    if (!info.exports.has('napi_register_module_v1')) problems.push('napi_register_module_v1 is not exported');
    for (const i of info.imports) {
      if (/^(node|libnode)(\.exe|\.dll)?$/i.test(i.dll))
        problems.push(`imports from ${i.dll}: the addon would be bound to that file name (src/napi/sys.rs should resolve Node-API at load time)`);
      if (/^(vcruntime\d+|msvcp\d+|ucrtbase)\.dll$/i.test(i.dll) || /^api-ms-win-crt-/i.test(i.dll))
        problems.push(`imports the dynamic C runtime ${i.dll} (expected +crt-static)`);
      const napi = i.functions.filter((f) => f.startsWith('napi_'));
      if (napi.length > 0) problems.push(`imports ${napi.length} napi_* functions from ${i.dll} (${napi.slice(0, 3).join(', ')}...)`);
    }
  } else {
    facts.filetype = info.filetype === 8 ? 'bundle' : info.filetype === 6 ? 'dylib' : info.filetype;
    if (info.filetype !== 6 && info.filetype !== 8) problems.push(`Mach-O file type ${info.filetype}, expected a dylib or bundle`);
    const napi = [...info.undefinedSyms].filter(([s]) => s.startsWith('_napi_'));
    facts.napiLeftToLoader = napi.length;
    facts.napiLibraryOrdinals = [...new Set(napi.map(([, ord]) => ord))];
    if (!info.defined.has('_napi_register_module_v1')) facts.note = '_napi_register_module_v1 not found in the symbol table';
  }
  return { facts, problems };
}

function main(argv) {
  let target;
  let maxGlibc;
  let json = false;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--target') target = argv[++i];
    else if (a === '--max-glibc') maxGlibc = argv[++i];
    else if (a === '--json') json = true;
    else files.push(a);
  }
  if (files.length === 0) {
    console.error('usage: check-native-binary.mjs [--target <triple>] [--max-glibc 2.17] [--json] <file.node>...');
    return 2;
  }
  let bad = 0;
  for (const file of files) {
    const platform = /\.([a-z0-9_-]+)\.node$/.exec(basename(file))?.[1];
    const triple = target ?? PLATFORM_TO_TRIPLE[platform ?? ''];
    if (!triple) {
      console.error(`${file}: no --target and no known platform in the file name`);
      bad++;
      continue;
    }
    const { facts, problems } = checkNativeBinary(readFileSync(file), triple, maxGlibc ? { maxGlibc } : {});
    if (json) console.log(JSON.stringify({ file, ...facts, problems }));
    else {
      console.log(`${file}: ${JSON.stringify(facts)}`);
      for (const p of problems) console.log(`  problem: ${p}`);
      console.log(problems.length === 0 ? '  ok' : '  FAILED');
    }
    if (problems.length > 0) bad++;
  }
  return bad === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
