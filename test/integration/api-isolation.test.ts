// Tenant isolation in the management API (docs/security.md "Tenant isolation"): a
// tenant-scoped key with every write scope, pointed at another tenant's
// resources through every route that names a tenant, a client or an API key,
// sees 404 (403 for what only instance admins may do) — and the other
// tenant's data is byte-for-byte unchanged afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { uuidv7 } from '../../src/crypto/index.ts';
import { API_ROUTES } from '../../src/server/api/routes.ts';
import { DATABASES, snapshotTenant, startApi, type ApiHarness } from './api-fixture.ts';

/** A session id that exists nowhere. */
const NO_SESSION = uuidv7();
const ALL_WRITE = ['tenants:write', 'clients:write', 'keys:write', 'apikeys:write', 'users:write', 'audit:read', 'security:read'];

interface World {
  api: ApiHarness;
  aKey: string;
  a: { id: string; clientId: string; kid: string };
  b: { id: string; clientId: string; kid: string; apiKeyId: string; apiKeyKeyId: string; userId: string; userEmail: string; grantId: string };
  adminKeyId: string;
}

async function world(database: 'sqlite' | 'postgres'): Promise<World> {
  const api = await startApi('node:http', database);
  const make = async (slug: string) => {
    const t = await api.request('POST', '/tenants', { json: { slug } });
    const c = await api.request('POST', `/tenants/${slug}/clients`, { json: { name: `${slug}-web`, redirect_uris: [`https://${slug}.example/cb`] } });
    const k = await api.request('GET', `/tenants/${slug}/keys`);
    return { id: t.body.id as string, clientId: c.body.client_id as string, kid: k.body.items.find((x: { alg: string }) => x.alg === 'ES256').kid as string };
  };
  const a = await make('tenant-a');
  const b = await make('tenant-b');
  const aKey = await api.request('POST', '/api-keys', { json: { name: 'a admin', tenant: 'tenant-a', scopes: ALL_WRITE } });
  const bKey = await api.request('POST', '/api-keys', { json: { name: 'b admin', tenant: 'tenant-b', scopes: ['*'] } });
  const admin = await api.request('GET', '/api-keys');
  const adminKeyId = admin.body.items.find((k: { tenant: string | null }) => k.tenant === null).id as string;
  // A user of B who consented to B's client (users and grants have no create route: through the core).
  const bUser = await api.af.admin.users.create(LOCAL_ADMIN, 'tenant-b', { email: 'bea@b.example' });
  const grantId = uuidv7();
  await api.af.repo.grants.save({ id: grantId, tenantId: b.id, userId: bUser.id, clientId: b.clientId, scopes: ['openid'], createdAt: Date.now(), updatedAt: Date.now(), revokedAt: null });
  const bMore = { apiKeyId: bKey.body.id, apiKeyKeyId: bKey.body.key_id, userId: bUser.id, userEmail: bUser.email, grantId };
  return { api, aKey: aKey.body.token, a, b: { ...b, ...bMore }, adminKeyId };
}

/** Requests with tenant A's key against tenant B's resources, and what each must answer. */
function crossings(w: World): { operationId: string; method: string; path: string; json?: unknown; status: 403 | 404 }[] {
  const { b } = w;
  return [
    { operationId: 'createTenant', method: 'POST', path: '/tenants', json: { slug: 'tenant-c' }, status: 403 },
    { operationId: 'getTenant', method: 'GET', path: '/tenants/tenant-b', status: 404 },
    { operationId: 'getTenant', method: 'GET', path: `/tenants/${b.id}`, status: 404 },
    { operationId: 'updateTenant', method: 'PATCH', path: '/tenants/tenant-b', json: { name: 'pwned' }, status: 404 },
    { operationId: 'updateTenant', method: 'PATCH', path: `/tenants/${b.id}`, json: { settings: { self_registration: true } }, status: 404 },
    { operationId: 'deleteTenant', method: 'DELETE', path: '/tenants/tenant-b', status: 403 },
    { operationId: 'listClients', method: 'GET', path: '/tenants/tenant-b/clients', status: 404 },
    { operationId: 'createClient', method: 'POST', path: '/tenants/tenant-b/clients', json: { name: 'intruder', grant_types: ['client_credentials'] }, status: 404 },
    { operationId: 'getClient', method: 'GET', path: `/tenants/tenant-b/clients/${b.clientId}`, status: 404 },
    { operationId: 'getClient', method: 'GET', path: `/tenants/tenant-a/clients/${b.clientId}`, status: 404 },
    { operationId: 'updateClient', method: 'PATCH', path: `/tenants/tenant-b/clients/${b.clientId}`, json: { redirect_uris: ['https://evil.example/cb'] }, status: 404 },
    { operationId: 'updateClient', method: 'PATCH', path: `/tenants/tenant-a/clients/${b.clientId}`, json: { redirect_uris: ['https://evil.example/cb'] }, status: 404 },
    { operationId: 'deleteClient', method: 'DELETE', path: `/tenants/tenant-b/clients/${b.clientId}`, status: 404 },
    { operationId: 'deleteClient', method: 'DELETE', path: `/tenants/tenant-a/clients/${b.clientId}`, status: 404 },
    { operationId: 'rotateClientSecret', method: 'POST', path: `/tenants/tenant-b/clients/${b.clientId}/rotate-secret`, json: { grace_period: 0 }, status: 404 },
    { operationId: 'rotateClientSecret', method: 'POST', path: `/tenants/tenant-a/clients/${b.clientId}/rotate-secret`, json: {}, status: 404 },
    { operationId: 'listKeys', method: 'GET', path: '/tenants/tenant-b/keys', status: 404 },
    { operationId: 'rotateKey', method: 'POST', path: '/tenants/tenant-b/keys/rotate', json: { alg: 'ES256', delay: 0 }, status: 404 },
    { operationId: 'retireKey', method: 'POST', path: `/tenants/tenant-b/keys/${b.kid}/retire`, json: {}, status: 404 },
    { operationId: 'retireKey', method: 'POST', path: `/tenants/tenant-a/keys/${b.kid}/retire`, json: {}, status: 404 },
    { operationId: 'listUserConsents', method: 'GET', path: `/tenants/tenant-b/users/${b.userId}/consents`, status: 404 },
    { operationId: 'listUserConsents', method: 'GET', path: `/tenants/tenant-a/users/${b.userId}/consents`, status: 404 },
    { operationId: 'listUserConsents', method: 'GET', path: `/tenants/tenant-a/users/${encodeURIComponent(b.userEmail)}/consents`, status: 404 },
    { operationId: 'revokeUserConsent', method: 'DELETE', path: `/tenants/tenant-b/users/${b.userId}/consents/${b.clientId}`, status: 404 },
    { operationId: 'revokeUserConsent', method: 'DELETE', path: `/tenants/tenant-a/users/${b.userId}/consents/${b.clientId}`, status: 404 },
    { operationId: 'revokeAllUserConsents', method: 'DELETE', path: `/tenants/tenant-b/users/${encodeURIComponent(b.userEmail)}/consents`, status: 404 },
    { operationId: 'revokeAllUserConsents', method: 'DELETE', path: `/tenants/tenant-a/users/${b.userId}/consents`, status: 404 },
    { operationId: 'getUser', method: 'GET', path: `/tenants/tenant-b/users/${b.userId}`, status: 404 },
    { operationId: 'updateUser', method: 'PATCH', path: `/tenants/tenant-b/users/${b.userId}`, json: { name: 'pwned' }, status: 404 },
    { operationId: 'disableUser', method: 'POST', path: `/tenants/tenant-b/users/${b.userId}/disable`, status: 404 },
    { operationId: 'enableUser', method: 'POST', path: `/tenants/tenant-b/users/${b.userId}/enable`, status: 404 },
    { operationId: 'setUserPassword', method: 'PUT', path: `/tenants/tenant-b/users/${b.userId}/password`, json: { password: 'a long enough password' }, status: 404 },
    { operationId: 'listUserSessions', method: 'GET', path: `/tenants/tenant-b/users/${b.userId}/sessions`, status: 404 },
    { operationId: 'revokeUserSessions', method: 'DELETE', path: `/tenants/tenant-b/users/${b.userId}/sessions`, status: 404 },
    { operationId: 'revokeUserSession', method: 'DELETE', path: `/tenants/tenant-b/users/${b.userId}/sessions/${NO_SESSION}`, status: 404 },
    { operationId: 'exportUserData', method: 'GET', path: `/tenants/tenant-b/users/${b.userId}/data-export`, status: 404 },
    { operationId: 'deleteUser', method: 'DELETE', path: `/tenants/tenant-b/users/${b.userId}`, status: 404 },
    { operationId: 'getUser', method: 'GET', path: `/tenants/tenant-a/users/${b.userId}`, status: 404 },
    { operationId: 'updateUser', method: 'PATCH', path: `/tenants/tenant-a/users/${b.userId}`, json: { name: 'pwned' }, status: 404 },
    { operationId: 'disableUser', method: 'POST', path: `/tenants/tenant-a/users/${b.userId}/disable`, status: 404 },
    { operationId: 'enableUser', method: 'POST', path: `/tenants/tenant-a/users/${b.userId}/enable`, status: 404 },
    { operationId: 'setUserPassword', method: 'PUT', path: `/tenants/tenant-a/users/${b.userId}/password`, json: { password: 'a long enough password' }, status: 404 },
    { operationId: 'listUserSessions', method: 'GET', path: `/tenants/tenant-a/users/${b.userId}/sessions`, status: 404 },
    { operationId: 'revokeUserSessions', method: 'DELETE', path: `/tenants/tenant-a/users/${b.userId}/sessions`, status: 404 },
    { operationId: 'revokeUserSession', method: 'DELETE', path: `/tenants/tenant-a/users/${b.userId}/sessions/${NO_SESSION}`, status: 404 },
    { operationId: 'exportUserData', method: 'GET', path: `/tenants/tenant-a/users/${b.userId}/data-export`, status: 404 },
    { operationId: 'deleteUser', method: 'DELETE', path: `/tenants/tenant-a/users/${b.userId}`, status: 404 },
    { operationId: 'getUser', method: 'GET', path: `/tenants/tenant-a/users/${encodeURIComponent(b.userEmail)}`, status: 404 },
    { operationId: 'listUsers', method: 'GET', path: '/tenants/tenant-b/users', status: 404 },
    { operationId: 'createUser', method: 'POST', path: '/tenants/tenant-b/users', json: { email: 'intruder@example.com' }, status: 404 },
    { operationId: 'listAuditEvents', method: 'GET', path: '/tenants/tenant-b/audit', status: 404 },
    { operationId: 'verifyAuditChain', method: 'GET', path: '/tenants/tenant-b/audit/verify', status: 404 },
    { operationId: 'listSecurityEvents', method: 'GET', path: '/tenants/tenant-b/security-events', status: 404 },
    { operationId: 'listSecurityEvents', method: 'GET', path: `/tenants/tenant-a/security-events?user=${b.userId}`, status: 404 },
    { operationId: 'unlockUser', method: 'POST', path: `/tenants/tenant-b/users/${b.userId}/unlock`, status: 404 },
    { operationId: 'unlockUser', method: 'POST', path: `/tenants/tenant-a/users/${b.userId}/unlock`, status: 404 },
    { operationId: 'listApiKeys', method: 'GET', path: '/api-keys?tenant=tenant-b', status: 404 },
    { operationId: 'createApiKey', method: 'POST', path: '/api-keys', json: { name: 'x', tenant: 'tenant-b', scopes: ['clients:write'] }, status: 404 },
    { operationId: 'createApiKey', method: 'POST', path: '/api-keys', json: { name: 'x', scopes: ['clients:write'] }, status: 403 },
    { operationId: 'revokeApiKey', method: 'DELETE', path: `/api-keys/${b.apiKeyId}`, status: 404 },
    { operationId: 'revokeApiKey', method: 'DELETE', path: `/api-keys/${b.apiKeyKeyId}`, status: 404 },
    { operationId: 'revokeApiKey', method: 'DELETE', path: `/api-keys/${w.adminKeyId}`, status: 404 },
  ];
}

describe.each(DATABASES)('tenant isolation in the management API on %s', (database) => {
  let w: World;
  beforeAll(async () => {
    w = await world(database);
  });
  afterAll(async () => {
    await w?.api.stop();
  });

  it('every route that names a tenant, client or API key is tried across tenants', () => {
    const tried = new Set(crossings(w).map((c) => c.operationId));
    const naming = API_ROUTES.filter((r) => /\{(tenant|client_id|kid|id)\}/.test(r.path) || r.path === '/api-keys' || r.operationId === 'createTenant');
    expect(naming.map((r) => r.operationId).filter((id) => !tried.has(id))).toEqual([]);
  });

  it("tenant A's key cannot read or change anything of tenant B, and B is unchanged", async () => {
    const before = await snapshotTenant(w.api.af, 'tenant-b');
    const adminBefore = await w.api.af.repo.apiKeys.byId(w.adminKeyId);
    // The key works on its own tenant.
    expect((await w.api.request('GET', `/tenants/${w.a.id}`, { token: w.aKey })).status).toBe(200);
    expect((await w.api.request('GET', `/tenants/tenant-a/clients/${w.a.clientId}`, { token: w.aKey })).status).toBe(200);

    const answers = [];
    for (const c of crossings(w)) {
      const res = await w.api.request(c.method, c.path, { token: w.aKey, ...(c.json !== undefined ? { json: c.json } : {}) });
      answers.push({ request: `${c.method} ${c.path}`, status: res.status, code: res.body?.code });
    }
    expect(answers).toEqual(
      crossings(w).map((c) => ({ request: `${c.method} ${c.path}`, status: c.status, code: c.status === 404 ? 'not_found' : 'not_permitted' })),
    );
    // A 404 for another tenant's resource reads exactly like one for a resource that does not exist.
    const foreign = await w.api.request('GET', '/tenants/tenant-b', { token: w.aKey });
    const missing = await w.api.request('GET', '/tenants/tenant-z', { token: w.aKey });
    expect(foreign.text.replace('tenant-b', 'X')).toBe(missing.text.replace('tenant-z', 'X'));

    expect(await snapshotTenant(w.api.af, 'tenant-b')).toEqual(before);
    expect((await w.api.af.repo.apiKeys.byId(w.adminKeyId))?.revokedAt).toBe(adminBefore?.revokedAt);
    expect((await w.api.af.repo.tenants.bySlug('tenant-c'))).toBeUndefined();
    expect((await w.api.af.repo.grants.byId(w.b.id, w.b.grantId))?.revokedAt).toBeNull();
  });

  it("listing tenants with A's key shows only A; listing API keys only A's", async () => {
    const tenants = await w.api.request('GET', '/tenants', { token: w.aKey });
    expect(tenants.body.items.map((t: { slug: string }) => t.slug)).toEqual(['tenant-a']);
    const extra = await w.api.request('POST', '/api-keys', { token: w.aKey, json: { name: 'a reader', tenant: 'tenant-a', scopes: ['clients:read'] } });
    expect(extra.status).toBe(201);
    const keys = await w.api.request('GET', '/api-keys', { token: w.aKey });
    expect(keys.body.items.map((k: { name: string; tenant: string }) => `${k.tenant}/${k.name}`).sort()).toEqual(['tenant-a/a admin', 'tenant-a/a reader']);
    const own = await w.api.request('GET', '/api-keys?tenant=tenant-a', { token: w.aKey });
    expect(own.body.items).toEqual(keys.body.items);
    // The instance admin sees all of them.
    const all = await w.api.request('GET', '/api-keys');
    expect(all.body.items.map((k: { tenant: string | null }) => k.tenant).sort()).toEqual([null, 'tenant-a', 'tenant-a', 'tenant-b'].sort());
  });

  it("A's key cannot grant itself more: no scope it lacks, no instance key", async () => {
    const star = await w.api.request('POST', '/api-keys', { token: w.aKey, json: { name: 'escalate', tenant: 'tenant-a', scopes: ['*'] } });
    expect(star.status).toBe(403);
    const instance = await w.api.request('POST', '/api-keys', { token: w.aKey, json: { name: 'escalate', scopes: ['users:read'] } });
    expect(instance.status).toBe(403);
  });
});
