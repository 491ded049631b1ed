// Token introspection (RFC 7662) and revocation (RFC 7009) of access tokens,
// and how access-token verification follows signing-key rotation: a client
// sees only its own tokens, of its own tenant; a revoked token, one signed by
// a key no longer published, one with alg "none" are inactive.
// Real HTTP, real database (SQLite; Postgres when configured), openid-client.

import { base64url, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { basic, DATABASES, json, startOidc, type OidcHarness, type RegisteredClient } from './oidc-fixture.ts';

const API = 'https://api.example.com';

describe.each(DATABASES)('introspection and revocation (%s)', (database) => {
  let h: OidcHarness;
  let a: RegisteredClient;
  let b: RegisteredClient;
  let configA: client.Configuration;
  beforeAll(async () => {
    h = await startOidc(database);
    a = await h.createClient('main', { name: 'a', audiences: [API] });
    b = await h.createClient('main', { name: 'b', audiences: [API] });
    configA = await h.discover('main', a.clientId, client.ClientSecretBasic(a.secret!));
  });
  afterAll(async () => {
    await h?.stop();
  });

  const tokenFor = async (slug: string, c: RegisteredClient): Promise<string> => {
    const res = await h.post(slug, '/token', { grant_type: 'client_credentials' }, { authorization: basic(c.clientId, c.secret!) });
    expect(res.status).toBe(200);
    return (await json(res)).access_token;
  };
  const introspect = async (slug: string, c: RegisteredClient, token: string, extra: Record<string, string> = {}) => {
    const res = await h.post(slug, '/introspect', { token, ...extra }, { authorization: basic(c.clientId, c.secret!) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    return json(res);
  };

  it('openid-client introspects an active token: RFC 7662 §2.2 members', async () => {
    const t = await client.clientCredentialsGrant(configA);
    const r = await client.tokenIntrospection(configA, t.access_token);
    const payload = JSON.parse(Buffer.from(t.access_token.split('.')[1]!, 'base64url').toString());
    expect(r).toEqual({ active: true, client_id: a.clientId, sub: a.clientId, exp: payload.exp, iat: payload.iat, iss: h.issuer('main'), aud: API, jti: payload.jti, token_type: 'Bearer' });
  });

  it('token_type_hint is only a hint (RFC 7662 §2.1): a wrong or unknown hint still finds the token', async () => {
    const t = await tokenFor('main', a);
    expect((await introspect('main', a, t, { token_type_hint: 'refresh_token' })).active).toBe(true);
    expect((await introspect('main', a, t, { token_type_hint: 'urn:example:whatever' })).active).toBe(true);
  });

  it("another client's token is { active: false } (a client introspects only its own tokens)", async () => {
    const t = await tokenFor('main', b);
    expect(await introspect('main', a, t)).toEqual({ active: false });
    expect((await introspect('main', b, t)).active).toBe(true);
  });

  it("a token of tenant A introspected at tenant B is { active: false } (tenant isolation, docs/security.md)", async () => {
    await h.createTenant('beta');
    const other = await h.createClient('beta', { name: 'beta-svc' });
    const tokenOfMain = await tokenFor('main', a);
    expect(await introspect('beta', other, tokenOfMain)).toEqual({ active: false });
  });

  it('garbage, an opaque unknown token, and alg "none" are { active: false } (RFC 7662 §2.2; RFC 8725 §3.1)', async () => {
    expect(await introspect('main', a, 'garbage')).toEqual({ active: false });
    expect(await introspect('main', a, `af_rt_${'x'.repeat(43)}`)).toEqual({ active: false });
    const real = await tokenFor('main', a);
    const [, payload] = real.split('.');
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: decodeProtectedHeader(real).kid }))}.${payload}.`;
    expect(await introspect('main', a, none)).toEqual({ active: false });
    // The same claims with the signature of another token: refused.
    const other = (await tokenFor('main', a)).split('.');
    expect(await introspect('main', a, `${other[0]}.${payload}.${other[2]}`)).toEqual({ active: false });
  });

  it('a missing token is invalid_request; a public client (auth "none") may not introspect (RFC 7662 §2.1)', async () => {
    const res = await h.post('main', '/introspect', {}, { authorization: basic(a.clientId, a.secret!) });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBe('invalid_request');
    const pub = await h.createClient('main', { name: 'spa', type: 'public', redirect_uris: ['https://app.example.com/cb'] });
    const denied = await h.post('main', '/introspect', { token: 'x', client_id: pub.clientId });
    expect(denied.status).toBe(401);
    expect((await json(denied)).error).toBe('invalid_client');
    // …but may revoke with its client_id alone (RFC 7009 §2.1, §5).
    expect((await h.post('main', '/revoke', { token: 'x', client_id: pub.clientId })).status).toBe(200);
  });

  it('a revoked access token is inactive afterwards (RFC 7009 §2.1), with openid-client on both ends', async () => {
    const t = await client.clientCredentialsGrant(configA);
    expect((await client.tokenIntrospection(configA, t.access_token)).active).toBe(true);
    await client.tokenRevocation(configA, t.access_token, { token_type_hint: 'access_token' });
    expect((await client.tokenIntrospection(configA, t.access_token)).active).toBe(false);
    // Revoking again, or something that is no token at all: the same 200 (RFC 7009 §2.2).
    await client.tokenRevocation(configA, t.access_token);
    const res = await h.post('main', '/revoke', { token: 'not-a-token' }, { authorization: basic(a.clientId, a.secret!) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it("revoking another client's token does nothing, and says nothing (RFC 7009 §2.1)", async () => {
    const t = await tokenFor('main', b);
    const res = await h.post('main', '/revoke', { token: t }, { authorization: basic(a.clientId, a.secret!) });
    expect(res.status).toBe(200);
    expect((await introspect('main', b, t)).active).toBe(true);
  });

  it('the revocation is kept until the token expires, then removed by later writes (no unbounded growth)', async () => {
    const t = await tokenFor('main', a);
    const exp: number = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).exp;
    await h.post('main', '/revoke', { token: t }, { authorization: basic(a.clientId, a.secret!) });
    const jti: string = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).jti;
    const tenantId = (await h.af.repo.tenants.bySlug('main'))!.id;
    expect(await h.af.repo.revocations.anyRevoked(tenantId, { jti }, Date.now())).toBe(true);
    // Past the token's expiry (and the margin) the entry no longer counts, and the next revocation deletes it.
    const later = (exp + 3600) * 1000;
    expect(await h.af.repo.revocations.anyRevoked(tenantId, { jti }, later)).toBe(false);
    await h.af.repo.revocations.revoke(tenantId, 'jti', 'another', later + 60_000, later);
    expect(await h.af.repo.revocations.anyRevoked(tenantId, { jti }, exp * 1000)).toBe(false);
  });
});

describe.each(DATABASES)('access tokens across signing-key rotation (%s)', (database) => {
  let h: OidcHarness;
  let c: RegisteredClient;
  beforeAll(async () => {
    h = await startOidc(database);
    c = await h.createClient('main', { name: 'svc', audiences: [API] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const token = async () => {
    const res = await h.post('main', '/token', { grant_type: 'client_credentials' }, { authorization: basic(c.clientId, c.secret!) });
    expect(res.status).toBe(200);
    return (await json(res)).access_token as string;
  };
  const active = async (t: string) => (await json(await h.post('main', '/introspect', { token: t }, { authorization: basic(c.clientId, c.secret!) }))).active as boolean;
  const jwks = async () => (await json(await fetch(`${h.issuer('main')}/jwks`))) as { keys: { kid: string }[] };

  it('a token signed before `key rotate` still verifies while the old key is published; one whose key has expired does not', async () => {
    const before = await token();
    const oldKid = decodeProtectedHeader(before).kid!;
    const { key, retiring } = await h.af.admin.keys.rotate(LOCAL_ADMIN, 'main', { alg: 'ES256', delay: 0 });
    expect(retiring?.kid).toBe(oldKid);
    // New tokens are signed by the new key (the server's caches follow the change at once).
    const after = await token();
    expect(decodeProtectedHeader(after).kid).toBe(key.kid);
    expect(await active(before)).toBe(true);
    expect(await active(after)).toBe(true);
    // Relying parties verifying with the JWKS accept both, as long as both are published.
    const set = await jwks();
    expect(set.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, key.kid]));
    await jwtVerify(before, createLocalJWKSet(set as never), { typ: 'at+jwt' });

    // The retired key expires (its publication window ends) while `before` has not: from then on it is refused.
    const tenantId = (await h.af.repo.tenants.bySlug('main'))!.id;
    const old = (await h.af.repo.signingKeys.listByTenant(tenantId)).find((k) => k.kid === oldKid)!;
    await h.af.repo.signingKeys.update({ ...old, state: 'retired', retiredAt: h.clock.now() - 2000, expiresAt: h.clock.now() - 1000 });
    await waitFor(async () => !(await jwks()).keys.some((k) => k.kid === oldKid));
    expect(await active(before)).toBe(false);
    expect(await active(after)).toBe(true);
  });

  it('a key published by a rotation with a delay is in the JWKS before it signs, and the JWKS max-age ends before it does', async () => {
    const current = decodeProtectedHeader(await token()).kid!;
    const { key } = await h.af.admin.keys.rotate(LOCAL_ADMIN, 'main', { alg: 'ES256', delay: 1200 });
    await waitFor(async () => (await jwks()).keys.some((k) => k.kid === key.kid));
    const res = await fetch(`${h.issuer('main')}/jwks`);
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')![1]);
    // min(900, key_rotation_delay / 4) = 900, and never past the activation 1200 s away.
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(900);
    expect(decodeProtectedHeader(await token()).kid).toBe(current);
    h.clock.advance(1201_000);
    try {
      expect(decodeProtectedHeader(await token()).kid).toBe(key.kid);
      const soon = await fetch(`${h.issuer('main')}/jwks`);
      // The retired key expires one publication window (3600 s, the longest token lifetime) after the switch.
      expect(Number(/max-age=(\d+)/.exec(soon.headers.get('cache-control') ?? '')![1])).toBeLessThanOrEqual(900);
    } finally {
      h.clock.advance(-1201_000);
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
