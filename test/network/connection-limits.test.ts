// max.connections, max.connections.per.ip and its overrides, as Kafka's ConnectionQuotas: over
// the per-IP limit a connection is closed at once with a log line; at max.connections a new one
// waits, unanswered, until another closes. The limits are dynamic (IncrementalAlterConfigs).
// Real broker, real sockets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { createLogger } from '../../src/log.js';
import { ClientConnection } from '../../src/client/connection.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { ApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js';
import { IncrementalAlterConfigsRequest } from '../../src/protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../src/protocol/generated/incremental-alter-configs-response.js';
import { rawConnect, until } from './raw.js';

const BROKER = 4;
const SET = 0;

function capture(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

async function served(c: ClientConnection): Promise<void> {
  const res = await c.send(MetadataRequest, MetadataResponse, 12, { topics: null });
  assert.is(res.brokers.length, 1);
}

async function client(broker: Broker): Promise<ClientConnection> {
  const c = await ClientConnection.connect('127.0.0.1', broker.port);
  await c.negotiate();
  return c;
}

// Connects and resolves true if the broker closes the connection before answering ApiVersions.
async function refused(broker: Broker): Promise<boolean> {
  const c = await ClientConnection.connect('127.0.0.1', broker.port);
  try {
    await c.send(ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 't', clientSoftwareVersion: '0' });
    return false;
  } catch {
    return true;
  } finally {
    c.close();
  }
}

async function alter(c: ClientConnection, configs: Record<string, string>): Promise<void> {
  const res = await c.send(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
    validateOnly: false,
    resources: [{ resourceType: BROKER, resourceName: '', configs: Object.entries(configs).map(([name, value]) => ({ name, configOperation: SET, value })) }],
  });
  assert.is(res.responses[0]!.errorCode, 0, res.responses[0]!.errorMessage ?? '');
}

test('max.connections.per.ip: the connection over the limit is closed at once and logged', async () => {
  const { lines, logger } = capture();
  const broker = await startBroker({ port: 0, logger, config: { 'max.connections.per.ip': 2 } });
  try {
    const a = await client(broker);
    const b = await client(broker);
    assert.ok(await refused(broker), 'a third connection from 127.0.0.1 is closed');
    assert.ok(lines.some((l) => l.includes('Rejected connection from 127.0.0.1, address already has the configured maximum of 2 connections.')));
    await served(a);
    await served(b);
    b.close();
    const c = await until('a connection to be accepted again', async () => {
      const x = await ClientConnection.connect('127.0.0.1', broker.port);
      try {
        await x.negotiate();
        return x;
      } catch {
        x.close();
        return undefined;
      }
    });
    await served(c);
    a.close();
    c.close();
  } finally {
    await broker.close();
  }
});

test('max.connections.per.ip.overrides: an address gets its own limit', async () => {
  const broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'max.connections.per.ip.overrides': '127.0.0.1:1' } });
  try {
    const a = await client(broker);
    assert.ok(await refused(broker), 'a second connection from 127.0.0.1 is closed');
    await served(a);
    a.close();
  } finally {
    await broker.close();
  }
});

test('max.connections: a new connection waits, unanswered, until one closes', async () => {
  const { lines, logger } = capture();
  const broker = await startBroker({ port: 0, logger, config: { 'max.connections': 2 } });
  try {
    const a = await client(broker);
    const b = await client(broker);
    const waiting = await ClientConnection.connect('127.0.0.1', broker.port);
    let answered = false;
    const reply = waiting.send(ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 't', clientSoftwareVersion: '0' }).then((r) => {
      answered = true;
      return r;
    });
    await until('the broker to say it waits', () => (lines.some((l) => l.includes('max.connections reached')) ? true : undefined));
    // Requests sent after the waiting one's are answered; its own is not.
    await served(a);
    await served(b);
    assert.not.ok(answered, 'the third connection is not served while two are open');
    assert.not.ok(waiting.closed, 'nor closed: it waits');
    b.close();
    const r = await reply;
    assert.is(r.errorCode, 0);
    await served(waiting);
    await served(a);
    a.close();
    waiting.close();
  } finally {
    await broker.close();
  }
});

test('the limits are dynamic: IncrementalAlterConfigs applies them without a restart', async () => {
  const broker = await startBroker({ port: 0, logLevel: 'silent' });
  try {
    const admin = await client(broker);
    const other = await client(broker);
    await alter(admin, { 'max.connections.per.ip': '2' });
    assert.ok(await refused(broker), 'a third connection is closed after the change');
    await alter(admin, { 'max.connections.per.ip': '10' });
    const third = await client(broker);
    await served(third);
    // Lowering max.connections makes new ones wait; raising it lets the waiting one in.
    await alter(admin, { 'max.connections': '3' });
    const waiting = await rawConnect(broker.port);
    const w = await ClientConnection.connect('127.0.0.1', broker.port);
    const reply = w.send(ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 't', clientSoftwareVersion: '0' });
    await served(other);
    await alter(admin, { 'max.connections': '10' });
    assert.is((await reply).errorCode, 0);
    waiting.destroy();
    for (const c of [admin, other, third, w]) c.close();
  } finally {
    await broker.close();
  }
});

test.run();
