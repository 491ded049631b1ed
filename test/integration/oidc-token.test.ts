// The token endpoint (RFC 6749 §3.2) with the client_credentials grant
// (§4.4): client authentication with client_secret_basic/_post (§2.3.1) and
// its refusals, form rules (§3.1, §3.2), grant and scope checks (§5.2),
// resource indicators (RFC 8707), the RFC 9068 access token it issues, and
// the steady-state path without a database round trip (docs/operations.md).
// Real HTTP, real database (SQLite; Postgres when configured), openid-client.

import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/crypto/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { basic, DATABASES, json, startOidc, type OidcHarness, type RegisteredClient } from './oidc-fixture.ts';

const API = 'https://api.example.com';
const OTHER_API = 'https://other.example.com/v1';

async function expectOAuthError(res: Response, status: number, error: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body.error, text).toBe(error);
  return body;
}

describe.each(DATABASES)('token endpoint, client_credentials (%s)', (database) => {
  let h: OidcHarness;
  let svc: RegisteredClient;
  beforeAll(async () => {
    h = await startOidc(database);
    await h.createTenant('acme', { scopes: { 'read:things': {}, 'write:things': {} } });
    svc = await h.createClient('acme', { name: 'svc', scopes: ['read:things', 'write:things'], audiences: [API, OTHER_API] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const form = (extra: Record<string, string> = {}) => ({ grant_type: 'client_credentials', ...extra });

  it('issues an RFC 9068 access token to openid-client (discovery + client_secret_basic) that verifies against the JWKS', async () => {
    const config = await h.discover('acme', svc.clientId, client.ClientSecretBasic(svc.secret!));
    const t = await client.clientCredentialsGrant(config, { scope: 'read:things', resource: API });
    expect(t.token_type).toBe('bearer');
    expect(t.expires_in).toBe(600);
    expect(t.scope).toBe('read:things');
    expect(t.refresh_token).toBeUndefined(); // RFC 6749 §4.4.3
    const jwks = await json(await fetch(`${h.issuer('acme')}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(t.access_token, createLocalJWKSet(jwks as JSONWebKeySet), { issuer: h.issuer('acme'), audience: API, typ: 'at+jwt', algorithms: ['ES256'] });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: svc.clientId, client_id: svc.clientId, scope: 'read:things', aud: API });
    expect(payload.exp! - payload.iat!).toBe(600);
    // RFC 9068 §2.2 / RFC 7519 §4.1.7: a jti with at least 128 bits.
    expect(Buffer.from(payload.jti!, 'base64url').length).toBeGreaterThanOrEqual(16);
  });

  it('answers with Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1)', async () => {
    const res = await h.post('acme', '/token', form(), { authorization: basic(svc.clientId, svc.secret!) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = await json(res);
    // No scope asked: the client's registered scopes; no resource asked: all its audiences.
    expect(body.scope).toBe('read:things write:things');
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString());
    expect(claims.aud).toEqual([API, OTHER_API]);
  });

  it('client_secret_post works for a client registered with it', async () => {
    const post = await h.createClient('acme', { name: 'post', token_endpoint_auth_method: 'client_secret_post', scopes: ['read:things'] });
    const config = await h.discover('acme', post.clientId, client.ClientSecretPost(post.secret!));
    const t = await client.clientCredentialsGrant(config);
    expect(t.scope).toBe('read:things');
    // A client without audiences gets a token for the issuer (RFC 9068 §3: aud is required).
    const claims = JSON.parse(Buffer.from(t.access_token.split('.')[1]!, 'base64url').toString());
    expect(claims.aud).toBe(h.issuer('acme'));
  });

  it('a wrong secret and an unknown client get the same 401 invalid_client with a Basic challenge (RFC 6749 §5.2)', async () => {
    const wrong = await h.post('acme', '/token', form(), { authorization: basic(svc.clientId, 'af_cs_wrong') });
    const unknown = await h.post('acme', '/token', form(), { authorization: basic('no-such-client', 'af_cs_wrong') });
    const a = await expectOAuthError(wrong, 401, 'invalid_client');
    const b = await expectOAuthError(unknown, 401, 'invalid_client');
    expect(a).toEqual(b);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(unknown.headers.get('www-authenticate')).toBe(wrong.headers.get('www-authenticate'));
  });

  it('a client of another tenant is unknown here (tenant isolation, docs/security.md)', async () => {
    const other = await h.createClient('main', { name: 'main-svc' });
    const res = await h.post('acme', '/token', form(), { authorization: basic(other.clientId, other.secret!) });
    await expectOAuthError(res, 401, 'invalid_client');
    expect((await h.post('main', '/token', form(), { authorization: basic(other.clientId, other.secret!) })).status).toBe(200);
  });

  it('a secret client accepts client_secret_basic and client_secret_post unless its registration names one (OIDC Core §9)', async () => {
    // The default registration (client_secret): either way of sending the secret.
    expect((await h.post('acme', '/token', form({ client_id: svc.clientId, client_secret: svc.secret! }))).status).toBe(200);
    expect((await h.post('acme', '/token', form(), { authorization: basic(svc.clientId, svc.secret!) })).status).toBe(200);
    // Restricted: the other method is refused, and the answer says which method to use, not anything about the secret.
    const post = await h.createClient('acme', { name: 'post-only', token_endpoint_auth_method: 'client_secret_post' });
    const refused = await h.post('acme', '/token', form(), { authorization: basic(post.clientId, post.secret!) });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: 'invalid_client', error_description: `client ${post.clientId} is registered for client_secret_post, but the request used client_secret_basic` });
    const basicOnly = await h.createClient('acme', { name: 'basic-only', token_endpoint_auth_method: 'client_secret_basic' });
    const viaPost = await h.post('acme', '/token', form({ client_id: basicOnly.clientId, client_secret: basicOnly.secret! }));
    expect(await viaPost.json()).toEqual({ error: 'invalid_client', error_description: `client ${basicOnly.clientId} is registered for client_secret_basic, but the request used client_secret_post` });
    // A wrong secret sent the other way says only that authentication failed: no hint that the client exists.
    const wrong = await h.post('acme', '/token', form({ client_id: basicOnly.clientId, client_secret: `${basicOnly.secret!.slice(0, -2)}xx` }));
    expect(await wrong.json()).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
    const unknown = await h.post('acme', '/token', form({ client_id: 'no-such-client', client_secret: basicOnly.secret! }));
    expect(await unknown.json()).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
    // The log says it too, with the client and never the secret.
    const line = h.logs.records().find((l) => l.msg === 'client authentication failed' && String(l.error_description).includes('registered for client_secret_basic'));
    expect(line).toMatchObject({ client_id: basicOnly.clientId });
    expect(h.logs.text).not.toContain(basicOnly.secret!);
  });

  it('two authentication methods in one request are invalid_request (RFC 6749 §2.3)', async () => {
    const res = await h.post('acme', '/token', form({ client_id: svc.clientId, client_secret: svc.secret! }), { authorization: basic(svc.clientId, svc.secret!) });
    await expectOAuthError(res, 400, 'invalid_request');
  });

  it('no client authentication at all is invalid_client (RFC 6749 §5.2)', async () => {
    await expectOAuthError(await h.post('acme', '/token', form()), 401, 'invalid_client');
  });

  it('Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1): special characters in the secret work encoded, not raw', async () => {
    const special = await h.createClient('acme', { name: 'special' });
    const secret = 'p@ss:w/rd+100% é&=?';
    const stored = (await h.af.repo.clients.byClientId(special.clientId))!;
    await h.af.repo.clients.update({ ...stored, secretHash: sha256(secret), updatedAt: stored.updatedAt + 1 });
    await waitFor(async () => (await h.post('acme', '/token', form(), { authorization: basic(special.clientId, secret) })).status === 200);
    // openid-client encodes as the RFC says.
    const config = await h.discover('acme', special.clientId, client.ClientSecretBasic(secret));
    expect((await client.clientCredentialsGrant(config)).access_token).toBeTruthy();
    // The same secret unencoded ("+" decodes to a space, "%" starts an escape) does not authenticate.
    const raw = `Basic ${Buffer.from(`${special.clientId}:${secret}`).toString('base64')}`;
    await expectOAuthError(await h.post('acme', '/token', form(), { authorization: raw }), 401, 'invalid_client');
    // Not base64 / no colon: invalid_client, never a 500.
    await expectOAuthError(await h.post('acme', '/token', form(), { authorization: 'Basic !!!' }), 401, 'invalid_client');
    await expectOAuthError(await h.post('acme', '/token', form(), { authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` }), 401, 'invalid_client');
  });

  it('after a secret rotation the previous secret works within its grace period and not after it (RFC 6749 §2.3.1)', async () => {
    const rotating = await h.createClient('acme', { name: 'rotating' });
    const { client_secret: next } = await h.af.admin.clients.rotateSecret(LOCAL_ADMIN, 'acme', rotating.clientId, { grace_period: 60 });
    await waitFor(async () => (await h.post('acme', '/token', form(), { authorization: basic(rotating.clientId, next) })).status === 200);
    expect((await h.post('acme', '/token', form(), { authorization: basic(rotating.clientId, rotating.secret!) })).status).toBe(200);
    h.clock.advance(61_000);
    try {
      await expectOAuthError(await h.post('acme', '/token', form(), { authorization: basic(rotating.clientId, rotating.secret!) }), 401, 'invalid_client');
      expect((await h.post('acme', '/token', form(), { authorization: basic(rotating.clientId, next) })).status).toBe(200);
    } finally {
      h.clock.advance(-61_000);
    }
  });

  it('a repeated parameter is invalid_request (RFC 6749 §3.1)', async () => {
    const res = await h.post('acme', '/token', 'grant_type=client_credentials&scope=read%3Athings&scope=write%3Athings', { authorization: basic(svc.clientId, svc.secret!) });
    const body = await expectOAuthError(res, 400, 'invalid_request');
    expect(body.error_description).toMatch(/scope/);
  });

  it('`resource` may repeat (RFC 8707 §2): the token is for both', async () => {
    const res = await h.post('acme', '/token', `grant_type=client_credentials&resource=${encodeURIComponent(API)}&resource=${encodeURIComponent(OTHER_API)}`, { authorization: basic(svc.clientId, svc.secret!) });
    expect(res.status).toBe(200);
    const claims = JSON.parse(Buffer.from((await json(res)).access_token.split('.')[1], 'base64url').toString());
    expect(claims.aud).toEqual([API, OTHER_API]);
  });

  it('a body that is not application/x-www-form-urlencoded is invalid_request (RFC 6749 §3.2)', async () => {
    const res = await fetch(`${h.issuer('acme')}/token`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(svc.clientId, svc.secret!) }, body: JSON.stringify(form()) });
    await expectOAuthError(res, 400, 'invalid_request');
    const none = await fetch(`${h.issuer('acme')}/token`, { method: 'POST', headers: { authorization: basic(svc.clientId, svc.secret!) } });
    await expectOAuthError(none, 400, 'invalid_request');
  });

  it('an oversized body is refused as invalid_request, never a 500', async () => {
    const res = await h.post('acme', '/token', `grant_type=client_credentials&x=${'a'.repeat(17 * 1024)}`, { authorization: basic(svc.clientId, svc.secret!) });
    await expectOAuthError(res, 400, 'invalid_request');
  });

  it('a body that is not UTF-8 or has a broken escape is invalid_request, never a 500', async () => {
    const bytes = Buffer.concat([Buffer.from('grant_type=client_credentials&x='), Buffer.from([0xff, 0xfe])]);
    const res = await fetch(`${h.issuer('acme')}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(svc.clientId, svc.secret!) }, body: bytes });
    await expectOAuthError(res, 400, 'invalid_request');
    await expectOAuthError(await h.post('acme', '/token', 'grant_type=client_credentials&x=%E0%A4%A', { authorization: basic(svc.clientId, svc.secret!) }), 400, 'invalid_request');
  });

  it('an unknown grant_type is unsupported_grant_type; a missing one invalid_request (RFC 6749 §5.2)', async () => {
    await expectOAuthError(await h.post('acme', '/token', { grant_type: 'urn:example:nope' }, { authorization: basic(svc.clientId, svc.secret!) }), 400, 'unsupported_grant_type');
    await expectOAuthError(await h.post('acme', '/token', { scope: 'read:things' }, { authorization: basic(svc.clientId, svc.secret!) }), 400, 'invalid_request');
  });

  it('a grant the client is not registered for is unauthorized_client (RFC 6749 §5.2)', async () => {
    const web = await h.createClient('acme', { name: 'web', redirect_uris: ['https://app.example.com/cb'] });
    await expectOAuthError(await h.post('acme', '/token', form(), { authorization: basic(web.clientId, web.secret!) }), 400, 'unauthorized_client');
  });

  it('a grant the tenant does not offer is unsupported_grant_type', async () => {
    await h.createTenant('webonly', { grant_types: ['authorization_code', 'refresh_token'] });
    const web = await h.createClient('webonly', { name: 'web', redirect_uris: ['https://app.example.com/cb'] });
    await expectOAuthError(await h.post('webonly', '/token', form(), { authorization: basic(web.clientId, web.secret!) }), 400, 'unsupported_grant_type');
  });

  it('a scope the client was not registered for is invalid_scope, never granted (RFC 6749 §3.3, §5.2)', async () => {
    const narrow = await h.createClient('acme', { name: 'narrow', scopes: ['read:things'] });
    const config = await h.discover('acme', narrow.clientId, client.ClientSecretBasic(narrow.secret!));
    await expect(client.clientCredentialsGrant(config, { scope: 'read:things write:things' })).rejects.toMatchObject({ error: 'invalid_scope' });
    await expectOAuthError(await h.post('acme', '/token', form({ scope: 'read:things write:things' }), { authorization: basic(narrow.clientId, narrow.secret!) }), 400, 'invalid_scope');
    // OpenID scopes ask for a user; there is none in client_credentials.
    await expectOAuthError(await h.post('acme', '/token', form({ scope: 'openid' }), { authorization: basic(svc.clientId, svc.secret!) }), 400, 'invalid_scope');
  });

  it('a resource or audience the client is not registered for is invalid_target (RFC 8707 §2)', async () => {
    await expectOAuthError(await h.post('acme', '/token', form({ resource: 'https://evil.example.com' }), { authorization: basic(svc.clientId, svc.secret!) }), 400, 'invalid_target');
    await expectOAuthError(await h.post('acme', '/token', form({ audience: 'https://evil.example.com' }), { authorization: basic(svc.clientId, svc.secret!) }), 400, 'invalid_target');
    // RFC 8707 §2: a resource is an absolute URI without a fragment.
    await expectOAuthError(await h.post('acme', '/token', form({ resource: `${API}#frag` }), { authorization: basic(svc.clientId, svc.secret!) }), 400, 'invalid_target');
    const res = await h.post('acme', '/token', form({ audience: OTHER_API }), { authorization: basic(svc.clientId, svc.secret!) });
    expect(res.status).toBe(200);
  });

  it('parameters the grant did not declare are ignored', async () => {
    const res = await h.post('acme', '/token', form({ refresh_token: 'x', code: 'y', redirect_uri: 'https://evil.example.com' }), { authorization: basic(svc.clientId, svc.secret!) });
    expect(res.status).toBe(200);
  });

  it('only POST is served (405 with Allow); an unknown tenant is 404', async () => {
    const get = await fetch(`${h.issuer('acme')}/token`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toContain('POST');
    expect((await h.post('nosuchtenant', '/token', form(), { authorization: basic(svc.clientId, svc.secret!) })).status).toBe(404);
  });

  it('CORS: only an origin a client of the tenant registered may read the token endpoint from a browser', async () => {
    await h.createClient('acme', { name: 'spa-backend', cors_origins: ['https://app.example.com'] });
    const allowed = await fetch(`${h.issuer('acme')}/token`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    const denied = await fetch(`${h.issuer('acme')}/token`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    // Another tenant's client registering the origin does not open this tenant.
    await h.createClient('main', { name: 'main-spa', cors_origins: ['https://main.example.com'] });
    const cross = await h.post('acme', '/token', form(), { authorization: basic(svc.clientId, svc.secret!), origin: 'https://main.example.com' });
    expect(cross.headers.get('access-control-allow-origin')).toBeNull();
    // Errors carry the header too, so the browser can read them.
    const err = await h.post('acme', '/token', form(), { authorization: basic(svc.clientId, 'wrong'), origin: 'https://app.example.com' });
    expect(err.status).toBe(401);
    expect(err.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('the client_credentials path needs no database in the steady state (docs/operations.md): tokens keep coming with the database closed', async () => {
    const solo = await startOidc(database);
    try {
      const c = await solo.createClient('main', { name: 'svc', audiences: [API] });
      const auth = { authorization: basic(c.clientId, c.secret!) };
      // Warm the caches: tenant, client, signing keys, imported private key. (On Postgres the
      // change listener empties them once when it connects: warm again after it has.)
      expect((await solo.post('main', '/token', form(), auth)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      expect((await solo.post('main', '/token', form(), auth)).status).toBe(200);
      await solo.af.close();
      for (let i = 0; i < 3; i++) {
        const res = await solo.post('main', '/token', form({ resource: API }), auth);
        expect(res.status, JSON.stringify(solo.logs.records().filter((r) => r.level === 50))).toBe(200);
        expect(decodeProtectedHeader((await json(res)).access_token).typ).toBe('at+jwt');
      }
      // Whereas a request that does need the database now fails: the closed database is real.
      const lookup = await solo.post('main', '/introspect', { token: `af_rt_${'x'.repeat(43)}`, token_type_hint: 'refresh_token' }, auth);
      expect(lookup.status).toBe(500);
    } finally {
      await solo.stop();
    }
  });
});

async function waitFor(ok: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ok()) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
