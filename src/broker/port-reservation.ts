// Binds every client listener's address before start-up reads the data directory, so a port in
// use fails start-up before any log is opened (and the clean-shutdown marker stays as it was).
// The reservations accept nothing: they are released just before the real listeners bind, once
// the logs are loaded. Port 0 needs no reservation (any free port will do).
import { createServer, type Server } from 'node:net';
import { SamsaError, SamsaErrorCode } from '../errors.js';

export interface Reservation {
  release(): Promise<void>;
}

export async function reservePorts(listeners: ReadonlyArray<{ host: string; port: number }>): Promise<Reservation> {
  const servers: Server[] = [];
  const release = () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined);
  try {
    for (const l of listeners) {
      if (l.port === 0) continue;
      const server = createServer({ pauseOnConnect: true }, (socket) => socket.destroy());
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'EADDRINUSE') reject(new SamsaError(SamsaErrorCode.PORT_IN_USE, `port ${l.port} is in use on ${l.host || 'all interfaces'}; pass --port 0 for any free port`));
          else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new SamsaError(SamsaErrorCode.INVALID_CONFIG, `cannot listen on ${l.host}:${l.port} (${err.code}): check the host in 'listeners'`));
          else if (err.code === 'EACCES') reject(new SamsaError(SamsaErrorCode.INVALID_CONFIG, `no permission to listen on port ${l.port} (ports below 1024 need privileges)`));
          else reject(err);
        });
        server.listen({ host: l.host || undefined, port: l.port }, () => resolve());
      });
      servers.push(server);
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { release };
}
