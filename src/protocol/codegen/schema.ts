// Reads Kafka's JSON message schemas and merges two releases into one model per message, following
// samsa's version policy (docs/ARCHITECTURE.md, "How to add an API"): serve the union of both releases' ranges, the newer
// release's definition wherever it covers a version and the older one's only below its floor,
// minus unstable versions and minus Produce < 3 / Fetch < 4 (the legacy v0/v1 message format).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseVersions, highest, lowest, rangeMask, bit, type VersionMask } from './versions.js';

export interface RawField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  flexibleVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  ignorable?: boolean;
  about?: string;
  fields?: RawField[];
}

export interface RawMessage {
  apiKey?: number;
  type: 'request' | 'response' | 'header' | 'data';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  latestVersionUnstable?: boolean;
  fields: RawField[];
  commonStructs?: Array<{ name: string; versions: string; fields: RawField[] }>;
}

export interface Field {
  name: string;
  type: string; // as in the schema: 'int32', '[]int32', 'Foo', '[]Foo'
  versions: VersionMask;
  nullable: VersionMask;
  tagged: VersionMask;
  // Versions where this string/bytes field uses compact encoding (field-level flexibleVersions,
  // e.g. RequestHeader.ClientId which is never compact).
  flexible: VersionMask | null;
  tag?: number;
  default?: string;
  ignorable: boolean;
  about?: string;
  fields?: Field[]; // for struct and []struct types
}

export interface Message {
  name: string;
  apiKey?: number;
  type: 'request' | 'response' | 'header' | 'data';
  served: VersionMask;
  flexible: VersionMask;
  fields: Field[];
  // Named structs (inline and common), resolved by type name.
  structs: Map<string, Field[]>;
  sources: string[];
}

export function loadJson(path: string): RawMessage {
  // The schemas carry // comments (license header, version notes); strip whole-line comments
  // and trailing ones outside strings.
  const text = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => stripComment(line))
    .join('\n');
  return JSON.parse(text) as RawMessage;
}

function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inString) {
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    else if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

function stableRange(raw: RawMessage): VersionMask {
  if (raw.validVersions === 'none') return 0;
  const all = parseVersions(raw.validVersions, 30);
  if (!raw.latestVersionUnstable) return all;
  return all & ~bit(highest(all));
}

// Versions that need the legacy v0/v1 message format are not served (docs/ARCHITECTURE.md, "How to add an API").
const LEGACY_FLOOR: Record<string, number> = { ProduceRequest: 3, ProduceResponse: 3, FetchRequest: 4, FetchResponse: 4 };

export function isStructType(type: string): boolean {
  const t = type.startsWith('[]') ? type.slice(2) : type;
  return /^[A-Z]/.test(t);
}

export function elementType(type: string): string {
  return type.startsWith('[]') ? type.slice(2) : type;
}

function convertFields(raw: RawField[] | undefined, part: VersionMask, max: number): Field[] {
  return (raw ?? []).map((f) => ({
    name: f.name,
    type: f.type,
    versions: parseVersions(f.versions, max) & part,
    nullable: parseVersions(f.nullableVersions, max) & part,
    tagged: parseVersions(f.taggedVersions, max) & part,
    flexible: f.flexibleVersions === undefined ? null : parseVersions(f.flexibleVersions, max) & part,
    tag: f.tag,
    default: f.default === undefined ? undefined : String(f.default),
    ignorable: f.ignorable === true,
    about: f.about,
    fields: f.fields ? convertFields(f.fields, part, max) : undefined,
  }));
}

// Merges the field list of the newer release (`a`) with the older one's (`b`), keeping wire
// order: fields only the older release has are placed after the field that precedes them there.
function mergeFields(a: Field[], b: Field[]): Field[] {
  const out: Field[] = a.map((f) => ({ ...f }));
  let insertAt = 0;
  for (const old of b) {
    const idx = out.findIndex((f) => f.name === old.name);
    if (idx >= 0) {
      const f = out[idx]!;
      if (elementType(f.type) !== elementType(old.type) && old.versions !== 0 && f.versions !== 0) {
        throw new Error(`field ${f.name} changed type between releases: ${old.type} -> ${f.type}`);
      }
      f.versions |= old.versions;
      f.nullable |= old.nullable;
      f.tagged |= old.tagged;
      if (f.flexible !== null || old.flexible !== null) f.flexible = (f.flexible ?? 0) | (old.flexible ?? 0);
      if (f.fields || old.fields) f.fields = mergeFields(f.fields ?? [], old.fields ?? []);
      insertAt = idx + 1;
    } else {
      out.splice(insertAt, 0, { ...old });
      insertAt++;
    }
  }
  return out.filter((f) => f.versions !== 0);
}

function collectStructs(fields: Field[], into: Map<string, Field[]>): void {
  for (const f of fields) {
    if (f.fields) {
      const name = elementType(f.type);
      const prev = into.get(name);
      into.set(name, prev ? mergeFields(prev, f.fields) : f.fields);
      collectStructs(f.fields, into);
    }
  }
}

// Builds the merged model of one message from the newer (`newer`) and older (`older`) schema.
export function mergeMessage(newer: RawMessage | undefined, older: RawMessage | undefined): Message | null {
  const base = newer ?? older!;
  const newRange = newer ? stableRange(newer) : 0;
  const oldRangeAll = older ? stableRange(older) : 0;
  const floor = newRange === 0 ? 31 : lowest(newRange);
  const legacy = LEGACY_FLOOR[base.name] ?? 0;
  const keep = legacy > 0 ? ~rangeMask(0, legacy - 1) : ~0;
  const newPart = newRange & keep;
  const oldPart = (floor > 30 ? oldRangeAll : oldRangeAll & rangeMask(0, floor - 1)) & keep;
  const served = newPart | oldPart;
  if (served === 0) return null;

  const newMax = newer ? highest(parseVersions(newer.validVersions === 'none' ? undefined : newer.validVersions, 30)) : 0;
  const oldMax = older ? highest(parseVersions(older.validVersions === 'none' ? undefined : older.validVersions, 30)) : 0;
  const fa = newer && newPart ? convertFields(newer.fields, newPart, newMax) : [];
  const fb = older && oldPart ? convertFields(older.fields, oldPart, oldMax) : [];
  const fields = mergeFields(fa, fb);

  const structs = new Map<string, Field[]>();
  for (const [raw, part, max] of [
    [newer, newPart, newMax],
    [older, oldPart, oldMax],
  ] as const) {
    if (!raw || !part) continue;
    for (const cs of raw.commonStructs ?? []) {
      const converted = convertFields(cs.fields, part, max);
      const prev = structs.get(cs.name);
      structs.set(cs.name, prev ? mergeFields(prev, converted) : converted);
    }
  }
  collectStructs(fields, structs);

  const flexible =
    (newer ? parseVersions(newer.flexibleVersions, newMax) & newPart : 0) | (older ? parseVersions(older.flexibleVersions, oldMax) & oldPart : 0);

  return {
    name: base.name,
    apiKey: base.apiKey,
    type: base.type,
    served,
    flexible,
    fields,
    structs,
    sources: [newer && newPart ? 'newer' : '', older && oldPart ? 'older' : ''].filter(Boolean),
  };
}

// Loads every request/response/header schema from the given folders (newest release first).
export function loadMessages(dirs: string[]): Message[] {
  if (dirs.length < 1 || dirs.length > 2) throw new Error('give one or two schema folders, newest release first');
  const [newDir, oldDir] = dirs as [string, string | undefined];
  const names = new Set<string>();
  for (const d of dirs) {
    if (!existsSync(d)) throw new Error(`schema folder ${d} does not exist`);
    for (const f of readdirSync(d)) if (f.endsWith('.json')) names.add(f);
  }
  const out: Message[] = [];
  for (const file of [...names].sort()) {
    const newer = existsSync(join(newDir, file)) ? loadJson(join(newDir, file)) : undefined;
    const older = oldDir && existsSync(join(oldDir, file)) ? loadJson(join(oldDir, file)) : undefined;
    const kind = (newer ?? older)!.type;
    if (kind !== 'request' && kind !== 'response' && kind !== 'header') continue;
    const m = mergeMessage(newer, older);
    if (m) out.push(m);
  }
  return out;
}
