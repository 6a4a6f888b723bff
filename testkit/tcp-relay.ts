// A TCP relay in front of the real PostgreSQL that a test can cut and restore on the same port: a database "away" without stopping it.
import net from 'node:net';

export interface TcpRelay {
  start(): Promise<void>;
  /** Closes the port and destroys every relayed connection. */
  stop(): Promise<void>;
}

/** Relays 127.0.0.1:`port` to the host and port of `databaseUrl`. */
export function tcpRelay(port: number, databaseUrl: string): TcpRelay {
  let server: net.Server | null = null;
  const sockets = new Set<net.Socket>();
  return {
    start: () =>
      new Promise((resolve, reject) => {
        const target = new URL(databaseUrl);
        server = net.createServer((client) => {
          const upstream = net.connect(Number(target.port || 5432), target.hostname);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on('close', () => sockets.delete(s));
            s.on('error', () => [client, upstream].forEach((x) => x.destroy()));
          }
          client.pipe(upstream).pipe(client);
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        if (server) server.close(() => resolve());
        else resolve();
        server = null;
      }),
  };
}

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  return port;
}
