// One admin session for a `samsa topics` command: connects to the first reachable bootstrap
// address, negotiates versions (ApiVersions), and sends requests at the highest version both
// sides speak, each bounded by --timeout-ms. Nothing here assumes the broker is samsa.
import { ClientConnection } from '../../client/connection.js';
import { MetadataRequest } from '../../protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../protocol/generated/metadata-response.js';
import type { Input, MessageCodec } from '../../protocol/primitives/index.js';
import { ErrorCode, errorInfo } from '../../errors.js';
import { CliError, formatAddress, type Address, type Common } from './options.js';

const CLIENT_ID = 'samsa-cli';

function apiName(codec: MessageCodec<unknown>): string {
  return codec.name.replace(/Request$/, '');
}

/** `ERROR_NAME: message`, the message from the broker when it sent one. */
export function describeError(code: number, message?: string | null): string {
  const info = errorInfo(code);
  return `${info.name}: ${message || info.message}`;
}

export class Admin {
  private constructor(
    private conn: ClientConnection,
    private address: Address,
    readonly timeoutMs: number,
  ) {}

  static async connect(opts: Common): Promise<Admin> {
    const failures: string[] = [];
    for (const address of opts.bootstrap) {
      try {
        return new Admin(await Admin.open(address, opts.timeoutMs), address, opts.timeoutMs);
      } catch (err) {
        // ClientConnection names the address as host:port; bracket an IPv6 host.
        failures.push((err as Error).message.replace(`${address.host}:${address.port}`, formatAddress(address)));
      }
    }
    if (failures.length === 1) throw new CliError(failures[0]!);
    throw new CliError(`cannot connect to any bootstrap server: ${failures.join('; ')}`);
  }

  private static async open(address: Address, timeoutMs: number): Promise<ClientConnection> {
    const conn = await ClientConnection.connect(address.host, address.port, { clientId: CLIENT_ID, timeoutMs });
    try {
      await bounded(conn.negotiate(), timeoutMs, () => {
        conn.close();
        return `ApiVersions to ${formatAddress(address)} timed out after ${timeoutMs} ms`;
      });
    } catch (err) {
      conn.close();
      if (err instanceof CliError) throw err;
      throw new CliError(`${formatAddress(address)} did not answer ApiVersions: ${(err as Error).message} (is it a Kafka broker?)`);
    }
    return conn;
  }

  /** The version `send` would use, or throws CliError when the broker does not serve the API. */
  version(request: MessageCodec<unknown>, max?: number): number {
    try {
      return this.conn.pick(request, max);
    } catch (err) {
      throw new CliError(`${(err as Error).message} (broker ${formatAddress(this.address)})`);
    }
  }

  /** Sends one request at the highest common version; `body` may depend on that version. */
  async send<Req, Res>(
    request: MessageCodec<Req>,
    response: MessageCodec<Res>,
    body: (version: number) => Input<Req>,
    max?: number,
  ): Promise<{ res: Res; version: number }> {
    const version = this.version(request as MessageCodec<unknown>, max);
    const what = `${apiName(request as MessageCodec<unknown>)} v${version} to ${formatAddress(this.address)}`;
    try {
      const res = await bounded(this.conn.send(request, response, version, body(version)), this.timeoutMs, () => {
        this.conn.close();
        return `${what} timed out after ${this.timeoutMs} ms`;
      });
      return { res, version };
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`${what} failed: ${(err as Error).message}`);
    }
  }

  /**
   * Sends a request that a ZooKeeper-mode Kafka broker accepts only on the controller
   * (CreateTopics, DeleteTopics): if the answer says NOT_CONTROLLER, finds the controller through
   * Metadata, moves the session there and sends once more. KRaft brokers and samsa forward or
   * answer themselves, so the first answer is normally the last.
   */
  async sendToController<Req, Res>(
    request: MessageCodec<Req>,
    response: MessageCodec<Res>,
    body: (version: number) => Input<Req>,
    notController: (res: Res) => boolean,
  ): Promise<{ res: Res; version: number }> {
    const first = await this.send(request, response, body);
    if (!notController(first.res)) return first;
    await this.moveToController();
    return this.send(request, response, body);
  }

  private async moveToController(): Promise<void> {
    const { res } = await this.send(MetadataRequest, MetadataResponse, (v) => (v >= 4 ? { topics: [], allowAutoTopicCreation: false } : { topics: [] }));
    const controller = res.brokers.find((b) => b.nodeId === res.controllerId);
    if (!controller)
      throw new CliError(
        `the broker answered ${errorInfo(ErrorCode.NOT_CONTROLLER).name} but names no reachable controller (controller id ${res.controllerId})`,
      );
    const address = { host: controller.host, port: controller.port };
    const conn = await Admin.open(address, this.timeoutMs).catch((err: Error) => {
      throw new CliError(`${err.message} (the controller, node ${controller.nodeId})`);
    });
    this.conn.close();
    this.conn = conn;
    this.address = address;
  }

  close(): void {
    this.conn.close();
  }
}

/** Runs `fn` with a connected Admin and always closes it, so the process can exit. */
export async function withAdmin<T>(opts: Common, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = await Admin.connect(opts);
  try {
    return await fn(admin);
  } finally {
    admin.close();
  }
}

function bounded<T>(p: Promise<T>, ms: number, onTimeout: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(onTimeout())), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
