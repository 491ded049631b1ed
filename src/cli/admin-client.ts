// The management use-cases as the CLI commands see them: one interface, with
// a local implementation (this install's database, acting as LOCAL_ADMIN) and
// a remote one (the management API of a running server, acting as the API key
// in AUTHFLOW_API_KEY). Both return the same views and throw the same domain
// errors, so a command prints the same thing and exits with the same code
// either way.
import { readFileSync } from 'node:fs';
import type { Agent, request as httpRequest } from 'node:http';
import type { AccessRevocationView, SessionListView, UserDataExport, UserView } from '../core/admin/index.ts';
import type { MailSummaryView, MailView, SecurityEventView, UnlockView, UsageRecordView, UsageView } from '../core/admin/index.ts';
import type { Admin, ApiKeyView, AuditEventView, AuditVerifyView, ClientView, ConsentListView, ConsentRevocationView, KeyView, ListQuery, Page, Principal, TenantView } from '../core/admin/index.ts';
import { AuthflowError, Conflict, NotFound, NotPermitted, PreconditionFailed, RateLimited, Unavailable, ValidationFailed } from '../core/errors.ts';
import type { CommandContext } from './context.ts';
import { UsageError } from './exit-codes.ts';

type WithoutPrincipal<F> = F extends (p: Principal, ...args: infer A) => infer R ? (...args: A) => R : never;
type UseCases<T> = { readonly [M in keyof T]: WithoutPrincipal<T[M]> };

/** `af.admin` minus the principal argument: the acting identity is fixed when the client is opened. */
export type AdminClient = { readonly [N in keyof Admin]: UseCases<Admin[N]> } & {
  readonly mode: 'local' | 'remote';
  close(): Promise<void>;
};

/** Remote when `--url` or AUTHFLOW_URL is set, local otherwise. */
export async function openAdminClient(ctx: CommandContext): Promise<AdminClient> {
  const url = ctx.globals.url ?? (ctx.env.AUTHFLOW_URL || undefined);
  if (url !== undefined) return remoteAdmin(serverUrl(url), apiKeyOf(ctx.env), { connectTimeoutMs: timeoutOf(ctx.env) });
  return localAdmin(await ctx.config());
}

// ------------------------------------------------------------------ local

/** Opens the install named by the config; the caller closes it. Refuses a database whose schema is not this build's. */
export async function localAdmin(config: Awaited<ReturnType<CommandContext['config']>>): Promise<AdminClient> {
  const { openAuthflow, createLogger } = await import('../app/index.ts');
  const { LOCAL_ADMIN } = await import('../core/admin/index.ts');
  // Nothing may reach stdout but the command's own output.
  const af = await openAuthflow(config, { migrate: false, logger: createLogger({ logLevel: 'silent', logFormat: 'json' }, process.stderr) });
  try {
    const m = await af.database.migrationStatus();
    if (m.unknown.length) throw new Unavailable(`the database is newer than this build of authflow (${m.unknown.join(', ')}); upgrade authflow`);
    if (m.pending.length) throw new Unavailable(`the database needs ${m.pending.length} migration(s) this build brings: run "authflow db migrate" first`);
  } catch (e) {
    await af.close();
    throw e;
  }
  const bind = <T extends object>(useCases: T): UseCases<T> =>
    Object.fromEntries(
      Object.entries(useCases).map(([name, fn]) => [name, (...args: unknown[]) => (fn as (...a: unknown[]) => unknown)(LOCAL_ADMIN, ...args)]),
    ) as UseCases<T>;
  return {
    mode: 'local',
    tenants: bind(af.admin.tenants),
    clients: bind(af.admin.clients),
    keys: bind(af.admin.keys),
    apiKeys: bind(af.admin.apiKeys),
    users: bind(af.admin.users),
    consents: bind(af.admin.consents),
    audit: bind(af.admin.audit),
    mail: bind(af.admin.mail),
    security: bind(af.admin.security),
    usage: bind(af.admin.usage),
    close: () => af.close(),
  };
}

// ------------------------------------------------------------------ remote

export interface RemoteOptions {
  /** How long to wait for the TCP (and TLS) connection before giving up. */
  readonly connectTimeoutMs?: number;
  /** How long to wait for the whole answer. */
  readonly timeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 60_000;

/** The management API client (`/api/v1`, bearer API key, RFC 9457 problems mapped back to domain errors). */
export function remoteAdmin(baseUrl: URL, apiKey: string, options: RemoteOptions = {}): AdminClient {
  const api = new ManagementApi(baseUrl, apiKey, options);
  const seg = encodeURIComponent;
  const t = (tenant: string) => `/tenants/${seg(tenant)}`;
  const page = (q: ListQuery = {}) => ({ limit: q.limit, cursor: q.cursor });
  return {
    mode: 'remote',
    tenants: {
      create: (input) => api.call<TenantView>('POST', '/tenants', { body: input }),
      list: (q) => api.call<Page<TenantView>>('GET', '/tenants', { query: page(q) }),
      show: (ref) => api.call<TenantView>('GET', t(ref)),
      update: (ref, input, ifMatch) => api.call<TenantView>('PATCH', t(ref), { body: input, ifMatch }),
      delete: (ref) => api.call<{ deleted: string }>('DELETE', t(ref)),
    },
    clients: {
      create: (tenant, input) => api.call<ClientView & { client_secret?: string }>('POST', `${t(tenant)}/clients`, { body: input }),
      list: (tenant, q) => api.call<Page<ClientView>>('GET', `${t(tenant)}/clients`, { query: page(q) }),
      show: (tenant, id) => api.call<ClientView>('GET', `${t(tenant)}/clients/${seg(id)}`),
      update: (tenant, id, input, ifMatch) => api.call<ClientView & { client_secret?: string }>('PATCH', `${t(tenant)}/clients/${seg(id)}`, { body: input, ifMatch }),
      delete: (tenant, id) => api.call<{ deleted: string }>('DELETE', `${t(tenant)}/clients/${seg(id)}`),
      rotateSecret: (tenant, id, input = {}) => api.call<ClientView & { client_secret: string }>('POST', `${t(tenant)}/clients/${seg(id)}/rotate-secret`, { body: input }),
    },
    keys: {
      list: async (tenant) => (await api.call<{ items: KeyView[] }>('GET', `${t(tenant)}/keys`)).items,
      rotate: (tenant, input) => api.call<{ key: KeyView; retiring: KeyView | null }>('POST', `${t(tenant)}/keys/rotate`, { body: input }),
      retire: (tenant, kid) => api.call<KeyView>('POST', `${t(tenant)}/keys/${seg(kid)}/retire`),
    },
    apiKeys: {
      create: (input) => api.call<ApiKeyView & { token: string }>('POST', '/api-keys', { body: input }),
      list: (tenant, q) => api.call<Page<ApiKeyView>>('GET', '/api-keys', { query: { tenant, ...page(q) } }),
      revoke: (id) => api.call<ApiKeyView>('DELETE', `/api-keys/${seg(id)}`),
    },
    users: {
      create: (tenant, input) => api.call<UserView>('POST', `${t(tenant)}/users`, { body: input }),
      list: (tenant, q = {}) => api.call<Page<UserView>>('GET', `${t(tenant)}/users`, { query: { ...page(q), search: q.search } }),
      show: (tenant, ref) => api.call<UserView>('GET', `${t(tenant)}/users/${seg(ref)}`),
      update: (tenant, ref, input, ifMatch) => api.call<UserView>('PATCH', `${t(tenant)}/users/${seg(ref)}`, { body: input, ifMatch }),
      disable: (tenant, ref) => api.call<UserView>('POST', `${t(tenant)}/users/${seg(ref)}/disable`),
      enable: (tenant, ref) => api.call<UserView>('POST', `${t(tenant)}/users/${seg(ref)}/enable`),
      delete: (tenant, ref) => api.call<{ deleted: string }>('DELETE', `${t(tenant)}/users/${seg(ref)}`),
      setPassword: (tenant, ref, input) => api.call<AccessRevocationView>('PUT', `${t(tenant)}/users/${seg(ref)}/password`, { body: input }),
      sessions: (tenant, ref) => api.call<SessionListView>('GET', `${t(tenant)}/users/${seg(ref)}/sessions`),
      revokeSessions: (tenant, ref, sessionId) =>
        api.call<AccessRevocationView>('DELETE', `${t(tenant)}/users/${seg(ref)}/sessions${sessionId === undefined ? '' : `/${seg(sessionId)}`}`),
      exportData: (tenant, ref) => api.call<UserDataExport>('GET', `${t(tenant)}/users/${seg(ref)}/data-export`),
    },
    consents: {
      list: (tenant, user) => api.call<ConsentListView>('GET', `${t(tenant)}/users/${seg(user)}/consents`),
      revoke: (tenant, user, clientId) => api.call<ConsentRevocationView>('DELETE', `${t(tenant)}/users/${seg(user)}/consents/${seg(clientId)}`),
      revokeAll: (tenant, user) => api.call<ConsentRevocationView>('DELETE', `${t(tenant)}/users/${seg(user)}/consents`),
    },
    audit: {
      list: (tenant, q = {}) =>
        api.call<Page<AuditEventView>>('GET', `${t(tenant)}/audit`, { query: { limit: q.limit, cursor: q.cursor, before: q.before, after: q.after, actor: q.actor, action: q.action, target: q.target } }),
      verify: (tenant) => api.call<AuditVerifyView>('GET', `${t(tenant)}/audit/verify`),
    },
    mail: {
      list: (q = {}) => api.call<Page<MailSummaryView>>('GET', '/mail', { query: { ...page(q), tenant: q.tenant, status: q.status, to: q.to } }),
      show: (id) => api.call<MailView>('GET', `/mail/${seg(id)}`),
    },
    security: {
      events: (tenant, q = {}) => api.call<Page<SecurityEventView>>('GET', `${t(tenant)}/security-events`, { query: { ...page(q), user: q.user, kind: q.kind, since: q.since } }),
      unlock: (tenant, user) => api.call<UnlockView>('POST', `${t(tenant)}/users/${seg(user)}/unlock`),
    },
    usage: {
      show: (q = {}) => api.call<UsageView>('GET', '/usage', { query: { tenant: q.tenant, month: q.month, by: q.by } }),
      export: async (q = {}) => (await api.call<{ items: UsageRecordView[] }>('GET', '/usage/records', { query: { tenant: q.tenant, month: q.month } })).items,
    },
    close: async () => api.close(),
  };
}

interface CallOptions {
  readonly query?: Record<string, string | number | undefined>;
  readonly body?: unknown;
  readonly ifMatch?: string | undefined;
}

class ManagementApi {
  readonly #base: URL;
  readonly #apiKey: string;
  readonly #connectTimeoutMs: number;
  readonly #timeoutMs: number;
  /** Keeps the connection for the requests of one command (`--all` pages), closed with the client. */
  #agent: Agent | undefined;

  constructor(base: URL, apiKey: string, options: RemoteOptions) {
    this.#base = base;
    this.#apiKey = apiKey;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  close(): void {
    this.#agent?.destroy();
  }

  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const url = new URL(`${this.#base.pathname.replace(/\/+$/, '')}/api/v1${path}`, this.#base);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', authorization: `Bearer ${this.#apiKey}` };
    let body: string | undefined;
    if (options.body !== undefined || method === 'POST') {
      body = JSON.stringify(options.body ?? {});
      headers['content-type'] = 'application/json';
    }
    if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
    const https = url.protocol === 'https:';
    const transport = https ? await import('node:https') : await import('node:http');
    this.#agent ??= new transport.Agent({ keepAlive: true, maxSockets: 1 });
    const res = await send(transport, this.#agent, url, method, headers, body, this.#connectTimeoutMs, this.#timeoutMs, this.#base.origin);
    const doc = parseJson(res.body);
    if (res.status >= 200 && res.status < 300) {
      if (doc === undefined) throw new Unavailable(`the server at ${this.#base.origin} answered ${method} ${url.pathname} with something other than JSON`);
      return doc as T;
    }
    throw errorFromProblem(res.status, doc, { origin: this.#base.origin, request: `${method} ${url.pathname}`, retryAfter: res.retryAfter });
  }
}

interface RawResponse {
  readonly status: number;
  readonly body: string;
  readonly retryAfter: string | undefined;
}

/**
 * One HTTP request with node:http(s), so that an unreachable server fails
 * within the connect timeout (fetch has no separate connect timeout).
 */
function send(
  transport: { request: typeof httpRequest },
  agent: Agent,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  connectTimeoutMs: number,
  timeoutMs: number,
  origin: string,
): Promise<RawResponse> {
  const unreachable = (why: string) => new Unavailable(`cannot reach the authflow server at ${origin}: ${why}`);
  return new Promise<RawResponse>((resolve, reject) => {
    const req = transport.request(url, { method, agent, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } });
    let connected = false;
    const connectTimer = setTimeout(() => req.destroy(unreachable(`no connection within ${Math.round(connectTimeoutMs / 1000)} seconds`)), connectTimeoutMs);
    const totalTimer = setTimeout(() => req.destroy(new Unavailable(`the authflow server at ${origin} did not answer within ${Math.round(timeoutMs / 1000)} seconds`)), timeoutMs);
    const done = () => {
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
    };
    req.on('socket', (socket) => {
      const onConnected = () => {
        connected = true;
        clearTimeout(connectTimer);
      };
      if (url.protocol === 'https:') socket.once('secureConnect', onConnected);
      else if ((socket as { connecting?: boolean }).connecting) socket.once('connect', onConnected);
      else onConnected();
    });
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        done();
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter });
      });
      res.on('error', (e) => {
        done();
        reject(e instanceof AuthflowError ? e : unreachable(`the connection broke (${(e as Error).message})`));
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      done();
      if (e instanceof AuthflowError) return reject(e);
      reject(unreachable(connected ? `the connection broke (${e.message})` : networkReason(e)));
    });
    req.end(body);
  });
}

function networkReason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is "authflow serve" running there?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host';
    default:
      return e.code?.startsWith('ERR_TLS') || e.code?.includes('CERT') ? `TLS failed (${e.message})` : e.message;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Turns an RFC 9457 problem back into the domain error the server mapped it from. */
export function errorFromProblem(status: number, doc: unknown, where: { origin: string; request: string; retryAfter?: string | undefined }): Error {
  const { origin, request, retryAfter } = where;
  const p = (doc && typeof doc === 'object' ? doc : {}) as { code?: unknown; detail?: unknown; title?: unknown; field?: unknown };
  const detail = typeof p.detail === 'string' && p.detail ? p.detail : undefined;
  if (status === 401) return new NotPermitted('the API key was refused: AUTHFLOW_API_KEY is unknown, revoked or expired');
  switch (p.code) {
    case 'not_found':
      return new NotFound(detail ?? 'not found');
    case 'conflict':
      return new Conflict(detail ?? 'conflict');
    case 'validation_failed': {
      const field = typeof p.field === 'string' ? p.field : 'body';
      const message = detail ?? 'is not valid';
      return new ValidationFailed(field, message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message);
    }
    case 'not_permitted':
      return new NotPermitted(detail ?? 'not permitted');
    case 'precondition_failed':
      return new PreconditionFailed(detail);
    case 'license_required':
    case 'license_limit':
      return new AuthflowError(p.code, detail ?? 'not permitted by the license');
    case 'rate_limited':
      return new RateLimited(detail ?? 'rate limited', Number(retryAfter ?? 60));
    case 'unavailable':
      return new Unavailable(detail ?? `the authflow server at ${origin} is unavailable`);
  }
  if (status === 403) return new NotPermitted(detail ?? 'the API key is not permitted to do this');
  if (status === 404) return new Unavailable(`the server at ${origin} does not serve this authflow management API (HTTP 404 for ${request}); check --url and the server's version`);
  if (status === 429) return new Unavailable(`the authflow server at ${origin} is rate limiting this API key${retryAfter ? `; retry in ${retryAfter} seconds` : ''}`);
  if (status >= 500) return new Unavailable(`the authflow server at ${origin} failed (HTTP ${status})${detail ? `: ${detail}` : ''}`);
  return new Unavailable(`the authflow server at ${origin} answered HTTP ${status}${detail ? `: ${detail}` : ''}`);
}

/** The server's base URL from `--url` / AUTHFLOW_URL: http(s), no query or fragment. */
export function serverUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url must be the server's base URL, such as https://id.example.com, not "${raw}"`);
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new UsageError(`--url must be an http(s) base URL with no query, fragment or credentials, such as https://id.example.com, not "${raw}"`);
  }
  return url;
}

/** AUTHFLOW_API_KEY, or the file AUTHFLOW_API_KEY_FILE names (never a flag: it would show in `ps`). */
export function apiKeyOf(env: NodeJS.ProcessEnv): string {
  let key = env.AUTHFLOW_API_KEY;
  if (!key && env.AUTHFLOW_API_KEY_FILE) {
    try {
      key = readFileSync(env.AUTHFLOW_API_KEY_FILE, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read AUTHFLOW_API_KEY_FILE ${env.AUTHFLOW_API_KEY_FILE}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  key = key?.trim();
  if (!key) throw new UsageError('--url needs an API key: set AUTHFLOW_API_KEY (or AUTHFLOW_API_KEY_FILE) to a management API key');
  return key;
}

function timeoutOf(env: NodeJS.ProcessEnv): number {
  const s = Number(env.AUTHFLOW_CONNECT_TIMEOUT);
  return env.AUTHFLOW_CONNECT_TIMEOUT && Number.isFinite(s) && s > 0 ? s * 1000 : DEFAULT_CONNECT_TIMEOUT_MS;
}
