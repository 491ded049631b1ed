import type { H3 } from 'h3';
import { createHttpMetrics, createServer, listen, type Listening, type ReadyReport } from '../server/index.ts';
import type { Authflow } from './open.ts';

export interface Serving {
  readonly url: string;
  readonly port: number;
  /** Drains in-flight requests, then closes the listener and the database. */
  stop(): Promise<void>;
}

/** Builds the HTTP application for an opened Authflow (no listening: tests call `fetch`). */
export function buildHttpApp(af: Authflow, lifecycle = { draining: false }): H3 {
  return createServer({
    logger: af.logger,
    metrics: createHttpMetrics(),
    readiness: () => readiness(af),
    lifecycle,
    trustProxy: af.config.trustProxy,
  });
}

async function readiness(af: Authflow): Promise<ReadyReport> {
  try {
    await af.database.ping();
  } catch (e) {
    return { ready: false, checks: { database: { ok: false, detail: (e as Error).message } } };
  }
  const m = await af.database.migrationStatus();
  const current = m.pending.length === 0 && m.unknown.length === 0;
  const detail = m.pending.length ? `${m.pending.length} pending` : m.unknown.length ? `database is newer than this build (${m.unknown.join(', ')})` : undefined;
  return { ready: current, checks: { database: { ok: true }, migrations: { ok: current, ...(detail ? { detail } : {}) } } };
}

/** Listens on the configured host and port; resolves once the socket is bound. */
export async function startServer(af: Authflow, overrides: { host?: string; port?: number } = {}): Promise<Serving> {
  const lifecycle = { draining: false };
  const app = buildHttpApp(af, lifecycle);
  const listening: Listening = await listen(app, overrides.host ?? af.config.host, overrides.port ?? af.config.port);
  let stopping: Promise<void> | undefined;
  return {
    url: listening.url,
    port: listening.port,
    stop() {
      stopping ??= (async () => {
        lifecycle.draining = true;
        await listening.close(af.config.shutdownTimeoutMs);
        await af.close();
        af.logger.flush?.();
      })();
      return stopping;
    },
  };
}
