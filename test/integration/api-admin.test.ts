// The management API as an admin scripts it (docs/cli.md HTTP "Management API"):
// a tenant with a web and a machine client, a signing-key rotation, a client
// secret rotation with grace, API keys created, used and revoked. Every answer
// is also checked against the OpenAPI document (api-fixture.ts `conforms`).
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/crypto/index.ts';
import { DATABASES, startApi, TRANSPORTS, type ApiHarness } from './api-fixture.ts';

const WEB_CALLBACK = 'https://app.acme.example/callback';

describe.each(DATABASES)('management API on %s', (database) => {
  describe.each(TRANSPORTS)('(%s)', (transport) => {
    let api: ApiHarness | undefined;
    afterEach(async () => {
      await api?.stop();
      api = undefined;
    });

    it('an admin creates a tenant, a web and a machine client, rotates a signing key and a client secret with grace', async () => {
      api = await startApi(transport, database);
      const a = api;

      // Tenant
      const created = await a.request('POST', '/tenants', { json: { slug: 'acme', name: 'Acme Inc.' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ slug: 'acme', name: 'Acme Inc.', issuer: 'http://localhost:8080/t/acme' });
      expect(created.headers.get('location')).toBe('/api/v1/tenants/acme');
      const shown = await a.request('GET', created.headers.get('location')!.slice('/api/v1'.length));
      expect(shown.body).toEqual(created.body);
      expect(shown.headers.get('etag')).toBe(created.headers.get('etag'));
      // …also by id
      expect((await a.request('GET', `/tenants/${created.body.id}`)).body.slug).toBe('acme');

      // Two clients
      const web = await a.request('POST', '/tenants/acme/clients', { json: { name: 'web', redirect_uris: [WEB_CALLBACK] } });
      expect(web.status).toBe(201);
      expect(web.body).toMatchObject({ tenant: 'acme', name: 'web', type: 'confidential', redirect_uris: [WEB_CALLBACK], grant_types: ['authorization_code', 'refresh_token'] });
      expect(web.body.client_secret).toMatch(/^af_cs_[A-Za-z0-9_-]{43}$/);
      expect(web.headers.get('location')).toBe(`/api/v1/tenants/acme/clients/${web.body.client_id}`);
      const machine = await a.request('POST', '/tenants/acme/clients', { json: { name: 'billing-worker', grant_types: ['client_credentials'], scopes: [] } });
      expect(machine.status).toBe(201);
      expect(machine.body).toMatchObject({ name: 'billing-worker', grant_types: ['client_credentials'], redirect_uris: [] });
      expect(machine.body.client_secret).toMatch(/^af_cs_/);
      const webId: string = web.body.client_id;

      const list = await a.request('GET', '/tenants/acme/clients');
      expect(list.body.items.map((c: { name: string }) => c.name).sort()).toEqual(['billing-worker', 'web']);
      expect(list.body.next_cursor).toBeNull();
      // Secrets are stored only as SHA-256 and never shown again.
      expect(list.text).not.toContain(web.body.client_secret);
      expect((await a.af.repo.clients.byClientId(webId))?.secretHash).toBe(sha256(web.body.client_secret));

      // The client's ETag is the one GET gives; an update with it succeeds and moves it.
      const got = await a.request('GET', `/tenants/acme/clients/${webId}`);
      expect(got.headers.get('etag')).toBe(web.headers.get('etag'));
      const patched = await a.request('PATCH', `/tenants/acme/clients/${webId}`, {
        json: { redirect_uris: [WEB_CALLBACK, 'http://127.0.0.1:3000/callback'] },
        headers: { 'if-match': got.headers.get('etag')! },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.redirect_uris).toEqual([WEB_CALLBACK, 'http://127.0.0.1:3000/callback']);
      expect(patched.body.client_secret).toBeUndefined();
      expect(patched.headers.get('etag')).not.toBe(got.headers.get('etag'));

      // Signing key rotation: the new ES256 key is published first and signs after the delay.
      const before = await a.request('GET', '/tenants/acme/keys');
      expect(before.body.items.map((k: { alg: string; status: string }) => `${k.alg}:${k.status}`).sort()).toEqual(['ES256:active', 'RS256:active']);
      const oldEs = before.body.items.find((k: { alg: string }) => k.alg === 'ES256');
      const rotated = await a.request('POST', '/tenants/acme/keys/rotate', { json: { alg: 'ES256', delay: 60 } });
      expect(rotated.status).toBe(201);
      expect(rotated.body.key).toMatchObject({ alg: 'ES256', status: 'next', use: 'sig' });
      expect(rotated.body.retiring).toMatchObject({ kid: oldEs.kid, status: 'active', retires_at: rotated.body.key.activates_at });
      expect(Date.parse(rotated.body.key.activates_at) - a.clock.now()).toBe(60_000);
      // A second rotation while one is pending is a conflict.
      expect((await a.request('POST', '/tenants/acme/keys/rotate', { json: { alg: 'ES256' } })).status).toBe(409);
      a.clock.advance(60_001);
      const after = await a.request('GET', '/tenants/acme/keys');
      const status = Object.fromEntries(after.body.items.map((k: { kid: string; status: string }) => [k.kid, k.status]));
      expect(status[rotated.body.key.kid]).toBe('active');
      expect(status[oldEs.kid]).toBe('retired');
      // The only RS256 key cannot be retired: a rule of the core, answered 403.
      const rs = after.body.items.find((k: { alg: string }) => k.alg === 'RS256');
      const refused = await a.request('POST', `/tenants/acme/keys/${rs.kid}/retire`);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('not_permitted');

      // Client secret rotation with a grace period: old and new secret both kept, as hashes.
      const oldSecret: string = web.body.client_secret;
      const rotation = await a.request('POST', `/tenants/acme/clients/${webId}/rotate-secret`, { json: { grace_period: 3600 } });
      expect(rotation.status).toBe(200);
      const newSecret: string = rotation.body.client_secret;
      expect(newSecret).toMatch(/^af_cs_/);
      expect(newSecret).not.toBe(oldSecret);
      expect(rotation.body.previous_secret_expires_at).toBe(new Date(a.clock.now() + 3_600_000).toISOString());
      const stored = await a.af.repo.clients.byClientId(webId);
      expect(stored?.secretHash).toBe(sha256(newSecret));
      expect(stored?.previousSecretHash).toBe(sha256(oldSecret));
      expect((await a.request('GET', `/tenants/acme/clients/${webId}`)).body.previous_secret_expires_at).toBe(rotation.body.previous_secret_expires_at);
      // Without grace (no body at all: grace_period defaults to 0) the old secret is dropped at once.
      const hard = await a.request('POST', `/tenants/acme/clients/${webId}/rotate-secret`);
      expect(hard.status).toBe(200);
      expect(hard.body.previous_secret_expires_at).toBeNull();
      expect((await a.af.repo.clients.byClientId(webId))?.previousSecretHash).toBeNull();

      // Delete a client, then the tenant.
      expect((await a.request('DELETE', `/tenants/acme/clients/${machine.body.client_id}`)).body).toEqual({ deleted: machine.body.client_id });
      expect((await a.request('GET', `/tenants/acme/clients/${machine.body.client_id}`)).status).toBe(404);
      expect((await a.request('DELETE', '/tenants/acme')).body).toEqual({ deleted: 'acme' });
      expect((await a.request('GET', '/tenants/acme')).status).toBe(404);

      // Nothing secret reached the logs.
      for (const secret of [a.adminKey, oldSecret, newSecret, hard.body.client_secret, machine.body.client_secret]) expect(a.logs.text).not.toContain(secret);
    });

    it('tenant settings are a JSON Merge Patch; clients may use the scopes a tenant defines', async () => {
      api = await startApi(transport, database);
      const a = api;
      const t = await a.request('POST', '/tenants', { json: { slug: 'shop' } });
      const withScope = await a.request('PATCH', '/tenants/shop', { json: { settings: { scopes: { 'orders:read': { description: 'Read orders', claims: [] } } } }, headers: { 'if-match': t.headers.get('etag')! } });
      expect(withScope.status).toBe(200);
      expect(withScope.body.settings.scopes).toEqual({ 'orders:read': { description: 'Read orders', claims: [] } });
      // Merged, not replaced: the scope survives a change to another setting.
      const ttl = await a.request('PATCH', '/tenants/shop', { json: { settings: { access_token_ttl: 300 } }, headers: { 'content-type': 'application/merge-patch+json' } });
      expect(ttl.status).toBe(200);
      expect(ttl.body.settings).toMatchObject({ access_token_ttl: 300, scopes: { 'orders:read': { claims: [] } } });
      const client = await a.request('POST', '/tenants/shop/clients', { json: { name: 'orders-sync', grant_types: ['client_credentials'], scopes: ['orders:read'] } });
      expect(client.status).toBe(201);
      // null resets a setting to its default.
      const reset = await a.request('PATCH', '/tenants/shop', { json: { settings: { access_token_ttl: null } } });
      expect(reset.body.settings.access_token_ttl).toBe(600);
      // A scope in use cannot be removed from under the client.
      const removing = await a.request('PATCH', '/tenants/shop', { json: { settings: { scopes: null } } });
      expect(removing.status).toBe(422);
      expect(removing.body.field).toBe('settings.scopes');
    });

    it('API keys: a tenant key created through the API works at once, sees its tenant only, and is refused from the request after its revocation', async () => {
      api = await startApi(transport, database);
      const a = api;
      await a.request('POST', '/tenants', { json: { slug: 'acme' } });
      const created = await a.request('POST', '/api-keys', { json: { name: 'ci deploy', tenant: 'acme', scopes: ['clients:write', 'tenants:read'], env: 'test' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'ci deploy', tenant: 'acme', scopes: ['clients:write', 'tenants:read'], revoked_at: null, expires_at: null });
      const token: string = created.body.token;
      expect(token).toMatch(new RegExp(`^af_test_${created.body.key_id}_[A-Za-z0-9_-]{43}$`));

      const client = await a.request('POST', '/tenants/acme/clients', { token, json: { name: 'deployer', grant_types: ['client_credentials'], scopes: [] } });
      expect(client.status).toBe(201);
      expect((await a.request('GET', '/tenants/acme/clients', { token })).body.items).toHaveLength(1);
      expect((await a.request('GET', '/tenants', { token })).body.items.map((t: { slug: string }) => t.slug)).toEqual(['acme']);
      // The scheme name is case-insensitive (RFC 9110 §11.1).
      expect((await a.fetch('/tenants/acme', { headers: { authorization: `bearer ${token}` } })).status).toBe(200);

      // The access log says which key acted (its record id, never the token).
      const line = a.logs.records().find((r) => r.msg === 'request' && r.method === 'POST' && r.path === '/api/v1/tenants/acme/clients');
      expect(line).toMatchObject({ status: 201, api_key_id: created.body.id, tenant_id: expect.any(String) });
      expect(a.logs.text).not.toContain(token);

      const listed = await a.request('GET', '/api-keys?tenant=acme');
      expect(listed.body.items.map((k: { id: string }) => k.id)).toEqual([created.body.id]);
      expect(listed.text).not.toContain(token);

      // Revoked by key_id (or id): the very next request with it is refused.
      const revoked = await a.request('DELETE', `/api-keys/${created.body.key_id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: created.body.id, revoked_at: new Date(a.clock.now()).toISOString() });
      const refused = await a.request('GET', '/tenants/acme', { token });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="authflow", error="invalid_token"');
      // Revoking again is harmless and keeps the first revocation time.
      a.clock.advance(5000);
      expect((await a.request('DELETE', `/api-keys/${created.body.id}`)).body.revoked_at).toBe(revoked.body.revoked_at);
    });

    it.runIf(database === 'postgres')('a revocation through the API holds from the next request even while the change feed is down', async () => {
      api = await startApi(transport, database);
      const a = api;
      const { body } = await a.request('POST', '/api-keys', { json: { name: 'victim', scopes: ['tenants:read'] } });
      expect((await a.request('GET', '/tenants', { token: body.token })).status).toBe(200); // now cached
      // Cut the LISTEN connection: NOTIFYs are lost until it reconnects (a network blip).
      const admin = new pg.Client({ connectionString: a.databaseUrl });
      await admin.connect();
      try {
        const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'authflow-listen' AND datname = current_database()`);
        expect(killed.rowCount).toBe(1);
      } finally {
        await admin.end();
      }
      expect((await a.request('DELETE', `/api-keys/${body.id}`)).status).toBe(200);
      expect((await a.request('GET', '/tenants', { token: body.token })).status).toBe(401);
    });

    it.runIf(transport === 'in-process')('counts each API key\'s use: use_count and last_used_at', async () => {
      api = await startApi(transport, database);
      const a = api;
      const { body } = await a.request('POST', '/api-keys', { json: { name: 'counted', scopes: ['tenants:read'] } });
      for (let i = 0; i < 3; i++) await a.request('GET', '/tenants', { token: body.token });
      await a.request('GET', '/tenants', { token: body.token.slice(0, -1) + (body.token.endsWith('A') ? 'B' : 'A') }); // refused: not counted
      await a.flushUsage!();
      const listed = await a.request('GET', `/api-keys?limit=200`);
      const key = listed.body.items.find((k: { id: string }) => k.id === body.id);
      expect(key).toMatchObject({ use_count: 3, last_used_at: new Date(a.clock.now()).toISOString() });
    });

    it('an API key with a lifetime is refused once it has expired', async () => {
      api = await startApi(transport, database);
      const a = api;
      const created = await a.request('POST', '/api-keys', { json: { name: 'short', scopes: ['tenants:read'], expires_in: 60 } });
      expect(created.body.expires_at).toBe(new Date(a.clock.now() + 60_000).toISOString());
      const token: string = created.body.token;
      expect((await a.request('GET', '/tenants', { token })).status).toBe(200);
      a.clock.advance(59_000);
      expect((await a.request('GET', '/tenants', { token })).status).toBe(200);
      a.clock.advance(1_000);
      expect((await a.request('GET', '/tenants', { token })).status).toBe(401);
    });

    it('the keys of a deleted tenant stop working', async () => {
      api = await startApi(transport, database);
      const a = api;
      await a.request('POST', '/tenants', { json: { slug: 'gone' } });
      const { body } = await a.request('POST', '/api-keys', { json: { name: 'gone', tenant: 'gone', scopes: ['tenants:read'] } });
      expect((await a.request('GET', '/tenants', { token: body.token })).status).toBe(200);
      await a.request('DELETE', '/tenants/gone');
      expect((await a.request('GET', '/tenants', { token: body.token })).status).toBe(401);
    });
  });
});
