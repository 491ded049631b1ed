// The authorization code flow at the token endpoint, driven by openid-client
// v6 as the relying party over real HTTP: RFC 6749 §4.1.3, RFC 7636 §4.6,
// OpenID Connect Core §3.1.3 (token response, ID token) and what a replayed
// code must revoke (RFC 6749 §4.1.2, RFC 9700 §4.2.4).
import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { publishedKeys } from '../../src/core/keys/lifecycle.ts';
import { DATABASES, oauthErrorOf, startFlows, tokenRequest, type FlowHarness } from './oidc-flow-fixture.ts';

/** OIDC Core §3.1.3.6: base64url of the left half of the hash (SHA-256 for RS256/ES256, SHA-512 for EdDSA/Ed25519). */
function expectedAtHash(alg: string, accessToken: string): string {
  const d = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(accessToken).digest();
  return d.subarray(0, d.length / 2).toString('base64url');
}

/** Verifies a JWT against the keys the tenant publishes now (what /jwks serves). */
async function verifyWithTenantKeys(h: FlowHarness, jwt: string, alg: string) {
  const keys = publishedKeys(await h.af.repo.signingKeys.listByTenant(h.tenant.id), h.clock.now()).map((k) => k.publicJwk);
  return jwtVerify(jwt, createLocalJWKSet({ keys }), { algorithms: [alg], currentDate: new Date(h.clock.now()) });
}

describe.each(DATABASES)('authorization code flow (%s)', (database) => {
  let h: FlowHarness;
  beforeAll(async () => {
    h = await startFlows(database, { settings: { scopes: { org: { description: 'Organisation', claims: ['department', 'employee_id'] } } } });
    await h.af.admin.keys.rotate(LOCAL_ADMIN, 'main', { alg: 'EdDSA', delay: 0 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('exchanges a code with PKCE for an RS256 ID token (OIDC Core §3.1.3.3/§3.1.3.6), an RFC 9068 access token and a refresh token', async () => {
    const rp = await h.client();
    const user = await h.user({ attributes: { nickname: 'ada' } });
    const issued = await h.authorize(rp, user);
    const before = Math.floor(h.clock.now() / 1000);
    const tokens = await oidc.authorizationCodeGrant(rp.config, issued.callback, issued.checks);

    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope).toBe('openid profile email offline_access');
    expect(tokens.expires_in).toBe(600);
    expect(tokens.refresh_token).toMatch(/^af_rt_[A-Za-z0-9_-]{43}$/);

    const idToken = tokens.id_token!;
    expect(decodeProtectedHeader(idToken).alg).toBe('RS256');
    const { payload: id } = await verifyWithTenantKeys(h, idToken, 'RS256');
    const now = Math.floor(h.clock.now() / 1000);
    expect(id).toMatchObject({
      iss: h.issuer,
      sub: user.id,
      aud: rp.clientId,
      azp: rp.clientId,
      nonce: issued.nonce,
      auth_time: Math.floor((await h.af.repo.sessions.byId(h.tenant.id, issued.sessionId))!.authTime / 1000),
      amr: ['pwd'],
      sid: issued.sessionId,
      at_hash: expectedAtHash('RS256', tokens.access_token),
      // profile + email scope claims (OIDC Core §5.4)
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      nickname: 'ada',
      locale: 'en-GB',
      email: user.email,
      email_verified: true,
    });
    expect(id.iat).toBeGreaterThanOrEqual(before);
    expect(id.iat).toBeLessThanOrEqual(now);
    expect(id.exp! - id.iat!).toBe(3600); // tenant id_token_ttl
    // No claim the user has no value for is sent as null (OIDC Core §5.3.2).
    expect(Object.values(id).includes(null)).toBe(false);
    expect(id).not.toHaveProperty('picture');
    // openid-client's own view (it validated iss, aud, azp, nonce, exp, iat).
    expect(tokens.claims()!.sub).toBe(user.id);

    const at = decodeJwt(tokens.access_token);
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(at).toMatchObject({ iss: h.issuer, sub: user.id, client_id: rp.clientId, scope: 'openid profile email offline_access', sid: issued.sessionId, fid: expect.any(String), gid: issued.grantId });

    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, user.id);
    expect(info).toMatchObject({ sub: user.id, name: 'Ada Lovelace', email: user.email, email_verified: true });
  });

  it.each(['ES256', 'EdDSA'] as const)('signs the ID token with the client\'s id_token_signed_response_alg %s, at_hash with the matching hash', async (alg) => {
    const rp = await h.client({ id_token_signed_response_alg: alg });
    const user = await h.user();
    const issued = await h.authorize(rp, user, { scope: 'openid' });
    const tokens = await oidc.authorizationCodeGrant(rp.config, issued.callback, issued.checks);
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe(alg);
    const { payload } = await verifyWithTenantKeys(h, tokens.id_token!, alg);
    expect(payload.at_hash).toBe(expectedAtHash(alg, tokens.access_token));
    // Scope `openid` alone releases no profile claims.
    expect(payload).not.toHaveProperty('email');
    expect(payload).not.toHaveProperty('name');
  });

  it('releases custom-scope claims from user attributes and essential id_token claims of the `claims` parameter (OIDC Core §5.5)', async () => {
    const rp = await h.client({ scopes: ['openid', 'profile', 'email', 'offline_access', 'org'] });
    const user = await h.user({ phone: '+441234567890', phoneVerified: true, attributes: { department: 'Analytical Engines', employee_id: 'E-1815', birthdate: '1815-12-10' } });
    const issued = await h.authorize(rp, user, { scope: 'openid org', claims: { id_token: { phone_number: { essential: true }, birthdate: null }, userinfo: { phone_number: { essential: true } } } });
    const tokens = await oidc.authorizationCodeGrant(rp.config, issued.callback, issued.checks);
    const id = tokens.claims()!;
    expect(id).toMatchObject({ department: 'Analytical Engines', employee_id: 'E-1815', phone_number: '+441234567890', birthdate: '1815-12-10' });
    expect(id).not.toHaveProperty('email');
    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, user.id);
    expect(info).toMatchObject({ sub: user.id, department: 'Analytical Engines', employee_id: 'E-1815' });
  });

  it('issues no refresh token without offline_access, nor to a client without the refresh_token grant (OIDC Core §11)', async () => {
    const rp = await h.client();
    const user = await h.user();
    const a = await h.authorize(rp, user, { scope: 'openid profile' });
    expect((await oidc.authorizationCodeGrant(rp.config, a.callback, a.checks)).refresh_token).toBeUndefined();

    const noRefresh = await h.client({ grant_types: ['authorization_code'] });
    const b = await h.authorize(noRefresh, user, { scope: 'openid offline_access' });
    const tokens = await oidc.authorizationCodeGrant(noRefresh.config, b.callback, b.checks);
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.access_token).toBeTruthy();
  });

  it('a public client (token_endpoint_auth_method none) exchanges with PKCE', async () => {
    const rp = await h.client({ type: 'public' });
    const user = await h.user();
    const issued = await h.authorize(rp, user);
    const tokens = await oidc.authorizationCodeGrant(rp.config, issued.callback, issued.checks);
    expect(tokens.claims()!.sub).toBe(user.id);
  });

  describe('refusals', () => {
    it('RFC 6749 §4.1.2 / RFC 9700 §4.2.4: a replayed code is invalid_grant and revokes the refresh token and access token the first exchange issued', async () => {
      const rp = await h.client();
      const user = await h.user();
      const issued = await h.authorize(rp, user);
      const first = await oidc.authorizationCodeGrant(rp.config, issued.callback, issued.checks);
      expect(await oidc.fetchUserInfo(rp.config, first.access_token, user.id)).toMatchObject({ sub: user.id });

      expect(await oauthErrorOf(oidc.authorizationCodeGrant(rp.config, issued.callback, issued.checks))).toBe('invalid_grant');
      expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, first.refresh_token!))).toBe('invalid_grant');
      const res = await h.fetch('/t/main/userinfo', { headers: { authorization: `Bearer ${first.access_token}` } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    });

    it('RFC 6749 §4.1.2: an expired code is invalid_grant', async () => {
      const rp = await h.client();
      const issued = await h.authorize(rp, await h.user());
      h.clock.advance(61_000);
      expect(await oauthErrorOf(oidc.authorizationCodeGrant(rp.config, issued.callback, issued.checks))).toBe('invalid_grant');
    });

    it('RFC 6749 §4.1.3: a code issued to another client is invalid_grant', async () => {
      const owner = await h.client();
      const thief = await h.client();
      const issued = await h.authorize(owner, await h.user());
      expect(await oauthErrorOf(oidc.authorizationCodeGrant(thief.config, issued.callback, issued.checks))).toBe('invalid_grant');
    });

    it('RFC 6749 §4.1.3: a redirect_uri other than the authorization request\'s is invalid_grant', async () => {
      const rp = await h.client({ redirect_uris: ['https://rp.example.com/callback', 'https://rp.example.com/other'] });
      const issued = await h.authorize(rp, await h.user());
      const r = await tokenRequest(h, rp, { grant_type: 'authorization_code', code: issued.code, redirect_uri: 'https://rp.example.com/other', code_verifier: issued.verifier });
      expect(r).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('OIDC Core §3.1.3.2: a missing redirect_uri is invalid_request and leaves the code usable', async () => {
      const rp = await h.client();
      const issued = await h.authorize(rp, await h.user());
      const r = await tokenRequest(h, rp, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier });
      expect(r).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      await expect(oidc.authorizationCodeGrant(rp.config, issued.callback, issued.checks)).resolves.toHaveProperty('access_token');
    });

    it('RFC 7636 §4.6: a missing code_verifier for a code with a challenge is invalid_grant', async () => {
      const rp = await h.client();
      const issued = await h.authorize(rp, await h.user());
      const r = await tokenRequest(h, rp, { grant_type: 'authorization_code', code: issued.code, redirect_uri: rp.redirectUri });
      expect(r).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('RFC 7636 §4.6: an incorrect code_verifier is invalid_grant', async () => {
      const rp = await h.client();
      const issued = await h.authorize(rp, await h.user());
      const checks = { ...issued.checks, pkceCodeVerifier: oidc.randomPKCECodeVerifier() };
      expect(await oauthErrorOf(oidc.authorizationCodeGrant(rp.config, issued.callback, checks))).toBe('invalid_grant');
    });

    it('RFC 7636 §4.1: a code_verifier outside 43–128 unreserved characters is invalid_request', async () => {
      const rp = await h.client();
      const issued = await h.authorize(rp, await h.user());
      const r = await tokenRequest(h, rp, { grant_type: 'authorization_code', code: issued.code, redirect_uri: rp.redirectUri, code_verifier: 'short' });
      expect(r).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    });

    it('RFC 9700 §4.8.2: a code_verifier for a code issued without a challenge (PKCE downgrade) is invalid_grant', async () => {
      const rp = await h.client();
      const issued = await h.authorize(rp, await h.user(), { pkce: false });
      const r = await tokenRequest(h, rp, { grant_type: 'authorization_code', code: issued.code, redirect_uri: rp.redirectUri, code_verifier: issued.verifier });
      expect(r).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('RFC 9700 §2.1.1: a public client\'s code without PKCE is invalid_grant', async () => {
      const rp = await h.client({ type: 'public' });
      const issued = await h.authorize(rp, await h.user(), { pkce: false });
      const r = await tokenRequest(h, rp, { grant_type: 'authorization_code', code: issued.code, redirect_uri: rp.redirectUri });
      expect(r).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('docs/security.md tenant isolation: a code of one tenant is unknown at another tenant\'s token endpoint', async () => {
      await h.af.admin.tenants.create(LOCAL_ADMIN, { slug: 'other', name: 'Other' }).catch(() => undefined);
      const other = await h.tenantBySlug('other');
      const rp = await h.client({ slug: 'other' });
      const user = await h.user({ tenantId: other.id });
      const issued = await h.authorize(rp, user, { tenant: other });
      const mainRp = await h.client();
      // The same code presented by a client of `main` at `main`: unknown there.
      const r = await tokenRequest(h, mainRp, { grant_type: 'authorization_code', code: issued.code, redirect_uri: mainRp.redirectUri, code_verifier: issued.verifier });
      expect(r).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      // …and still good at its own tenant.
      await expect(oidc.authorizationCodeGrant(rp.config, issued.callback, issued.checks)).resolves.toHaveProperty('id_token');
    });

    it('a disabled user\'s code is invalid_grant', async () => {
      const rp = await h.client();
      const user = await h.user();
      const issued = await h.authorize(rp, user);
      await h.disableUser(user);
      expect(await oauthErrorOf(oidc.authorizationCodeGrant(rp.config, issued.callback, issued.checks))).toBe('invalid_grant');
    });
  });
});
