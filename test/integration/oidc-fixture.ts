// Shared by the OAuth/OIDC endpoint suites (test/integration/oidc-*.test.ts):
// a fresh install (SQLite, or a fresh Postgres database) served over real
// HTTP by `startServer` on a loopback port, whose public URL is that port, so
// relying parties (openid-client) see issuers they can reach.
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as client from 'openid-client';
import { createLogger, initialize, openAuthflow, startServer, type Authflow, type Serving } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { TEST_ENV } from '../helpers/cli.ts';
import { createPgDatabase, tempDir } from '../helpers/db.ts';
import { LogSink } from '../helpers/server.ts';

export { DATABASES } from '../helpers/server.ts';

/** A clock the test can move forward; it follows real time otherwise (client assertions are stamped with real time). */
export class TestClock {
  #offset = 0;
  now(): number {
    return Date.now() + this.#offset;
  }
  advance(ms: number): void {
    this.#offset += ms;
  }
}

export interface RegisteredClient {
  readonly clientId: string;
  readonly secret: string | undefined;
}

export interface OidcHarness {
  readonly af: Authflow;
  readonly clock: TestClock;
  readonly logs: LogSink;
  /** http://127.0.0.1:PORT — also the instance's public URL. */
  readonly url: string;
  issuer(slug: string): string;
  createTenant(slug: string, settings?: Record<string, unknown>): Promise<void>;
  createClient(slug: string, input: Record<string, unknown>): Promise<RegisteredClient>;
  /** openid-client's discovery of the tenant (http allowed: loopback). */
  discover(slug: string, clientId: string, auth: client.ClientAuth, algorithm?: 'oidc' | 'oauth2'): Promise<client.Configuration>;
  /** POST a form (or any body) to a tenant path such as /token. */
  post(slug: string, path: string, body: string | Record<string, string> | URLSearchParams, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A JSON document as the tests read it. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The response body as JSON. */
export async function json(res: Response): Promise<Json> {
  return (await res.json()) as Json;
}

export function basic(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

export async function startOidc(database: 'sqlite' | 'postgres' = 'sqlite'): Promise<OidcHarness> {
  const tmp = tempDir();
  const pg = database === 'postgres' ? await createPgDatabase() : undefined;
  const dataDir = join(tmp.path, 'data');
  const clock = new TestClock();
  const logs = new LogSink();
  let af: Authflow | undefined;
  let serving: Serving | undefined;
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await initialize({ dataDir, publicUrl: url, tenantSlug: 'main', databaseUrl: pg?.url });
    const config = loadConfig({ dataDir, env: { ...TEST_ENV }, flags: pg ? { database_url: pg.url } : {} });
    af = await openAuthflow(config, { clock, logger: createLogger({ logLevel: 'info', logFormat: 'json' }, logs) });
    // The server's stop() closes the database; a test may close it earlier (to prove a path needs none).
    const opened = af;
    const close = opened.close;
    let closed: Promise<void> | undefined;
    (opened as { close: () => Promise<void> }).close = () => (closed ??= close());
    serving = await startServer(opened, { host: '127.0.0.1', port });
    const srv = serving;
    const issuer = (slug: string) => `${url}/t/${slug}`;
    let stopped = false;
    return {
      af: opened,
      clock,
      logs,
      url,
      issuer,
      async createTenant(slug, settings) {
        await opened.admin.tenants.create(LOCAL_ADMIN, { slug, ...(settings ? { settings } : {}) });
      },
      async createClient(slug, input) {
        const r = await opened.admin.clients.create(LOCAL_ADMIN, slug, asMachineUnlessSaid(input));
        return { clientId: r.client_id, secret: r.client_secret };
      },
      discover(slug, clientId, auth, algorithm = 'oidc') {
        return client.discovery(new URL(issuer(slug)), clientId, undefined, auth, { execute: [client.allowInsecureRequests], algorithm });
      },
      post(slug, path, body, headers = {}) {
        const form = typeof body === 'string' ? body : new URLSearchParams(body).toString();
        return fetch(`${issuer(slug)}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form });
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await srv.stop();
        } finally {
          await pg?.drop();
          tmp.cleanup();
        }
      },
    };
  } catch (e) {
    await serving?.stop().catch(() => {});
    await af?.close().catch(() => {});
    await pg?.drop().catch(() => {});
    tmp.cleanup();
    throw e;
  }
}

/** A confidential client given neither redirect URIs nor grant types is, in these suites, a machine client (scopes: only those named). */
function asMachineUnlessSaid(input: Record<string, unknown>): Record<string, unknown> {
  const said = input.redirect_uris !== undefined || input.grant_types !== undefined || input.type === 'public' || input.token_endpoint_auth_method === 'none';
  return said ? input : { grant_types: ['client_credentials'], scopes: [], ...input };
}
