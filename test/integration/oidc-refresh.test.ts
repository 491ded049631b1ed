// The refresh_token grant, driven by openid-client v6 over real HTTP:
// RFC 6749 §6, rotation and reuse detection (RFC 9700 §4.14.2), ID tokens on
// refresh (OIDC Core §12.2), and refresh tokens at the introspection (RFC 7662)
// and revocation (RFC 7009) endpoints.
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/crypto/index.ts';
import { DATABASES, oauthErrorOf, startFlows, type FlowHarness, type RpClient } from './oidc-flow-fixture.ts';

const MIN = 60_000;

describe.each(DATABASES)('refresh tokens (%s)', (database) => {
  let h: FlowHarness;
  beforeAll(async () => {
    // Idle 5 min, absolute 30 days (tenant); clients may shorten the absolute lifetime.
    h = await startFlows(database, { settings: { refresh_token_idle_ttl: 300 } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** A user signed in to `rp` with offline_access: the first token response. */
  async function signIn(rp: RpClient, scope = 'openid profile email offline_access') {
    const user = await h.user();
    const issued = await h.authorize(rp, user, { scope });
    const tokens = await oidc.authorizationCodeGrant(rp.config, issued.callback, issued.checks);
    return { user, issued, tokens };
  }

  const userinfoStatus = async (token: string) => (await h.fetch('/t/main/userinfo', { headers: { authorization: `Bearer ${token}` } })).status;

  it('rotates on every use (RFC 9700 §4.14.2): a new refresh token, a new access token, an ID token for the same user (OIDC Core §12.2)', async () => {
    const rp = await h.client();
    const { user, issued, tokens } = await signIn(rp);
    const first = tokens.claims()!;
    h.clock.advance(MIN);
    const next = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    expect(next.refresh_token).toMatch(/^af_rt_/);
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(next.scope).toBe('openid profile email offline_access');
    const id = next.claims()!;
    expect(id).toMatchObject({ iss: h.issuer, sub: user.id, aud: rp.clientId, azp: rp.clientId, auth_time: first.auth_time, sid: issued.sessionId, email: user.email });
    expect(id).not.toHaveProperty('nonce');
    expect(id.iat).toBeGreaterThan(first.iat);
    const at = decodeJwt(next.access_token);
    expect(at).toMatchObject({ sub: user.id, fid: decodeJwt(tokens.access_token).fid, gid: issued.grantId, auth_time: first.auth_time });
    // Offline access outlives the browser session (OIDC Core §11): no sid in refreshed access tokens.
    expect(at).not.toHaveProperty('sid');
    expect(await oidc.fetchUserInfo(rp.config, next.access_token, user.id)).toMatchObject({ sub: user.id });
    // Stored as SHA-256 only (docs/security.md).
    const { refreshTokens } = h.af.database.schema;
    const rows = await h.af.database.db.select({ hash: refreshTokens.tokenHash }).from(refreshTokens);
    expect(rows.map((r) => r.hash)).toContain(sha256(next.refresh_token!));
    expect(JSON.stringify(rows)).not.toContain(next.refresh_token!.slice(6));
  });

  it('RFC 9700 §4.14.2: presenting a rotated refresh token is invalid_grant and revokes the whole family, refresh and access tokens alike', async () => {
    const rp = await h.client();
    const { tokens } = await signIn(rp);
    const second = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    expect(await userinfoStatus(second.access_token)).toBe(200);

    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!))).toBe('invalid_grant');
    // The legitimate holder's current token is dead too, and so are the family's access tokens.
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, second.refresh_token!))).toBe('invalid_grant');
    expect(await userinfoStatus(second.access_token)).toBe(401);
    expect(await userinfoStatus(tokens.access_token)).toBe(401);
  });

  it('RFC 9700 §4.14.2: two concurrent uses of one refresh token — one wins, the other is reuse and revokes the family', async () => {
    const rp = await h.client();
    const { tokens } = await signIn(rp);
    const results = await Promise.allSettled([oidc.refreshTokenGrant(rp.config, tokens.refresh_token!), oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    const winner = (ok[0] as PromiseFulfilledResult<oidc.TokenEndpointResponse>).value;
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, winner.refresh_token!))).toBe('invalid_grant');
  });

  it('RFC 6749 §6: `scope` may narrow the access token; the refresh token keeps the original scope', async () => {
    const rp = await h.client();
    const { user, tokens } = await signIn(rp);
    const narrow = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!, { scope: 'openid email' });
    expect(narrow.scope).toBe('openid email');
    expect(decodeJwt(narrow.access_token).scope).toBe('openid email');
    const info = await oidc.fetchUserInfo(rp.config, narrow.access_token, user.id);
    expect(info).toMatchObject({ email: user.email });
    expect(info).not.toHaveProperty('name');
    const again = await oidc.refreshTokenGrant(rp.config, narrow.refresh_token!);
    expect(again.scope).toBe('openid profile email offline_access');
  });

  it('RFC 6749 §6: a scope wider than the original grant is invalid_scope', async () => {
    const rp = await h.client({ scopes: ['openid', 'profile', 'email', 'phone', 'offline_access'] });
    const { tokens } = await signIn(rp, 'openid email offline_access');
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!, { scope: 'openid phone' }))).toBe('invalid_scope');
    // The refusal did not consume the token.
    await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).resolves.toHaveProperty('access_token');
  });

  it('RFC 6749 §5.2: a refresh token unused past its idle lifetime is invalid_grant; each use slides the idle window', async () => {
    const rp = await h.client();
    const { tokens } = await signIn(rp);
    h.clock.advance(4 * MIN);
    const a = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    h.clock.advance(4 * MIN);
    const b = await oidc.refreshTokenGrant(rp.config, a.refresh_token!);
    h.clock.advance(5 * MIN + 1_000);
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, b.refresh_token!))).toBe('invalid_grant');
  });

  it('RFC 6749 §5.2: past the family\'s absolute lifetime a refresh token is invalid_grant however recently it was rotated', async () => {
    const rp = await h.client({ refresh_token_ttl: 600 });
    const { tokens } = await signIn(rp);
    let current = tokens.refresh_token!;
    for (let i = 0; i < 2; i++) {
      h.clock.advance(4 * MIN);
      current = (await oidc.refreshTokenGrant(rp.config, current)).refresh_token!;
    }
    h.clock.advance(2 * MIN + 1_000); // 10 min + 1 s after the code exchange; 2 min after the last rotation
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, current))).toBe('invalid_grant');
  });

  it('RFC 6749 §6: another client\'s refresh token is invalid_grant (and does not burn it)', async () => {
    const owner = await h.client();
    const other = await h.client();
    const { tokens } = await signIn(owner);
    expect(await oauthErrorOf(oidc.refreshTokenGrant(other.config, tokens.refresh_token!))).toBe('invalid_grant');
    await expect(oidc.refreshTokenGrant(owner.config, tokens.refresh_token!)).resolves.toHaveProperty('access_token');
  });

  it('docs/security.md tenant isolation: a refresh token is unknown at another tenant', async () => {
    const { LOCAL_ADMIN } = await import('../../src/core/admin/index.ts');
    await h.af.admin.tenants.create(LOCAL_ADMIN, { slug: 'second', name: 'Second' }).catch(() => undefined);
    const second = await h.tenantBySlug('second');
    const rp2 = await h.client({ slug: 'second' });
    const user2 = await h.user({ tenantId: second.id });
    const issued = await h.authorize(rp2, user2, { tenant: second });
    const tokens = await oidc.authorizationCodeGrant(rp2.config, issued.callback, issued.checks);
    const rpMain = await h.client();
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rpMain.config, tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('RFC 6749 §5.2: a disabled user\'s or a revoked grant\'s refresh token is invalid_grant', async () => {
    const rp = await h.client();
    const a = await signIn(rp);
    await h.disableUser(a.user);
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, a.tokens.refresh_token!))).toBe('invalid_grant');

    const b = await signIn(rp);
    const grant = (await h.af.repo.grants.byUserAndClient(h.tenant.id, b.user.id, rp.clientId))!;
    await h.af.repo.grants.save({ ...grant, revokedAt: h.clock.now(), updatedAt: h.clock.now() });
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, b.tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('a refresh with only `openid`-less scopes returns no ID token', async () => {
    const rp = await h.client();
    const { tokens } = await signIn(rp);
    const r = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!, { scope: 'email' });
    expect(r.id_token).toBeUndefined();
    expect(r.scope).toBe('email');
  });

  describe('introspection (RFC 7662) and revocation (RFC 7009) of refresh tokens', () => {
    it('introspects the client\'s live refresh token; rotated, foreign and unknown ones are { active: false } (RFC 7662 §2.2)', async () => {
      const rp = await h.client();
      const { user, tokens } = await signIn(rp);
      const live = await oidc.tokenIntrospection(rp.config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
      expect(live).toMatchObject({ active: true, client_id: rp.clientId, sub: user.id, scope: 'openid profile email offline_access' });
      expect(live.exp).toBeGreaterThan(Math.floor(h.clock.now() / 1000));

      const other = await h.client();
      expect(await oidc.tokenIntrospection(other.config, tokens.refresh_token!)).toEqual({ active: false });
      await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
      expect(await oidc.tokenIntrospection(rp.config, tokens.refresh_token!)).toEqual({ active: false });
      expect(await oidc.tokenIntrospection(rp.config, 'af_rt_unknown')).toEqual({ active: false });
    });

    it('RFC 7009 §2.1: revoking a refresh token revokes its family and the access tokens based on it', async () => {
      const rp = await h.client();
      const { tokens } = await signIn(rp);
      const next = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
      await oidc.tokenRevocation(rp.config, next.refresh_token!, { token_type_hint: 'refresh_token' });
      expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, next.refresh_token!))).toBe('invalid_grant');
      expect(await oidc.tokenIntrospection(rp.config, next.refresh_token!)).toEqual({ active: false });
      expect(await userinfoStatus(next.access_token)).toBe(401);
      expect(await userinfoStatus(tokens.access_token)).toBe(401);
    });

    it('RFC 7009 §2.1: another client cannot revoke a refresh token (the answer is still 200)', async () => {
      const rp = await h.client();
      const { tokens } = await signIn(rp);
      const other = await h.client();
      await oidc.tokenRevocation(other.config, tokens.refresh_token!);
      await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).resolves.toHaveProperty('access_token');
    });
  });
});
