// The definition model shared by broker and topic configs, and Kafka's value validation.
//
// Mirrors org.apache.kafka.common.config.ConfigDef: the same nine types, the same parsing rules
// (values are trimmed; numbers are plain integers without units; lists are comma separated with
// optional whitespace around the commas) and the same error wording, because users search for
// Kafka's messages:
//   Invalid value abc for configuration retention.ms: Not a number of type LONG
//   Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete
// Values are kept as strings (64-bit longs such as 9223372036854775807 do not fit a JS number);
// validateValue returns the canonical string Kafka would print for the parsed value.

export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';

// DescribeConfigs v3+ ConfigType codes (org.apache.kafka.clients.admin.ConfigEntry.ConfigType).
export const CONFIG_TYPE_CODES: Readonly<Record<ConfigType | 'unknown', number>> = {
  unknown: 0,
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

export function configTypeCode(type: ConfigType | undefined): number {
  return type === undefined ? 0 : CONFIG_TYPE_CODES[type];
}

export interface ConfigDef {
  name: string;
  type: ConfigType;
  // Kafka's default as Kafka prints it (lists comma separated); null when there is none.
  default: string | null;
  doc: string;
  // Accepted strings (for a list: accepted elements), compared case-sensitively like Kafka's
  // ValidString unless caseInsensitive is set.
  validValues?: readonly string[];
  caseInsensitive?: boolean;
  // Inclusive numeric bounds (Kafka's Range.atLeast / Range.between).
  min?: number;
  max?: number;
  // Further check on the canonical value: returns the reason it is invalid, or null.
  check?: (value: string) => string | null;
  sensitive?: boolean;
  // Static broker config: cannot be altered dynamically (AlterConfigs on a broker resource).
  readOnly?: boolean;
  // Dynamic only for one broker id, not the cluster-wide default resource ""
  // (DynamicBrokerConfig.PerBrokerConfigs: a listener's SSL and SASL settings).
  perBroker?: boolean;
  // Accepted for compatibility with Kafka's server.properties but has no effect in samsa.
  ignored?: boolean;
}

export type Validation = { ok: true; value: string } | { ok: false; error: string };

export function invalidValue(name: string, value: string, reason: string): string {
  return `Invalid value ${value} for configuration ${name}: ${reason}`;
}

const INTEGER = /^[+-]?\d+$/;
// Java's Double.parseDouble, minus hex floats: 1, -1.5, .5, 5., 1e-3, NaN, Infinity, 2.0d.
const DOUBLE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?$/;
const INT_RANGES: Record<'int' | 'short' | 'long', readonly [bigint, bigint]> = {
  short: [-(2n ** 15n), 2n ** 15n - 1n],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
};

// Kafka's list syntax: empty (after trimming) is the empty list, otherwise split on commas with
// surrounding whitespace; empty elements are kept (so "a,,b" has an empty second element).
export function parseList(value: string | null): string[] {
  if (value === null) return [];
  const trimmed = value.trim();
  return trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
}

// Double.toString as Java prints it: 0.5, 1.0, 1.0E7, 1.7976931348623157E308.
export function javaDoubleString(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') || s.includes('e') ? s : `${s}.0`;
  }
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

function checkRange(def: ConfigDef, value: number | bigint): string | null {
  const below = def.min !== undefined && (typeof value === 'bigint' && Number.isInteger(def.min) ? value < BigInt(def.min) : Number(value) < def.min);
  if (below) return `Value must be at least ${def.min}`;
  const above = def.max !== undefined && (typeof value === 'bigint' && Number.isInteger(def.max) ? value > BigInt(def.max) : Number(value) > def.max);
  if (above) return `Value must be no more than ${def.max}`;
  return null;
}

function checkString(def: ConfigDef, value: string): { value: string } | { error: string } {
  if (!def.validValues) return { value };
  if (def.caseInsensitive) {
    const hit = def.validValues.find((v) => v.toLowerCase() === value.toLowerCase());
    return hit !== undefined ? { value: hit } : { error: `String must be one of (case insensitive): ${def.validValues.join(', ')}` };
  }
  return def.validValues.includes(value) ? { value } : { error: `String must be one of: ${def.validValues.join(', ')}` };
}

// Parses and validates one raw value the way Kafka's ConfigDef.parseValue + validator would.
export function validateValue(def: ConfigDef, raw: string): Validation {
  const fail = (reason: string, shown: string = raw): Validation => ({ ok: false, error: invalidValue(def.name, shown, reason) });
  const trimmed = raw.trim();
  let value: string;
  switch (def.type) {
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (lower !== 'true' && lower !== 'false') return fail('Expected value to be either true or false');
      value = lower;
      break;
    }
    case 'short':
    case 'int':
    case 'long': {
      const [lo, hi] = INT_RANGES[def.type];
      const n = INTEGER.test(trimmed) ? BigInt(trimmed) : null;
      if (n === null || n < lo || n > hi) return fail(`Not a number of type ${def.type.toUpperCase()}`);
      const reason = checkRange(def, n);
      if (reason) return fail(reason);
      value = n.toString();
      break;
    }
    case 'double': {
      if (!DOUBLE.test(trimmed)) return fail('Not a number of type DOUBLE');
      const n = Number(trimmed.replace(/[fFdD]$/, ''));
      const reason = checkRange(def, n);
      if (reason) return fail(reason);
      value = javaDoubleString(n);
      break;
    }
    case 'list': {
      const items = parseList(trimmed);
      const out: string[] = [];
      for (const item of items) {
        const r = checkString(def, item);
        if ('error' in r) return fail(r.error, item);
        out.push(r.value);
      }
      value = out.join(',');
      break;
    }
    case 'string':
    case 'password':
    case 'class': {
      const r = checkString(def, trimmed);
      if ('error' in r) return fail(r.error);
      value = r.value;
      break;
    }
  }
  if (def.check) {
    const reason = def.check(value);
    if (reason !== null) return fail(reason);
  }
  return { ok: true, value };
}

// Kafka's documentation column "Valid Values": [1,...], [0,...,1], [compact, delete].
export function describeValidValues(def: ConfigDef): string {
  if (def.validValues) return `${def.caseInsensitive ? '(case insensitive) ' : ''}[${def.validValues.join(', ')}]`;
  if (def.min !== undefined && def.max !== undefined) return `[${def.min},...,${def.max}]`;
  if (def.min !== undefined) return `[${def.min},...]`;
  if (def.max !== undefined) return `[...,${def.max}]`;
  return '';
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

// The closest known name within edit distance 2, for "did you mean" hints; first wins a tie.
export function suggestName(name: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of known) {
    if (Math.abs(candidate.length - name.length) >= bestDistance) continue;
    const dist = editDistance(name, candidate);
    if (dist < bestDistance) {
      best = candidate;
      bestDistance = dist;
    }
  }
  return best;
}
