// Security events end to end over real HTTP: refresh-token reuse (family
// revoked), a password set by an admin, a second factor added (the hook MFA
// will call), an API key used from a new address; each in the audit chain,
// counted in /metrics, mailed once to the user it concerns; listed by
// `authflow security events` (locally and through --url) and
// GET /api/v1/tenants/{tenant}/security-events (scope security:read).
// SQLite, and Postgres when AUTHFLOW_TEST_DATABASE_URL is set.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { recordFactorChange } from '../../src/core/security/factors.ts';
import { runCli } from '../helpers/cli.ts';
import { fetchFrom } from '../helpers/source-address.ts';
import { DATABASES, oauthErrorOf, startFlows, type FlowHarness } from './oidc-flow-fixture.ts';

describe.each(DATABASES)('security events (%s)', (database) => {
  let h: FlowHarness;
  let cli: (args: string[], env?: Record<string, string>) => ReturnType<typeof runCli>;

  beforeAll(async () => {
    h = await startFlows(database);
    const db = h.af.config.database;
    cli = (args, env = {}) => runCli(['--data-dir', h.af.config.dataDir, ...(db.kind === 'postgres' ? ['--database-url', db.url] : []), ...args], { env });
  });
  afterAll(async () => h?.stop());

  const mailOf = async (to: string, template: string) => (await h.af.repo.outbox.list({ recipient: to, limit: 50 })).filter((m) => m.payload.template === template);
  const eventsOf = (userId: string, kind?: string) => h.af.repo.securityEvents.list(h.tenant.id, { limit: 50, userId, kind });

  it('a rotated refresh token presented again: refresh_reuse with the family, audited, mailed once however often it happens', async () => {
    const rp = await h.client();
    const user = await h.user();
    for (let round = 0; round < 2; round++) {
      const issued = await h.authorize(rp, user);
      const tokens = await oidc.authorizationCodeGrant(rp.config, issued.callback, issued.checks);
      await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
      expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!))).toBe('invalid_grant');
    }
    const events = await eventsOf(user.id, 'refresh_reuse');
    expect(events).toHaveLength(2);
    expect(events[0]!.data).toMatchObject({ client_id: rp.clientId });
    const [mail, ...more] = await mailOf(user.email, 'refresh_reuse');
    expect(more).toHaveLength(0);
    expect(String(mail!.payload.text)).toContain('so we signed');
    expect((await h.af.repo.audit.list(h.tenant.id, { limit: 10, action: 'security.refresh_reuse', target: `user:${user.id}` })).length).toBe(2);
  });

  it('a password set by an admin (CLI) is password_changed via admin, with the existing notice; a second factor added is factor_added', async () => {
    const user = await h.user();
    await h.af.admin.users.setPassword(LOCAL_ADMIN, 'main', user.id, { password: 'a brand new passphrase' });
    expect((await eventsOf(user.id, 'password_changed'))[0]!.data).toMatchObject({ via: 'admin' });
    expect(await mailOf(user.email, 'password_changed')).toHaveLength(1);
    // Only the admin's own audit entry (user.password_set): the event does not add a second one.
    expect((await h.af.repo.audit.list(h.tenant.id, { limit: 10, target: `user:${user.id}` })).map((e) => e.action)).toEqual(['user.password_set']);

    const mailed = await h.af.repo.transaction((s) => recordFactorChange(s, { clock: h.af.clock, mail: h.af.mail }, { tenant: h.tenant, user, change: 'added', factor: 'totp', ip: '192.0.2.9', issuer: h.issuer }));
    expect(mailed).toBe(true);
    expect((await eventsOf(user.id, 'factor_added'))[0]).toMatchObject({ ip: '192.0.2.9', data: { factor: 'totp' } });
    expect(String((await mailOf(user.email, 'factor_changed'))[0]!.payload.text)).toContain('An authenticator app (TOTP) was added');
  });

  it('an API key used from a second address is api_key_new_address; its first address and a known one are not', async () => {
    const { id: apiKeyId, token } = await h.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'deploy', tenant: 'main', scopes: ['tenants:read'] });
    const use = (from: string) => fetchFrom(from)(`${h.url}/api/v1/tenants/main`, { headers: { authorization: `Bearer ${token}` } });
    for (const from of ['127.0.10.2', '127.0.10.2', '127.0.10.3', '127.0.10.3']) expect((await use(from)).status).toBe(200);
    const events = (await h.af.repo.securityEvents.list(h.tenant.id, { limit: 50, kind: 'api_key_new_address' })).filter((e) => e.data.api_key_id === apiKeyId);
    expect(events.map((e) => e.ip)).toEqual(['127.0.10.3']);
    expect((await h.af.repo.audit.list(h.tenant.id, { limit: 5, action: 'security.api_key_new_address' }))[0]).toMatchObject({ actor: `api_key:${apiKeyId}`, target: `api_key:${apiKeyId}` });
    const metrics = await (await h.fetch('/metrics')).text();
    expect(metrics).toMatch(/authflow_security_events_total\{kind="api_key_new_address"\} [1-9]/);
    expect(metrics).toMatch(/authflow_security_events_total\{kind="refresh_reuse"\} [1-9]/);
  });

  it('authflow security events lists them, filtered by user, kind and time, locally and through --url; bad filters exit 5; the audit chain stays intact', async () => {
    const user = await h.user();
    await h.af.admin.users.setPassword(LOCAL_ADMIN, 'main', user.id, { password: 'another new passphrase' });
    const local = await cli(['--json', 'security', 'events', '--tenant', 'main', '--user', user.email, '--since', '1h']);
    expect(local.code).toBe(0);
    expect(local.json().items).toEqual([expect.objectContaining({ kind: 'password_changed', user_id: user.id, data: expect.objectContaining({ via: 'admin' }) })]);
    const human = await cli(['security', 'events', '--tenant', 'main', '--kind', 'password_changed']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^AT\s+KIND\s+USER\s+IP\s+DATA/);
    expect(human.stdout).toContain(user.id);
    expect((await cli(['--json', 'security', 'events', '--tenant', 'main', '--since', '2000-01-01T00:00:00Z', '--kind', 'refresh_reuse'])).json().items.length).toBeGreaterThanOrEqual(2);
    const badKind = await cli(['--json', 'security', 'events', '--tenant', 'main', '--kind', 'bogus']);
    expect(badKind.code).toBe(5);
    expect(badKind.errorJson().error.message).toContain('kind: must be one of lockout');
    expect((await cli(['security', 'events', '--tenant', 'main', '--since', 'yesterday'])).code).toBe(5);
    expect((await cli(['security', 'events', '--tenant', 'main', '--user', 'nobody@example.com'])).code).toBe(3);

    // Remotely, through the management API, with a key holding security:read; a key without it is refused.
    const { token } = await h.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'soc', tenant: 'main', scopes: ['security:read', 'users:read'] });
    const remote = await runCli(['--url', h.url, '--json', 'security', 'events', '--tenant', 'main', '--user', user.email], { env: { AUTHFLOW_API_KEY: token } });
    expect(remote.code).toBe(0);
    expect(remote.json()).toEqual(local.json());
    const { token: reader } = await h.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'reader', tenant: 'main', scopes: ['users:read'] });
    expect((await runCli(['--url', h.url, 'security', 'events', '--tenant', 'main'], { env: { AUTHFLOW_API_KEY: reader } })).code).toBe(6);
    const api = await h.fetch('/api/v1/tenants/main/security-events?kind=password_changed&limit=1', { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
    const page = (await api.json()) as { items: unknown[]; next_cursor: string | null };
    expect(page.items).toHaveLength(1);
    expect(page.next_cursor).not.toBeNull();
    expect(api.headers.get('link')).toContain('rel="next"');
    expect((await h.fetch('/api/v1/tenants/main/security-events', { headers: { authorization: `Bearer ${reader}` } })).status).toBe(403);
    const openapi = (await (await h.fetch('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, { security?: unknown }>> };
    const documented = Object.entries(openapi.paths).find(([path]) => path.endsWith('/tenants/{tenant}/security-events'));
    expect(JSON.stringify(documented)).toContain('security:read');

    const verify = await cli(['--json', 'audit', 'verify', '--tenant', 'main']);
    expect(verify.code).toBe(0);
    expect(verify.json()).toMatchObject({ intact: true });
  });
});
