import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpMetrics } from '../metrics.ts';
import { metricsResponse } from './handlers/metrics.ts';

export interface MetricsListening {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A listener of its own for GET /metrics (`metrics.listen`, e.g. 127.0.0.1:9464), apart from the port users and
 * apps reach, so that a reverse proxy in front of the main port never publishes them. Answers nothing else.
 */
export async function listenMetrics(metrics: HttpMetrics, host: string, port: number): Promise<MetricsListening> {
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    void (async () => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only GET /metrics is served here.\n');
        return;
      }
      const answer = await metricsResponse(metrics);
      res.writeHead(200, Object.fromEntries(answer.headers)).end(req.method === 'HEAD' ? undefined : await answer.text());
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined, () => undefined),
  };
}
