// Kafka's listener syntax: `listeners=PLAINTEXT://host:port,CONTROLLER://:9093` and
// `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT`.
//
// Parsed like SocketServerConfigs.listenerListToEndPoints: the name is everything before "://"
// (normalised to upper case), the host may be empty (bind to all interfaces), a name, an IPv4
// address or a bracketed IPv6 address ([::1] gives host "::1"), and the port is an integer;
// samsa also checks it is 0..65535 (0: any free port).

export interface ListenerSpec {
  name: string;
  host: string;
  port: number;
}

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;

// Kafka's default listener.security.protocol.map: each protocol is also a listener name.
export const DEFAULT_SECURITY_PROTOCOL_MAP = 'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT';

const ENDPOINT = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/;

function csv(value: string): string[] {
  const trimmed = value.trim();
  return trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim());
}

// Parses a listener list, or returns the reason it cannot be parsed.
export function parseListenerList(value: string): ListenerSpec[] | string {
  const out: ListenerSpec[] = [];
  for (const entry of csv(value)) {
    const m = ENDPOINT.exec(entry);
    if (!m || m[1] === '') return `Unable to parse ${entry} to a broker endpoint; expected NAME://host:port, e.g. PLAINTEXT://127.0.0.1:9092`;
    const port = Number(m[3]);
    if (port < 0 || port > 65535) return `Port ${m[3]} in ${entry} is out of range: it must be between 0 and 65535 (0 picks any free port)`;
    out.push({ name: m[1]!.toUpperCase(), host: m[2]!, port });
  }
  return out;
}

export function checkListenerList(value: string): string | null {
  const parsed = parseListenerList(value);
  if (typeof parsed === 'string') return parsed;
  const seen = new Set<string>();
  for (const l of parsed) {
    if (seen.has(l.name)) return `Each listener must have a different name, but ${l.name} appears more than once`;
    seen.add(l.name);
  }
  return null;
}

// Parses NAME:PROTOCOL pairs (names upper-cased), or returns the reason they are invalid.
export function parseSecurityProtocolMap(value: string): Map<string, string> | string {
  const map = new Map<string, string>();
  for (const entry of csv(value)) {
    const colon = entry.indexOf(':');
    const name = colon < 0 ? '' : entry.slice(0, colon).trim().toUpperCase();
    const protocol =
      colon < 0
        ? ''
        : entry
            .slice(colon + 1)
            .trim()
            .toUpperCase();
    if (name === '' || protocol === '') return `Entry ${entry} is not of the form LISTENER_NAME:SECURITY_PROTOCOL`;
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol)) {
      return `Unknown security protocol ${protocol} for listener ${name}; valid protocols are: ${SECURITY_PROTOCOLS.join(', ')}`;
    }
    if (map.has(name)) return `Listener ${name} appears more than once`;
    map.set(name, protocol);
  }
  return map;
}

export function checkSecurityProtocolMap(value: string): string | null {
  const parsed = parseSecurityProtocolMap(value);
  return typeof parsed === 'string' ? parsed : null;
}

export function formatListener(l: ListenerSpec): string {
  return `${l.name}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`;
}

// `samsa start --host/--port` (BrokerOptions host/port) over a server.properties: the flags move
// the first client listener and leave every other entry (a KRaft file's CONTROLLER://:9093)
// where it is. If advertised.listeners names that listener, its entry follows the flags too,
// so what clients are told still reaches the broker: port 0 there means "the port bound", and
// a wildcard --host advertises the address each client connected to (an empty host).
export function applyListenerFlags(
  listeners: string,
  advertised: string | null,
  controllerNames: ReadonlySet<string>,
  flags: { host?: string; port?: number },
): { listeners: string; advertised: string | null } {
  const parsed = parseListenerList(listeners);
  const fallback = { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 };
  const list = typeof parsed === 'string' ? [fallback] : [...parsed];
  let idx = list.findIndex((l) => !controllerNames.has(l.name));
  if (idx < 0) idx = list.push(fallback) - 1;
  const target = list[idx]!;
  list[idx] = { name: target.name, host: flags.host ?? target.host, port: flags.port ?? target.port };
  if (advertised === null) return { listeners: list.map(formatListener).join(','), advertised: null };
  const adv = parseListenerList(advertised);
  if (typeof adv === 'string') return { listeners: list.map(formatListener).join(','), advertised };
  const wildcard = (h: string) => h === '' || h === '0.0.0.0' || h === '::';
  const moved = adv.map((a) =>
    a.name !== target.name
      ? a
      : { name: a.name, host: flags.host === undefined ? a.host : wildcard(flags.host) ? '' : flags.host, port: flags.port === undefined ? a.port : 0 },
  );
  return { listeners: list.map(formatListener).join(','), advertised: moved.map(formatListener).join(',') };
}

// Listeners samsa would serve in plaintext although their security protocol promises TLS or
// SASL (KafkaConfig maps each listener name to one through listener.security.protocol.map).
// Until samsa speaks TLS and SASL it refuses to start with them rather than serve them unsecured.
export function unsupportedSecurity(listeners: ReadonlyArray<{ name: string; securityProtocol: string }>): string | null {
  const bad = listeners.filter((l) => l.securityProtocol !== 'PLAINTEXT');
  if (bad.length === 0) return null;
  const which = bad.map((l) => (l.name === l.securityProtocol ? l.name : `${l.name} (${l.securityProtocol})`)).join(', ');
  return `listener ${which}: samsa supports only PLAINTEXT listeners (no TLS or SASL yet) and will not serve a secure listener unsecured`;
}
