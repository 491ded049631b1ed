// The whole OpenID Connect authorization code flow with openid-client v6 as
// the relying party, end to end over real HTTP: discovery, the authorization
// URL with PKCE/state/nonce, the hosted sign-in and consent pages (cookie jar,
// CSRF token from the form), the code exchange with the ID token's signature
// checked against the published JWKS, UserInfo, refresh, introspection and
// revocation. OIDC Core §3.1, RFC 7636, RFC 9207, RFC 7662, RFC 7009.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, consent, DATABASES, REDIRECT_URI, signIn, startSite, type Site } from './browser-fixture.ts';
import { oauthErrorOf } from './oidc-flow-fixture.ts';

const PASSWORD = 'correct horse battery';

describe.each(DATABASES)('code flow through the hosted sign-in pages (%s)', (database) => {
  let site: Site;
  let config: oidc.Configuration;
  let userId: string;

  beforeAll(async () => {
    site = await startSite({ database });
    const { clientId, secret } = await site.client({ type: 'confidential', redirect_uris: [REDIRECT_URI], name: 'Notes' });
    userId = await site.user('grace@example.com', PASSWORD, 'main', { name: 'Grace Hopper' });
    config = await oidc.discovery(new URL(site.issuer()), clientId, { client_secret: secret! }, oidc.ClientSecretBasic(secret!), { execute: [oidc.allowInsecureRequests] });
    // Verify ID token signatures against the tenant's jwks_uri (OIDC Core §3.1.3.7 step 6 — optional over TLS, done here).
    oidc.enableNonRepudiationChecks(config);
  });
  afterAll(async () => site?.stop());

  /** Runs authorize → sign-in → consent in a fresh browser; returns the callback URL and the RP's checks. */
  async function login(scope: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      // OIDC Core §11: offline_access is honoured with prompt=consent.
      prompt: 'consent',
    });
    const b = new Browser(site.fetch);
    const res = await consent(b, site, await signIn(b, site, await b.get(url.toString()), 'grace@example.com', PASSWORD));
    expect(res.status).toBe(303);
    const callback = new URL(res.headers.get('location')!);
    return { callback, checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
  }

  it('signs in, exchanges the code, reads UserInfo, refreshes, introspects and revokes', async () => {
    const { callback, checks } = await login('openid profile email offline_access');
    expect(callback.searchParams.get('iss')).toBe(site.issuer());
    const tokens = await oidc.authorizationCodeGrant(config, callback, checks);
    const id = tokens.claims()!;
    expect(id).toMatchObject({ iss: site.issuer(), sub: userId, aud: config.clientMetadata().client_id, nonce: checks.expectedNonce, name: 'Grace Hopper', email: 'grace@example.com' });
    expect(id.amr).toEqual(expect.arrayContaining(['pwd']));
    expect(typeof id.sid).toBe('string');
    expect(tokens.refresh_token).toMatch(/^af_rt_/);

    expect(await oidc.fetchUserInfo(config, tokens.access_token, userId)).toMatchObject({ sub: userId, name: 'Grace Hopper', email: 'grace@example.com' });

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.claims()).toMatchObject({ sub: userId, auth_time: id.auth_time });
    expect(await oidc.tokenIntrospection(config, refreshed.refresh_token!)).toMatchObject({ active: true, sub: userId });

    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    expect(await oidc.tokenIntrospection(config, refreshed.refresh_token!)).toEqual({ active: false });
    expect(await oauthErrorOf(oidc.fetchUserInfo(config, refreshed.access_token, userId))).toBe('invalid_token');
  });

  it('RFC 6749 §4.1.2: replaying the code from the browser redirect revokes what the first exchange issued', async () => {
    const { callback, checks } = await login('openid email offline_access');
    const first = await oidc.authorizationCodeGrant(config, callback, checks);
    expect(await oauthErrorOf(oidc.authorizationCodeGrant(config, callback, checks))).toBe('invalid_grant');
    expect(await oauthErrorOf(oidc.refreshTokenGrant(config, first.refresh_token!))).toBe('invalid_grant');
    expect(await oauthErrorOf(oidc.fetchUserInfo(config, first.access_token, userId))).toBe('invalid_token');
  });
});
