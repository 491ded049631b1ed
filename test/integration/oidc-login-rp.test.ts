// A certified relying party library (openid-client) against the hosted
// pages: discovery, an authorization URL with PKCE S256, state and nonce,
// the browser signing in and consenting, then the code exchanged — which
// checks `iss` in the response (RFC 9207 §2.4), state, PKCE and the ID
// token's nonce. form_post too.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consent, formOf, REDIRECT_URI, signIn, startSite, type Site } from './browser-fixture.ts';

describe('openid-client completes the code flow through the hosted pages', () => {
  let site: Site;
  let config: oidc.Configuration;

  beforeAll(async () => {
    site = await startSite();
    const { clientId } = await site.client({ type: 'public', redirect_uris: [REDIRECT_URI] });
    await site.user('ada@example.com', 'correct horse battery', 'main', { name: 'Ada Lovelace' });
    config = await oidc.discovery(new URL(site.issuer()), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(async () => site?.stop());

  it('query response mode', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const b = site.browser();
    const done = await consent(b, site, await signIn(b, site, await b.get(url.href), 'ada@example.com', 'correct horse battery'));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(done.headers.get('location')!), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(site.issuer());
    expect(claims.nonce).toBe(nonce);
    expect(claims.amr).toEqual(['pwd']);
    expect(typeof claims.sid).toBe('string');
    expect(claims.name).toBe('Ada Lovelace');
  });

  it('a response from another issuer is rejected by the RP (RFC 9207 mix-up defence)', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
    const b = site.browser();
    let res = await signIn(b, site, await b.get(url.href), 'ada@example.com', 'correct horse battery');
    if (res.status === 303 && res.headers.get('location')!.includes('/login/')) res = await consent(b, site, res);
    const back = new URL(res.headers.get('location')!);
    back.searchParams.set('iss', 'https://attacker.example');
    await expect(oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state })).rejects.toThrow();
  });

  it('form_post response mode', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      response_mode: 'form_post',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const b = site.browser();
    const page = await signIn(b, site, await b.get(url.href), 'ada@example.com', 'correct horse battery');
    expect(page.status).toBe(200);
    const form = formOf(await page.text(), site.url);
    expect(form.action).toBe(REDIRECT_URI);
    const request = new Request(REDIRECT_URI, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form.fields).toString() });
    const tokens = await oidc.authorizationCodeGrant(config, request, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    expect(tokens.claims()!.nonce).toBe(nonce);
  });
});
