// Shared pieces of the generated codecs: the input type, version checks and errors.
import type { Reader, TaggedField } from './reader.js';
import type { Writer } from './writer.js';
import type { RecordsChunks } from './records.js';

// What an encoder accepts: every field optional (absent means the schema default), recursively.
export type Input<T> = T extends Uint8Array | RecordsChunks
  ? T
  : T extends (infer U)[]
    ? Input<U>[]
    : T extends object
      ? { [K in keyof T]?: K extends 'unknownTaggedFields' ? T[K] : Input<T[K]> }
      : T;

export interface MessageCodec<T> {
  readonly name: string;
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly flexibleMinVersion: number; // -1 when never flexible
  isFlexible(v: number): boolean;
  hasVersion(v: number): boolean;
  encode(w: Writer, v: number, m: Input<T>): void;
  decode(r: Reader, v: number): T;
  defaults(): T;
}

export class UnsupportedVersionError extends Error {
  override name = 'UnsupportedVersionError';
}

export class DecodeError extends Error {
  override name = 'DecodeError';
}

export function checkVersion(name: string, v: number, mask: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 30 || (mask & (1 << v)) === 0) {
    throw new UnsupportedVersionError(`${name} has no version ${v}`);
  }
}

export function absentField(message: string, field: string, v: number): never {
  throw new UnsupportedVersionError(`${message}.${field} has a non-default value but does not exist in version ${v}`);
}

export function finishDecode<T>(name: string, r: Reader, value: T): T {
  if (r.error !== null) throw new DecodeError(`${name}: ${r.error}`);
  return value;
}

export const EMPTY = Buffer.alloc(0);

// Structural equality over decoded values (Buffers by content), used to decide whether a tagged
// struct differs from its default and by the round-trip tests.
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export type { TaggedField };
