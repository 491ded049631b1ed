// Shared by the management API tests (test/integration/api-*.test.ts): a fresh
// install (SQLite, or a fresh Postgres database), served in-process through
// `app.fetch` or over real HTTP by `startServer` on port 0, and a client that
// checks every answer against the OpenAPI document the server publishes.
import { join } from 'node:path';
import { expect } from 'vitest';
import { z } from 'zod';
import { createHttpApp, createLogger, initialize, openAuthflow, startServer, type Authflow } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { buildOpenApi } from '../../src/server/api/openapi.ts';
import { API_ROUTES } from '../../src/server/api/routes.ts';
import { TEST_ENV } from '../helpers/cli.ts';
import { createPgDatabase, tempDir } from '../helpers/db.ts';
import { LogSink } from '../helpers/server.ts';

export { DATABASES, TRANSPORTS, type Transport } from '../helpers/server.ts';

export const PUBLIC_URL = 'http://localhost:8080';
/** The document the server publishes (the OpenAPI test checks that GET /openapi.json serves exactly this). */
export const DOC = buildOpenApi(API_ROUTES, PUBLIC_URL) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A clock the test moves (API key expiry, key rotation delays). */
export class TestClock {
  #now = Date.now();
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when empty). */
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  /** Bearer token; defaults to the instance-admin key. null: no Authorization header. */
  readonly token?: string | null;
  /** Serialized as JSON with Content-Type: application/json. */
  readonly json?: unknown;
  /** Sent as is (then set content-type yourself). */
  readonly raw?: NonNullable<RequestInit['body']>;
  readonly headers?: Record<string, string>;
  /** Skip the OpenAPI conformance check (for answers that are not from an API route, e.g. 404/405). */
  readonly unchecked?: boolean;
}

export interface ApiHarness {
  readonly af: Authflow;
  readonly clock: TestClock;
  readonly logs: LogSink;
  /** The instance-admin API key `authflow init` printed. */
  readonly adminKey: string;
  /** Base URL over node:http; undefined in-process. */
  readonly url: string | undefined;
  /** The Postgres database's URL (undefined on SQLite). */
  readonly databaseUrl: string | undefined;
  /** Sends `method path` (path under /api/v1) and checks the answer against the OpenAPI document. */
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** Writes the batched API-key usage counts now (in-process only: startServer keeps its recorder to itself). */
  readonly flushUsage: (() => Promise<void>) | undefined;
  /** The raw fetch for `/api/v1{path}`, unchecked. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** A fresh install behind the management API. */
export async function startApi(transport: 'in-process' | 'node:http', database: 'sqlite' | 'postgres' = 'sqlite'): Promise<ApiHarness> {
  const tmp = tempDir();
  const pg = database === 'postgres' ? await createPgDatabase() : undefined;
  const dataDir = join(tmp.path, 'data');
  const clock = new TestClock();
  const logs = new LogSink();
  let af: Authflow | undefined;
  try {
    const init = await initialize({ dataDir, publicUrl: PUBLIC_URL, tenantSlug: 'main', databaseUrl: pg?.url });
    const config = loadConfig({ dataDir, env: { ...TEST_ENV }, flags: pg ? { database_url: pg.url } : {} });
    af = await openAuthflow(config, { clock, logger: createLogger({ logLevel: 'info', logFormat: 'json' }, logs) });
    const opened = af;
    let send: (url: string, init?: RequestInit) => Promise<Response>;
    let base: string;
    let stopServing: () => Promise<void>;
    let flushUsage: (() => Promise<void>) | undefined;
    if (transport === 'in-process') {
      const http = createHttpApp(opened);
      flushUsage = () => http.usage.flush();
      base = 'http://authflow.test';
      send = async (url, init) => http.app.fetch(new Request(url, init));
      stopServing = async () => {
        await http.close();
        await opened.close();
      };
    } else {
      const serving = await startServer(opened, { host: '127.0.0.1', port: 0 });
      base = serving.url;
      send = (url, init) => fetch(url, init);
      stopServing = () => serving.stop(); // also closes the database
    }
    const fetchApi = (path: string, init?: RequestInit) => send(`${base}/api/v1${path}`, init);
    let stopped = false;
    return {
      af: opened,
      clock,
      logs,
      adminKey: init.adminApiKey,
      url: transport === 'node:http' ? base : undefined,
      databaseUrl: pg?.url,
      flushUsage,
      fetch: fetchApi,
      async request(method, path, options = {}) {
        const headers: Record<string, string> = {};
        const token = options.token === undefined ? init.adminApiKey : options.token;
        if (token !== null) headers.authorization = `Bearer ${token}`;
        let body: NonNullable<RequestInit['body']> | undefined = options.raw;
        if (options.json !== undefined) {
          body = JSON.stringify(options.json);
          headers['content-type'] = 'application/json';
        }
        // A stream body is sent chunked, without Content-Length (fetch needs duplex: 'half' for it).
        const request: RequestInit & { duplex?: 'half' } = { method, headers: { ...headers, ...options.headers }, body };
        if (body instanceof ReadableStream) request.duplex = 'half';
        const res = await fetchApi(path, request);
        const text = await res.text();
        const parsed: ApiResponse = { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
        if (!options.unchecked) conforms(method, path, parsed);
        return parsed;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await stopServing();
        } finally {
          await pg?.drop();
          tmp.cleanup();
        }
      },
    };
  } catch (e) {
    await af?.close().catch(() => {});
    await pg?.drop().catch(() => {});
    tmp.cleanup();
    throw e;
  }
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The OpenAPI operation serving `method path` (path under /api/v1, query allowed), with its path template. */
export function operationOf(doc: Json, method: string, path: string): { template: string; op: Json } | undefined {
  const pathname = path.split('?')[0]!.replace(/(.)\/$/, '$1');
  for (const [template, item] of Object.entries(doc.paths as Json)) {
    if (!new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname)) continue;
    const op = item[method.toLowerCase()];
    if (op) return { template, op };
  }
  return undefined;
}

/** A JSON Pointer ("#/components/…") inside the document. */
export function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), doc);
}

const validators = new Map<string, z.ZodType>();
/** A validator for a component schema of the document (JSON Schema 2020-12, through zod's fromJSONSchema). */
export function schemaValidator(doc: Json, ref: string): z.ZodType {
  let v = validators.get(ref);
  if (!v) {
    const defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', '#/$defs/'));
    const id = ref.replace('#/components/schemas/', '');
    v = z.fromJSONSchema({ ...defs[id], $defs: defs });
    validators.set(ref, v);
  }
  return v;
}

/**
 * Every answer of the API must be what the OpenAPI document says: a documented
 * status, the documented media type, a body valid against the documented
 * schema (closed objects: no undocumented members), the documented required
 * headers, and never cacheable.
 */
export function conforms(method: string, path: string, res: ApiResponse): void {
  const where = `${method} ${path} → ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.headers.get('cache-control'), where).toBe('no-store');
  const found = operationOf(DOC, method === 'HEAD' ? 'GET' : method, path);
  expect(found, `${where}: no such operation in the OpenAPI document`).toBeDefined();
  const responses = found!.op.responses as Json;
  const key = Object.keys(responses).find((k) => new RegExp(`^${k.replace(/X/g, '\\d')}$`).test(String(res.status)));
  expect(key, `${where}: status not in the OpenAPI document (${Object.keys(responses)})`).toBeDefined();
  let response = responses[key!] as Json;
  if (response.$ref) response = resolvePointer(DOC, response.$ref) as Json;
  for (const [name, header] of Object.entries((response.headers ?? {}) as Json)) {
    const h = (header.$ref ? resolvePointer(DOC, header.$ref) : header) as Json;
    if (h.required) expect(res.headers.get(name), `${where}: ${name} header`).toBeTruthy();
  }
  if (method === 'HEAD') return;
  const [mediaType, content] = Object.entries(response.content as Json)[0]!;
  expect(res.headers.get('content-type')?.split(';')[0], where).toBe(mediaType);
  const checked = schemaValidator(DOC, content.schema.$ref).safeParse(res.body);
  expect(checked.error?.issues, `${where}: body does not match the documented schema`).toBeUndefined();
  if (res.status >= 400) expect(res.body.status, where).toBe(res.status);
  if (response.headers?.Link) expect(res.headers.has('link'), `${where}: Link iff there is a next page`).toBe(res.body.next_cursor !== null);
}

/** The install's data as the local admin sees it (to prove a refused request changed nothing). */
export async function snapshotTenant(af: Authflow, slug: string): Promise<unknown> {
  const tenant = await af.admin.tenants.show(LOCAL_ADMIN, slug);
  const clients = await af.admin.clients.list(LOCAL_ADMIN, slug, { limit: 200 });
  const keys = await af.admin.keys.list(LOCAL_ADMIN, slug);
  const apiKeys = await af.admin.apiKeys.list(LOCAL_ADMIN, slug, { limit: 200 });
  const stored = await Promise.all(clients.items.map((c) => af.repo.clients.byClientId(c.client_id)));
  return { tenant, clients, keys, apiKeys, secrets: stored.map((c) => [c?.secretHash, c?.previousSecretHash]) };
}
