// A reader for Java .properties files (server.properties), following java.util.Properties.load:
//
// - Natural lines end at \n, \r or \r\n. A line whose first non-blank character is # or ! is a
//   comment; blank lines are skipped; leading spaces, tabs and form feeds are skipped.
// - A line ending in an odd number of backslashes continues on the next line, whose leading
//   blanks are dropped (an even number is escaped backslashes, not a continuation). Comment
//   lines never continue.
// - The key ends at the first unescaped '=', ':' or blank. Blanks around the separator are
//   skipped, and one '=' or ':' after blanks is still the separator ("key = value", "key: value",
//   "key value"). The rest of the line, trailing blanks included, is the value.
// - Escapes in keys and values: \t \n \r \f, \uXXXX, and a backslash before any other character
//   stands for that character (\= \: \# \! \\ and "\ " for a space).
// - A key given twice keeps the later value; the Map keeps the order keys first appeared in.
//
// Unlike Properties.load(InputStream), which reads ISO-8859-1, the text is taken as already
// decoded (samsa reads files as UTF-8, which is what people write today).

export class PropertiesSyntaxError extends Error {
  override name = 'PropertiesSyntaxError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const BLANK = new Set([' ', '\t', '\f']);

function skipBlanks(s: string, from: number): number {
  let i = from;
  while (i < s.length && BLANK.has(s[i]!)) i++;
  return i;
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function unescape(s: string, line: number): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = s[++i];
    if (next === undefined) break; // a lone trailing backslash (continuation at end of input)
    if (next === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PropertiesSyntaxError(`Malformed \\uxxxx encoding on line ${line}`, line);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else if (next === 't') out += '\t';
    else if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    else if (next === 'f') out += '\f';
    else out += next;
  }
  return out;
}

// Splits one logical line into its raw (still escaped) key and value.
function splitKeyValue(line: string): [string, string] {
  let keyEnd = 0;
  let valueStart = line.length;
  let hasSeparator = false;
  let escaped = false;
  while (keyEnd < line.length) {
    const c = line[keyEnd]!;
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && BLANK.has(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
    keyEnd++;
  }
  while (valueStart < line.length) {
    const c = line[valueStart]!;
    if (!BLANK.has(c)) {
      if (!hasSeparator && (c === '=' || c === ':')) hasSeparator = true;
      else break;
    }
    valueStart++;
  }
  return [line.slice(0, keyEnd), line.slice(valueStart)];
}

export interface PropertyEntry {
  key: string;
  value: string;
  // 1-based number of the natural line the entry starts on.
  line: number;
}

// Every key=value in file order, duplicates included (for messages that name a line).
export function parsePropertyEntries(text: string): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!;
    const start = skipBlanks(first, 0);
    if (start === first.length) continue;
    if (first[start] === '#' || first[start] === '!') continue;
    const lineNumber = i + 1;
    let logical = first.slice(start);
    while (endsWithOddBackslashes(logical) && i + 1 < lines.length) {
      const next = lines[++i]!;
      logical = logical.slice(0, -1) + next.slice(skipBlanks(next, 0));
    }
    const [rawKey, rawValue] = splitKeyValue(logical);
    entries.push({ key: unescape(rawKey, lineNumber), value: unescape(rawValue, lineNumber), line: lineNumber });
  }
  return entries;
}

export function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of parsePropertyEntries(text)) map.set(e.key, e.value);
  return map;
}
