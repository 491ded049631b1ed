import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { H3 } from 'h3';
import { buildHttpApp, createLogger, initialize, openAuthflow, startMailDelivery, type Authflow, type MailDelivery } from '../../src/app/index.ts';
import { loadConfig, MASTER_KEY_FILE_NAME, type Config } from '../../src/config/index.ts';
import { generateMasterKey } from '../../src/crypto/index.ts';
import { listen, type Listening } from '../../src/server/index.ts';
import { TEST_ENV, TextSink } from './cli.ts';
import { createPgDatabase, PG_URL, tempDir } from './db.ts';

/**
 * How a test reaches the app, as in h3's own test setup: straight through
 * `app.fetch` (no sockets), and over a real node:http server on port 0.
 */
export const TRANSPORTS = ['in-process', 'node:http'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** SQLite always; Postgres too when AUTHFLOW_TEST_DATABASE_URL is set. */
export const DATABASES: readonly ('sqlite' | 'postgres')[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** Structured log lines written by the app's logger (pino JSON, one per line). */
export class LogSink extends TextSink {
  records(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export interface TestAuthflowOptions {
  readonly database?: 'sqlite' | 'postgres';
  /** Run `authflow init` first (default). Otherwise the data dir holds only a master key. */
  readonly initialized?: boolean;
  /** Passed to openAuthflow (default true). */
  readonly migrate?: boolean;
  /**
   * Deliver mail to this SMTP server (e.g. `await startSmtpSink()` from ./smtp.ts):
   * configures `smtp` (plaintext, loopback) and runs the background sender
   * (polling every 100 ms) until close().
   */
  readonly smtp?: { readonly host: string; readonly port: number };
  /** Added to TEST_ENV (e.g. `AUTHFLOW_LOG_ACCESS`). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface TestAuthflow {
  readonly af: Authflow;
  readonly config: Config;
  readonly dataDir: string;
  readonly logs: LogSink;
  /** Closes the database (once, even if a server's stop() already did), drops a Postgres database, removes the temp dir. */
  close(): Promise<void>;
}

/** Opens an Authflow on a fresh install in a temp dir, with a logger whose lines the test can read. */
export async function openTestAuthflow(options: TestAuthflowOptions = {}): Promise<TestAuthflow> {
  const tmp = tempDir();
  const pgDb = options.database === 'postgres' ? await createPgDatabase() : undefined;
  const dataDir = join(tmp.path, 'data');
  let af: Authflow | undefined;
  try {
    if (options.initialized !== false) {
      await initialize({ dataDir, publicUrl: 'http://localhost:8080', tenantSlug: 'main', databaseUrl: pgDb?.url });
    } else {
      mkdirSync(dataDir, { mode: 0o700 });
      writeFileSync(join(dataDir, MASTER_KEY_FILE_NAME), `${generateMasterKey()}\n`, { mode: 0o600 });
    }
    const smtp = options.smtp ? { smtp: { host: options.smtp.host, port: options.smtp.port, security: 'none' as const, from: 'Authflow Test <no-reply@authflow.test>' } } : {};
    // /metrics on the app itself, so the suites read it through the same transport (serve's default is no /metrics).
    const config = loadConfig({ dataDir, env: { ...TEST_ENV, ...options.env }, flags: { ...(pgDb ? { database_url: pgDb.url } : {}), ...smtp, metrics: { listen: 'main' } } });
    const logs = new LogSink();
    af = await openAuthflow(config, { logger: createLogger(config, logs), migrate: options.migrate ?? true, create: true });
    const opened = af;
    const delivery: MailDelivery | undefined = options.smtp ? startMailDelivery(opened, { pollMs: 100 }) : undefined;
    // stop() of a started server closes the database too; Postgres refuses a second pool.end().
    let closed = false;
    const originalClose = opened.close;
    const closeOnce = async () => {
      if (closed) return;
      closed = true;
      await delivery?.stop();
      await originalClose();
    };
    (opened as { close: () => Promise<void> }).close = closeOnce;
    return {
      af: opened,
      config,
      dataDir,
      logs,
      async close() {
        try {
          await closeOnce();
        } finally {
          await pgDb?.drop();
          tmp.cleanup();
        }
      },
    };
  } catch (e) {
    await af?.close().catch(() => {});
    await pgDb?.drop().catch(() => {});
    tmp.cleanup();
    throw e;
  }
}

export interface Served {
  /** Base URL over node:http; undefined in-process. */
  readonly url: string | undefined;
  /** Sends a request for `path` (e.g. "/healthz") through the chosen transport. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Makes `app` reachable through `transport`. node:http uses the product's own `listen`. */
export async function serveApp(app: H3, transport: Transport): Promise<Served> {
  if (transport === 'in-process') {
    return {
      url: undefined,
      fetch: async (path, init) => app.fetch(new Request(`http://authflow.test${path}`, init)),
      close: async () => {},
    };
  }
  const listening: Listening = await listen(app, '127.0.0.1', 0);
  return {
    url: listening.url,
    fetch: (path, init) => fetch(`${listening.url}${path}`, init),
    close: () => listening.close(1000),
  };
}

export interface Harness extends TestAuthflow, Served {
  readonly app: H3;
  /** The app's lifecycle flag: set `draining` to see what balancers see during shutdown. */
  readonly lifecycle: { draining: boolean };
  /** Closes the transport and, when the harness opened the install itself, the install too. */
  stop(): Promise<void>;
}

/**
 * A fresh HTTP app (own metrics registry, own lifecycle) for an opened install,
 * reachable through `transport`. Several harnesses may share one install.
 */
export async function serveAuthflow(t: TestAuthflow, transport: Transport, options: { ownsInstall?: boolean } = {}): Promise<Harness> {
  const lifecycle = { draining: false };
  const app = buildHttpApp(t.af, lifecycle);
  const served = await serveApp(app, transport);
  return {
    ...t,
    app,
    lifecycle,
    url: served.url,
    fetch: served.fetch,
    close: t.close,
    async stop() {
      try {
        await served.close();
      } finally {
        if (options.ownsInstall) await t.close();
      }
    },
  };
}

/** An install of its own (initialised unless told otherwise), its HTTP app, reachable through `transport`. */
export async function startAuthflow(transport: Transport, options: TestAuthflowOptions = {}): Promise<Harness> {
  const t = await openTestAuthflow(options);
  try {
    return await serveAuthflow(t, transport, { ownsInstall: true });
  } catch (e) {
    await t.close();
    throw e;
  }
}
