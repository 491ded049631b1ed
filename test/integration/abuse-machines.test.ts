// Machines and shared limits over real HTTP from loopback source addresses:
// wrong client secrets at /token, /introspect and /revoke and wrong API keys
// at /api/v1 get 429 + Retry-After once the budget of the address or the
// client id is spent, while a client with the right credentials keeps
// working (failures are counted, not attempts); per-tenant request quotas;
// lockout counters shared by two servers on one database; forwarded client
// addresses believed only from trusted proxies. SQLite, and Postgres when
// AUTHFLOW_TEST_DATABASE_URL is set.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, openAuthflow, startServer, type Authflow, type Serving } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import { TEST_ENV } from '../helpers/cli.ts';
import { LogSink } from '../helpers/server.ts';
import { fetchFrom } from '../helpers/source-address.ts';
import { Browser, DATABASES, REDIRECT_URI, startSite, type Site } from './browser-fixture.ts';
import { authRequest, loginPage, rp } from './recovery-fixture.ts';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

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

describe.each(DATABASES)('machines, quotas and shared limits (%s)', (database) => {
  let site: Site;
  let tenant: Tenant;
  let client: { clientId: string; secret: string | undefined };

  beforeAll(async () => {
    site = await startSite({ database });
    tenant = (await site.af.repo.tenants.bySlug('main'))!;
    client = await site.client({ type: 'confidential', redirect_uris: [REDIRECT_URI], grant_types: ['client_credentials'] });
  });
  afterAll(async () => site?.stop());

  const token = (from: string, id: string, secret: string) =>
    fetchFrom(from)(`${site.issuer()}/token`, { method: 'POST', headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });

  it('/token: 20 wrong secrets from an address, then 429 invalid_client with Retry-After; the right secret works from there and elsewhere', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await token('127.0.5.2', client.clientId, `wrong-${i}`)).status);
    expect(new Set(statuses)).toEqual(new Set([401]));
    const limited = await token('127.0.5.2', client.clientId, 'wrong-again');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('content-type')).toContain('application/json');
    expect(limited.headers.get('cache-control')).toBe('no-store');
    const body = (await limited.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_client');
    // Unknown clients count the same.
    expect((await token('127.0.5.2', 'no-such-client', 'x')).status).toBe(429);
    // Right credentials are never throttled by failures: not from another address, not even from the same one.
    expect((await token('127.0.5.3', client.clientId, client.secret!)).status).toBe(200);
    expect((await token('127.0.5.2', client.clientId, client.secret!)).status).toBe(200);
    // /introspect and /revoke share the budget.
    const introspect = await fetchFrom('127.0.5.2')(`${site.issuer()}/introspect`, { method: 'POST', headers: { authorization: basic(client.clientId, 'nope'), 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x' });
    expect(introspect.status).toBe(429);
    const revoke = await fetchFrom('127.0.5.2')(`${site.issuer()}/revoke`, { method: 'POST', headers: { authorization: basic(client.clientId, 'nope'), 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x' });
    expect(revoke.status).toBe(429);
    const metrics = await (await site.fetch(`${site.url}/metrics`)).text();
    expect(metrics).toMatch(/authflow_throttled_requests_total\{kind="client_auth"\} [1-9]/);
  });

  it('/token: wrong secrets for one client id from many addresses spend that client\'s budget; its right secret still works', async () => {
    const victim = await site.client({ type: 'confidential', redirect_uris: [REDIRECT_URI], grant_types: ['client_credentials'] });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await token(`127.0.6.${10 + i}`, victim.clientId, `guess-${i}`)).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
    expect((await token('127.0.6.99', victim.clientId, victim.secret!)).status).toBe(200);
  });

  it('/api/v1: 20 wrong API keys from an address, then 429 problem+json with Retry-After; a good key works from there', async () => {
    const { token: good } = await site.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'ops', tenant: 'main', scopes: ['tenants:read'] });
    const api = (from: string, key: string) => fetchFrom(from)(`${site.url}/api/v1/tenants/main`, { headers: { authorization: `Bearer ${key}` } });
    const bad = `af_live_${'A'.repeat(12)}_${'b'.repeat(43)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await api('127.0.7.2', i % 2 ? bad : 'af_garbage')).status);
    expect(new Set(statuses)).toEqual(new Set([401]));
    const limited = await api('127.0.7.2', bad);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ status: 429, code: 'rate_limited' });
    expect((await api('127.0.7.2', good)).status).toBe(200);
    expect((await api('127.0.7.3', good)).status).toBe(200);
  });

  it('a tenant\'s request quota answers 429 temporarily_unavailable for that tenant only', async () => {
    await site.af.admin.tenants.create(LOCAL_ADMIN, { slug: `busy-${database}`, settings: { rate_limits: { requests_per_second: 1, burst: 3 } } });
    const discovery = (slug: string) => site.fetch(`${site.issuer(slug)}/.well-known/openid-configuration`);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await discovery(`busy-${database}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await discovery(`busy-${database}`);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect((await discovery('main')).status).toBe(200);
    // Pages answer an HTML page with the same status.
    const page = await site.fetch(`${site.issuer(`busy-${database}`)}/forgot-password`);
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it('two servers on one database share the lockout: 5 wrong passwords in all, not 5 each', async () => {
    const email = `two-servers-${database}@example.com`;
    await site.user(email, 'correct horse battery');
    const port = await freePort();
    const logs = new LogSink();
    const config = loadConfig({ dataDir: site.af.config.dataDir, env: { ...TEST_ENV }, flags: site.af.config.database.kind === 'postgres' ? { database_url: site.af.config.database.url } : {} });
    const second: Authflow = await openAuthflow(config, { clock: site.clock, logger: createLogger({ logLevel: 'info', logFormat: 'json' }, logs) });
    let serving: Serving | undefined;
    try {
      serving = await startServer(second, { host: '127.0.0.1', port });
      const app = await rp(site);
      const b = new Browser(fetchFrom('127.0.8.2'));
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const { url } = await authRequest(app.config, 'openid');
        const { form } = await loginPage(b, site, url);
        // Odd tries go to the second server (same public URL, its own port and connection pool).
        const action = i % 2 ? form.action.replace(new URL(site.url).host, `127.0.0.1:${port}`) : form.action;
        const res = await b.post(action, { ...form.fields, identifier: email, password: `wrong-${i}` });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    } finally {
      await (serving ? serving.stop() : second.close());
    }
  });

  it('X-Forwarded-For and Forwarded are believed only from a trusted proxy', async () => {
    const port = await freePort();
    const config = loadConfig({ dataDir: site.af.config.dataDir, env: { ...TEST_ENV }, flags: { ...(site.af.config.database.kind === 'postgres' ? { database_url: site.af.config.database.url } : {}), trusted_proxies: ['127.0.9.1'] } });
    const proxied: Authflow = await openAuthflow(config, { clock: site.clock, logger: createLogger({ logLevel: 'info', logFormat: 'json' }, new LogSink()) });
    let serving: Serving | undefined;
    try {
      serving = await startServer(proxied, { host: '127.0.0.1', port });
      const base = `http://127.0.0.1:${port}`;
      // Each time another unknown client id, so that no client's budget is spent before the address's is counted.
      let n = 0;
      const post = (from: string, headers: Record<string, string>) =>
        fetchFrom(from)(`${base}/t/main/token`, { method: 'POST', headers: { authorization: basic(`proxied-${++n}`, 'wrong'), 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: 'grant_type=client_credentials' });
      const failuresOf = async (ip: string) => (await site.af.repo.rateLimits.peek(`client-fail-ip:${tenant.id}:${ip}`, site.clock.now())).count;
      // From the trusted proxy: the nearest untrusted hop, read from the right (the left part is whatever the client wrote).
      await post('127.0.9.1', { 'x-forwarded-for': '10.9.9.9, 198.51.100.7' });
      expect(await failuresOf('198.51.100.7')).toBe(1);
      expect(await failuresOf('10.9.9.9')).toBe(0);
      await post('127.0.9.1', { forwarded: 'for="[2001:db8::7]:4711";proto=https' });
      expect(await failuresOf('2001:db8::7')).toBe(1);
      // From anyone else the headers are ignored: the socket's address counts.
      await post('127.0.9.2', { 'x-forwarded-for': '198.51.100.7' });
      expect(await failuresOf('198.51.100.7')).toBe(1);
      expect(await failuresOf('127.0.9.2')).toBe(1);
    } finally {
      await (serving ? serving.stop() : proxied.close());
    }
  });
});
