import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { H3 } from 'h3';
import { frontDoor } from './front.ts';

export interface Listening {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish (up to `timeoutMs`), then closes what is left. */
  close(timeoutMs: number): Promise<void>;
}

/** Serves the app over node:http on host:port (port 0 picks a free one). */
export async function listen(app: H3, host: string, port: number): Promise<Listening> {
  const server: Server = createHttpServer({ keepAliveTimeout: 5000, requestTimeout: 30_000, headersTimeout: 10_000 }, frontDoor(app));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing = false;
  // While draining, every answer closes its connection, so keep-alive clients
  // do not hold the process open until their idle timeout.
  server.on('request', (_req, res) => {
    if (!closing) return;
    res.shouldKeepAlive = false;
    res.once('finish', () => server.closeIdleConnections());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close(timeoutMs) {
      closing = true;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
