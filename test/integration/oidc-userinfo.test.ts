// The UserInfo endpoint (OIDC Core §5.3) as a bearer-protected resource
// (RFC 6750), with openid-client v6 as the relying party over real HTTP, and
// hand-made requests for what a well-behaved RP never sends.
import { SignJWT, base64url, importJWK, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { signingKeyContext } from '../../src/core/keys/signing-key.ts';
import { DATABASES, startFlows, type FlowHarness, type RpClient } from './oidc-flow-fixture.ts';

describe.each(DATABASES)('userinfo (%s)', (database) => {
  let h: FlowHarness;
  let rp: RpClient;
  beforeAll(async () => {
    h = await startFlows(database);
    rp = await h.client({ cors_origins: ['https://app.example.com'] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function signIn(scope = 'openid profile email', client = rp) {
    const user = await h.user({ attributes: { website: 'https://ada.example.com' } });
    const issued = await h.authorize(client, user, { scope, ...(scope.split(' ').includes('openid') ? {} : { nonce: null }) });
    const tokens = await oidc.authorizationCodeGrant(client.config, issued.callback, issued.checks);
    return { user, issued, tokens };
  }

  const get = (token: string | undefined, init: RequestInit & { query?: string; slug?: string } = {}) =>
    h.fetch(`/t/${init.slug ?? 'main'}/userinfo${init.query ?? ''}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string> | undefined) } });

  async function expectInvalidToken(res: Response): Promise<void> {
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="authflow", error="invalid_token"/);
    expect(await res.json()).toMatchObject({ error: 'invalid_token' });
  }

  it('OIDC Core §5.3.2: returns sub and the claims of the granted scopes, uncached (GET with the Authorization header)', async () => {
    const { user, tokens } = await signIn();
    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, user.id);
    expect(info).toEqual({
      sub: user.id,
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      website: 'https://ada.example.com',
      locale: 'en-GB',
      updated_at: Math.floor(user.updatedAt / 1000),
      email: user.email,
      email_verified: true,
    });
    const res = await get(tokens.access_token);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('only `sub` for a token with `openid` alone (OIDC Core §5.4)', async () => {
    const { user, tokens } = await signIn('openid');
    expect(await oidc.fetchUserInfo(rp.config, tokens.access_token, user.id)).toEqual({ sub: user.id });
  });

  it('RFC 6750 §2.2: accepts the token in a POST form body', async () => {
    const { user, tokens } = await signIn();
    const res = await h.fetch('/t/main/userinfo', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: tokens.access_token }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: user.id, email: user.email });
  });

  it('RFC 6750 §2: a token sent two ways at once is invalid_request (400)', async () => {
    const { tokens } = await signIn();
    const res = await h.fetch('/t/main/userinfo', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: tokens.access_token }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('RFC 9700 §4.3.2 / RFC 6750 §2.3: a token in the query string is refused (invalid_request), even when valid', async () => {
    const { tokens } = await signIn();
    const res = await get(undefined, { query: `?access_token=${tokens.access_token}` });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('RFC 6750 §3.1: no token at all is 401 with a bare Bearer challenge (no error code)', async () => {
    const res = await get(undefined);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="authflow"');
  });

  it('RFC 6750 §3.1: a token without `openid` is insufficient_scope (403)', async () => {
    const { tokens } = await signIn('profile email');
    const res = await get(tokens.access_token);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="openid"/);
  });

  it('docs/security.md tenant isolation: another tenant\'s valid token is invalid_token (401)', async () => {
    await h.af.admin.tenants.create(LOCAL_ADMIN, { slug: 'elsewhere', name: 'Elsewhere' });
    const other = await h.tenantBySlug('elsewhere');
    const rp2 = await h.client({ slug: 'elsewhere' });
    const user2 = await h.user({ tenantId: other.id });
    const issued = await h.authorize(rp2, user2, { tenant: other, scope: 'openid email' });
    const tokens = await oidc.authorizationCodeGrant(rp2.config, issued.callback, issued.checks);
    expect((await get(tokens.access_token, { slug: 'elsewhere' })).status).toBe(200);
    await expectInvalidToken(await get(tokens.access_token));
  });

  it('RFC 6750 §3.1 / RFC 8725 §3.1: `alg: none`, an HMAC over the public key, and a tampered signature are invalid_token', async () => {
    const { tokens } = await signIn();
    const [header, payload, signature] = tokens.access_token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const enc = (o: unknown) => base64url.encode(JSON.stringify(o));
    const kid = JSON.parse(Buffer.from(header, 'base64url').toString()).kid as string;
    await expectInvalidToken(await get(`${enc({ alg: 'none', typ: 'at+jwt' })}.${payload}.`));
    await expectInvalidToken(await get(`${enc({ alg: 'none', typ: 'at+jwt', kid })}.${payload}.`));

    const keys = await h.af.repo.signingKeys.listByTenant(h.tenant.id);
    const es = keys.find((k) => k.kid === kid)!;
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid }).sign(new TextEncoder().encode(JSON.stringify(es.publicJwk)));
    await expectInvalidToken(await get(hs));

    const flipped = `${header}.${enc({ ...claims, sub: 'someone-else' })}.${signature}`;
    await expectInvalidToken(await get(flipped));
  });

  it('RFC 6750 §3.1: an expired access token is invalid_token', async () => {
    const { tokens } = await signIn();
    h.clock.advance(601_000 + 5_000);
    await expectInvalidToken(await get(tokens.access_token));
  });

  it('a token signed by a retired key whose publication has expired is invalid_token, even with an unexpired `exp`', async () => {
    const { tokens } = await signIn();
    const kid = JSON.parse(Buffer.from(tokens.access_token.split('.')[0]!, 'base64url').toString()).kid as string;
    const old = (await h.af.repo.signingKeys.listByTenant(h.tenant.id)).find((k) => k.kid === kid)!;
    const privateJwk = JSON.parse(h.af.keyRing.decrypt(old.privateJwkEnc, signingKeyContext(h.tenant.id, kid))) as JWK;
    const forge = async () => {
      const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
      const now = Math.floor(h.clock.now() / 1000);
      return new SignJWT({ ...claims, iat: now, exp: now + 86_400 }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(await importJWK(privateJwk, 'ES256'));
    };
    // Still published (active): a token it signs is accepted.
    expect((await get(await forge())).status).toBe(200);
    await h.af.admin.keys.rotate(LOCAL_ADMIN, 'main', { alg: 'ES256', delay: 0 });
    // Retired but still published (its tokens may be alive): accepted.
    expect((await get(await forge())).status).toBe(200);
    const retired = (await h.af.repo.signingKeys.listByTenant(h.tenant.id)).find((k) => k.kid === kid)!;
    h.clock.advance(retired.expiresAt! - h.clock.now() + 1_000);
    await expectInvalidToken(await get(await forge()));
    // Tokens from the new key work.
    const fresh = await signIn();
    expect((await get(fresh.tokens.access_token)).status).toBe(200);
  });

  it('RFC 9068 §4: a token for other audiences only is invalid_token here; with `openid` the issuer is always an audience', async () => {
    const api = await h.client({ audiences: ['https://api.example.com'], grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] });
    const { user, tokens } = await signIn('openid email', api);
    const { aud } = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    expect(aud).toEqual([h.issuer, 'https://api.example.com']);
    expect(await oidc.fetchUserInfo(api.config, tokens.access_token, user.id)).toMatchObject({ sub: user.id });
    // A token minted for the API alone (what client_credentials gives this client) is refused.
    const cc = await oidc.clientCredentialsGrant(api.config);
    expect(JSON.parse(Buffer.from(cc.access_token.split('.')[1]!, 'base64url').toString()).aud).toBe('https://api.example.com');
    await expectInvalidToken(await get(cc.access_token));
  });

  it('a disabled user\'s token is invalid_token', async () => {
    const { user, tokens } = await signIn();
    await h.disableUser(user);
    await expectInvalidToken(await get(tokens.access_token));
  });

  it('CORS: the response carries Access-Control-Allow-Origin only for the token\'s client\'s registered origins; preflight is answered', async () => {
    const { tokens } = await signIn();
    const ok = await get(tokens.access_token, { headers: { origin: 'https://app.example.com' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('vary')).toMatch(/origin/i);
    const foreign = await get(tokens.access_token, { headers: { origin: 'https://evil.example.net' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await h.fetch('/t/main/userinfo', { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);
  });
});
