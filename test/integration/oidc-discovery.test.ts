// Discovery (OIDC Discovery 1.0 §3–4; RFC 8414 §2–3, path-inserted form) and
// the tenant's JWKS (RFC 7517 §5), as a relying party sees them: openid-client
// discovers both documents; every advertised endpoint is served; the key set
// holds public members only and is cacheable for a short, bounded time.

import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, json, startOidc, type OidcHarness } from './oidc-fixture.ts';

describe.each(DATABASES)('discovery and JWKS (%s)', (database) => {
  let h: OidcHarness;
  beforeAll(async () => {
    h = await startOidc(database);
    await h.createTenant('acme', { scopes: { 'read:things': { claims: [] } } });
    await h.createTenant('webonly', { grant_types: ['authorization_code', 'refresh_token'] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('openid-client discovers the tenant both ways (OIDC Discovery §4, RFC 8414 §3) and gets one document', async () => {
    const oidc = await h.discover('acme', 'x', client.None(), 'oidc');
    const oauth = await h.discover('acme', 'x', client.None(), 'oauth2');
    expect(oidc.serverMetadata().issuer).toBe(h.issuer('acme'));
    expect(oauth.serverMetadata()).toEqual(oidc.serverMetadata());
  });

  it('advertises what this server implements, from the endpoints it registered', async () => {
    const res = await fetch(`${h.issuer('acme')}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = await json(res);
    const iss = h.issuer('acme');
    expect(doc).toMatchObject({
      issuer: iss,
      token_endpoint: `${iss}/token`,
      jwks_uri: `${iss}/jwks`,
      introspection_endpoint: `${iss}/introspect`,
      revocation_endpoint: `${iss}/revoke`,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    });
    expect(doc.grant_types_supported).toContain('client_credentials');
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'offline_access', 'read:things']));
    expect(Array.isArray(doc.response_types_supported)).toBe(true); // REQUIRED (RFC 8414 §2)
    expect(doc.claims_supported).toEqual(expect.arrayContaining(['sub', 'iss']));
    // Every endpoint it names is served (a 404 would be an advertised lie).
    const urls = Object.entries(doc).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri').map(([, v]) => v as string);
    expect(urls.length).toBeGreaterThanOrEqual(4);
    for (const url of urls) {
      expect(url.startsWith(`${iss}/`), url).toBe(true);
      expect((await fetch(url)).status, url).not.toBe(404);
    }
  });

  it("grant_types_supported follows the tenant's settings (RFC 8414 §2)", async () => {
    const doc = await json(await fetch(`${h.issuer('webonly')}/.well-known/openid-configuration`));
    expect(doc.grant_types_supported).not.toContain('client_credentials');
  });

  it('is publicly cacheable for a short time, with an ETag and 304, readable from any origin', async () => {
    const url = `${h.issuer('acme')}/.well-known/openid-configuration`;
    const res = await fetch(url, { headers: { origin: 'https://rp.example.com' } });
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('the RFC 8414 path-inserted URL serves the same document; unknown tenants are 404', async () => {
    const a = await json(await fetch(`${h.url}/.well-known/oauth-authorization-server/t/acme`));
    const b = await json(await fetch(`${h.issuer('acme')}/.well-known/openid-configuration`));
    expect(a).toEqual(b);
    expect((await fetch(`${h.url}/.well-known/oauth-authorization-server/t/nosuch`)).status).toBe(404);
    expect((await fetch(`${h.url}/t/nosuch/.well-known/openid-configuration`)).status).toBe(404);
    expect((await fetch(`${h.url}/t/nosuch/jwks`)).status).toBe(404);
  });

  it('JWKS: public members only (RFC 7517 §5, RFC 7518 §6), kid/alg/use on each, the tenant\'s own keys', async () => {
    const res = await fetch(`${h.issuer('acme')}/jwks`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jwk-set+json');
    const { keys } = await json(res);
    expect(keys.map((k: { alg: string }) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const k of keys) {
      expect(k.use).toBe('sig');
      expect(typeof k.kid).toBe('string');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(k).not.toHaveProperty(secret);
      expect(Object.keys(k).every((m) => ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use'].includes(m))).toBe(true);
    }
    const other = (await json(await fetch(`${h.issuer('main')}/jwks`))).keys.map((k: { kid: string }) => k.kid);
    expect(keys.some((k: { kid: string }) => other.includes(k.kid))).toBe(false);
  });

  it('JWKS: cacheable for at most min(900 s, key_rotation_delay / 4), ETag + 304, readable from any origin', async () => {
    const url = `${h.issuer('acme')}/jwks`;
    const res = await fetch(url, { headers: { origin: 'https://rp.example.com' } });
    expect(res.headers.get('cache-control')).toBe('public, max-age=900');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect((await fetch(url, { headers: { 'if-none-match': res.headers.get('etag')! } })).status).toBe(304);
    await h.createTenant('fastrotate', { key_rotation_delay: 400 });
    const fast = await fetch(`${h.issuer('fastrotate')}/jwks`);
    expect(fast.headers.get('cache-control')).toBe('public, max-age=100');
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
