// The server under fuzz: a fresh install (SQLite, or a fresh Postgres
// database), its HTTP app behind the product's own node:http front door, a
// second tenant the admin-key requests may damage, and what a browser and
// a relying party would hold (clients, a user, interaction and session
// cookies, CSRF tokens) so that generated requests get past the first checks.
import { Writable } from 'node:stream';
import type { H3 } from 'h3';
import { createHttpApp, createLogger, openAuthflow, initialize, type Authflow } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { generateSigningKey, importKey, pkceS256, signJwt } from '../../src/crypto/index.ts';
import { listen, type Listening } from '../../src/server/index.ts';
import { TEST_ENV } from '../helpers/cli.ts';
import { createPgDatabase, tempDir } from '../helpers/db.ts';
import { join } from 'node:path';
import { exchange, type WireResponse } from './wire.ts';

/** A route as the app registered it: method ('' for any) and rou3 pattern (`:name`, `**`). */
export interface Route {
  readonly method: string;
  readonly path: string;
}

/** What requests are built from: known-good values next to which the generator puts hostile ones. */
export interface Knowledge {
  readonly tenant: string;
  /** The tenant requests with the instance-admin key act on (they may delete or rotate anything). */
  readonly scratchTenant: string;
  readonly adminKey: string;
  readonly tenantKey: string;
  readonly clients: readonly { readonly id: string; readonly secret?: string; readonly redirectUri: string }[];
  readonly user: { readonly id: string; readonly email: string; readonly password: string };
  /** Access tokens the tenant issued. */
  readonly tokens: readonly string[];
  /** Client assertions (RFC 7523) signed by a registered key, valid or not. */
  readonly assertions: readonly string[];
  /** Known values of path parameters, by name (`interaction`, `client_id`, `user`, …). */
  readonly params: Readonly<Record<string, readonly string[]>>;
  /** Cookies a browser collected (`name=value`). */
  readonly cookies: readonly string[];
  /** Form fields seen on the pages (name → values), CSRF tokens among them. */
  readonly fields: Readonly<Record<string, readonly string[]>>;
}

/** Log lines at warn level or above, parsed; the rest are counted only. */
export class LogLines extends Writable {
  readonly serious: Record<string, unknown>[] = [];
  count = 0;
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      this.count++;
      const level = /"level":(\d+)/.exec(line);
      if (level && Number(level[1]) >= 40) this.serious.push(JSON.parse(line) as Record<string, unknown>);
    }
    callback();
  }
}

export interface Target {
  readonly host: string;
  readonly port: number;
  readonly routes: readonly Route[];
  readonly knowledge: Knowledge;
  readonly logs: LogLines;
  /** Strings that would show internals if they reached the wire (the data dir, the source tree). */
  readonly secrets: readonly string[];
  close(): Promise<void>;
}

export const PUBLIC_HOST = 'localhost:8080';

export async function startTarget(database: 'sqlite' | 'postgres'): Promise<Target> {
  const tmp = tempDir('authflow-fuzz-');
  const pg = database === 'postgres' ? await createPgDatabase() : undefined;
  const dataDir = join(tmp.path, 'data');
  let af: Authflow | undefined;
  let listening: Listening | undefined;
  let http: ReturnType<typeof createHttpApp> | undefined;
  try {
    const init = await initialize({ dataDir, publicUrl: `http://${PUBLIC_HOST}`, tenantSlug: 'main', databaseUrl: pg?.url });
    const config = loadConfig({ dataDir, env: { ...TEST_ENV }, flags: { log_level: 'warn', ...(pg ? { database_url: pg.url } : {}) } });
    const logs = new LogLines();
    af = await openAuthflow(config, { logger: createLogger({ logLevel: 'warn', logFormat: 'json' }, logs) });
    http = createHttpApp(af);
    listening = await listen(http.app, '127.0.0.1', 0);
    const port = listening.port;
    const knowledge = await learn(port, init.adminApiKey);
    const opened = af;
    const served = listening;
    const app = http;
    return {
      host: '127.0.0.1',
      port,
      routes: routesOf(http.app),
      knowledge,
      logs,
      secrets: [tmp.path, process.cwd()],
      async close() {
        try {
          await served.close(2000);
          await app.close();
          await opened.close();
        } finally {
          await pg?.drop();
          tmp.cleanup();
        }
      },
    };
  } catch (e) {
    await listening?.close(100).catch(() => {});
    await http?.close().catch(() => {});
    await af?.close().catch(() => {});
    await pg?.drop().catch(() => {});
    tmp.cleanup();
    throw e;
  }
}

/** Every route the app serves, read from the app itself, so that a route added to any table is fuzzed too. */
export function routesOf(app: H3): Route[] {
  const registered = (app as unknown as { '~routes': { method?: string; route: string }[] })['~routes'];
  const seen = new Set<string>();
  const routes: Route[] = [];
  for (const r of registered) {
    const key = `${r.method ?? ''} ${r.route}`;
    if (seen.has(key)) continue;
    seen.add(key);
    routes.push({ method: r.method ?? '', path: r.route });
  }
  return routes;
}

/** One request on a fresh connection, answered in full (setup only: it throws on anything unexpected). */
async function send(port: number, method: string, target: string, headers: Record<string, string> = {}, body = ''): Promise<WireResponse & { text: string }> {
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${PUBLIC_HOST}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body || method === 'POST') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  const bytes = Buffer.from(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n${body}`);
  const x = await exchange('127.0.0.1', port, bytes, { headRequest: method === 'HEAD', timeoutMs: 10_000 });
  const r = x.responses.at(-1);
  if (!r || x.malformed) throw new Error(`setup: ${method} ${target}: ${x.malformed ?? x.error ?? 'no answer'}`);
  return { ...r, text: r.body.toString('utf8') };
}

async function api(port: number, key: string, method: string, path: string, json?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const headers: Record<string, string> = { Authorization: `Bearer ${key}` };
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  const r = await send(port, method, `/api/v1${path}`, headers, json === undefined ? '' : JSON.stringify(json));
  if (r.status >= 300) throw new Error(`setup: ${method} ${path} → ${r.status} ${r.text.slice(0, 300)}`);
  return JSON.parse(r.text);
}

const REDIRECT = 'https://rp.example/cb';

/** Provisions through the management API and walks the hosted pages once, keeping what a browser would keep. */
async function learn(port: number, adminKey: string): Promise<Knowledge> {
  const tenant = 'main';
  const scratchTenant = 'scratch';
  await api(port, adminKey, 'POST', '/tenants', { slug: scratchTenant });
  const confidential = await api(port, adminKey, 'POST', `/tenants/${tenant}/clients`, {
    name: 'Fuzz RP', type: 'confidential', redirect_uris: [REDIRECT], post_logout_redirect_uris: ['https://rp.example/bye'], grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], cors_origins: ['https://rp.example'],
  });
  const pub = await api(port, adminKey, 'POST', `/tenants/${tenant}/clients`, { name: 'Fuzz SPA', type: 'public', redirect_uris: [REDIRECT] });
  const scratchClient = await api(port, adminKey, 'POST', `/tenants/${scratchTenant}/clients`, { name: 'Scratch', type: 'confidential', redirect_uris: [REDIRECT] });
  const password = 'correct horse battery staple 1';
  const user = await api(port, adminKey, 'POST', `/tenants/${tenant}/users`, { email: 'fuzz@example.com', email_verified: true, password });
  const scratchUser = await api(port, adminKey, 'POST', `/tenants/${scratchTenant}/users`, { email: 'scratch@example.com', password });
  const tenantKey = await api(port, adminKey, 'POST', '/api-keys', { name: 'fuzz', tenant: scratchTenant, scopes: ['*'] }).catch(() => api(port, adminKey, 'POST', '/api-keys', { name: 'fuzz', tenant: scratchTenant, scopes: ['users:read', 'clients:read'] }));
  if (typeof confidential.client_id !== 'string' || typeof user.id !== 'string') throw new Error('setup: unexpected API answers');
  const clients = [
    { id: confidential.client_id as string, secret: confidential.client_secret as string, redirectUri: REDIRECT },
    { id: pub.client_id as string, redirectUri: REDIRECT },
  ];

  const cookies = new Set<string>();
  const fields = new Map<string, Set<string>>();
  const interactions: string[] = [];
  const keep = (r: WireResponse & { text: string }) => {
    for (const c of r.headers.get('set-cookie') ?? []) {
      const pair = c.split(';')[0]!;
      if (!pair.endsWith('=')) cookies.add(pair);
    }
    for (const tag of r.text.match(/<input\b[^>]*>/g) ?? []) {
      const name = /\bname="([^"]+)"/.exec(tag)?.[1];
      if (!name) continue;
      const value = /\bvalue="([^"]*)"/.exec(tag)?.[1];
      const set = fields.get(name) ?? new Set<string>();
      if (value !== undefined && value !== '') set.add(value.replaceAll('&amp;', '&'));
      fields.set(name, set);
    }
    const location = r.headers.get('location')?.[0];
    const ix = location && /\/(?:login|register)\/([^/?#]+)/.exec(location);
    if (ix) interactions.push(ix[1]!);
  };
  const jar = () => [...cookies].join('; ');

  // Two sign-ins started by the relying parties: interaction ids, their cookies, the sign-in forms' CSRF tokens.
  for (const c of clients) {
    const verifier = 'v'.repeat(43);
    const challenge = pkceS256(verifier);
    const q = new URLSearchParams({ client_id: c.id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid profile email offline_access', state: 'st', nonce: 'nn', code_challenge: challenge, code_challenge_method: 'S256' });
    const r = await send(port, 'GET', `/t/${tenant}/authorize?${q}`);
    keep(r);
    const ix = interactions.at(-1);
    if (ix) keep(await send(port, 'GET', `/t/${tenant}/login/${ix}`, { Cookie: jar() }));
  }
  // The account page: its sign-in form, then a signed-in session and the page's own forms.
  keep(await send(port, 'GET', `/t/${tenant}/account`, { Cookie: jar() }));
  const csrf = [...(fields.get('csrf') ?? [])].at(-1) ?? '';
  const signIn = new URLSearchParams({ csrf, identifier: user.email as string, password });
  const signedIn = await send(port, 'POST', `/t/${tenant}/account/login`, { Cookie: jar(), 'Content-Type': 'application/x-www-form-urlencoded' }, signIn.toString());
  keep(signedIn);
  keep(await send(port, 'GET', `/t/${tenant}/account`, { Cookie: jar() }));
  keep(await send(port, 'GET', `/t/${tenant}/forgot-password`, { Cookie: jar() }));
  keep(await send(port, 'GET', `/t/${tenant}/magic-link`, { Cookie: jar() }));
  if (interactions[0]) keep(await send(port, 'GET', `/t/${tenant}/register/${interactions[0]}`, { Cookie: jar() }));

  // A private_key_jwt client and assertions it signed: right, expired, for another audience, reused, of another client.
  const key = await generateSigningKey('ES256');
  const jwtClient = await api(port, adminKey, 'POST', `/tenants/${tenant}/clients`, { name: 'Fuzz JWT', type: 'confidential', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, grant_types: ['client_credentials'] });
  const signer = await importKey(key.privateJwk, 'ES256');
  const jwtId = jwtClient.client_id as string;
  const now = Math.floor(Date.now() / 1000);
  const aud = `http://${PUBLIC_HOST}/t/${tenant}/token`;
  const claims = [
    { iss: jwtId, sub: jwtId, aud, exp: now + 3600, jti: 'fuzz-1' },
    { iss: jwtId, sub: jwtId, aud, exp: now - 10, jti: 'fuzz-2' },
    { iss: jwtId, sub: jwtId, aud: 'https://elsewhere.example', exp: now + 3600, jti: 'fuzz-3' },
    { iss: jwtId, sub: jwtId, aud: [aud, 'x'], exp: now + 1e9, iat: now + 1e9, nbf: now + 1e9 },
    { iss: clients[0]!.id, sub: clients[0]!.id, aud, exp: now + 3600, jti: 'fuzz-5' },
    { iss: jwtId, sub: 'someone-else', aud, exp: 'soon', jti: {} },
  ];
  const assertions = await Promise.all(claims.map((c) => signJwt(signer, { alg: 'ES256', kid: key.kid }, c as unknown as Record<string, unknown>)));
  clients.push({ id: jwtId, redirectUri: REDIRECT });

  // What a relying party holds: an access token (client credentials), and the tenant's key ids.
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(clients[0]!.id)}:${encodeURIComponent(clients[0]!.secret!)}`).toString('base64')}`;
  const issued = await send(port, 'POST', `/t/${tenant}/token`, { Authorization: basic, 'Content-Type': 'application/x-www-form-urlencoded' }, 'grant_type=client_credentials');
  const accessToken = issued.status === 200 ? (JSON.parse(issued.text) as { access_token: string }).access_token : undefined;
  const jwks = JSON.parse((await send(port, 'GET', `/t/${tenant}/jwks`)).text) as { keys: { kid: string }[] };
  const kids = (await api(port, adminKey, 'GET', `/tenants/${scratchTenant}/keys`)) as { items: { kid: string }[] };

  return {
    tenant,
    scratchTenant,
    tokens: accessToken ? [accessToken] : [],
    assertions,
    adminKey,
    tenantKey: tenantKey.token as string,
    clients,
    user: { id: user.id as string, email: user.email as string, password },
    params: {
      tenant: [tenant, scratchTenant],
      interaction: interactions,
      client_id: [scratchClient.client_id as string, clients[0]!.id],
      user: [scratchUser.id as string, user.id as string],
      session: [],
      kid: [...kids.items.map((key) => key.kid), ...jwks.keys.map((key) => key.kid)],
      id: [],
      mail: [],
    },
    cookies: [...cookies],
    fields: Object.fromEntries([...fields].map(([k, v]) => [k, [...v]])),
  };
}
