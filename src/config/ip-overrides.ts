// max.connections.per.ip.overrides, parsed where the config is checked and where the network
// applies it.
// Parses max.connections.per.ip.overrides: comma-separated host:count (the count after the last
// colon, so an IPv6 literal may be written bare or in brackets). Returns the reason it is invalid.
export function parseIpOverrides(value: string): Map<string, number> | string {
  const out = new Map<string, number>();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const at = entry.lastIndexOf(':');
    const host = entry
      .slice(0, at)
      .trim()
      .replace(/^\[(.*)\]$/, '$1');
    const count = entry.slice(at + 1).trim();
    if (at <= 0 || host === '' || !/^\d+$/.test(count) || Number(count) > 2147483647) {
      return `"${entry}" is not host:count with a count from 0 to 2147483647`;
    }
    out.set(host.toLowerCase(), Number(count));
  }
  return out;
}

export function checkIpOverrides(value: string): string | null {
  const r = parseIpOverrides(value);
  return typeof r === 'string' ? r : null;
}
