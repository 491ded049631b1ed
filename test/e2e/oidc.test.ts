// OpenID Connect end to end against the BUILT binary (dist/authflow), with a
// certified relying-party library (openid-client v6) and jose: an install
// provisioned only through the binary's CLI, then discovery, the
// authorization code flow with PKCE through the real hosted login, the ID
// token checked against the binary's /jwks, UserInfo, introspection,
// revocation, refresh rotation with reuse detection, client_credentials, a
// public client riding the SSO session, and RP-initiated logout.
// OIDC Core §3.1, RFC 7636, RFC 9207, RFC 7662, RFC 7009, RFC 9700 §4.14.2,
// RFC 9068, OpenID Connect RP-Initiated Logout 1.0.
// Build first: npm run build && npm run test:e2e
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, PG_URL } from '../helpers/db.ts';
import {
  Binary,
  Browser,
  EMAIL,
  median,
  PASSWORD,
  SPA_CALLBACK,
  startProvider,
  throughHostedPages,
  WEB_BYE,
  WEB_CALLBACK,
  type Provider,
  type Step,
} from './oidc-fixture.ts';

const CREDENTIALS = { email: EMAIL, password: PASSWORD };
const insecure = { execute: [oidc.allowInsecureRequests] };

/** Every code, token and cookie the tests saw: none may appear in the server's log (STYLE rule 13). */
const seen = new Set<string>();
const keep = (...values: (string | undefined)[]) => values.forEach((v) => v && seen.add(v));

/**
 * The OAuth error code of a refused openid-client call: the response's
 * `error`; for a 401 with WWW-Authenticate, the challenge's `error` (RFC 6750
 * §3) or, for a Basic challenge (RFC 6749 §5.2 invalid_client), the body's.
 */
async function oauthErrorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const err = e as { error?: string; code?: string; cause?: unknown; message?: string; response?: Response };
    if (Array.isArray(err.cause)) {
      const challenged = (err.cause as { parameters?: { error?: string } }[])[0]?.parameters?.error;
      const body = challenged ? undefined : ((await err.response?.json().catch(() => undefined)) as { error?: string } | undefined);
      return challenged ?? body?.error ?? 'challenge without error';
    }
    return err.error ?? `${err.code ?? ''}: ${err.message ?? String(e)}`;
  }
  throw new Error('expected the call to be refused');
}

/** openid-client for the confidential web client (client_secret_basic), ID token signatures checked against jwks_uri. */
async function webConfig(op: Provider): Promise<oidc.Configuration> {
  const config = await oidc.discovery(new URL(op.issuer), op.web.id, { client_secret: op.web.secret }, oidc.ClientSecretBasic(op.web.secret), insecure);
  oidc.enableNonRepudiationChecks(config);
  return config;
}

/** An authorization request built by openid-client (PKCE S256, state, nonce), driven through the hosted pages, exchanged for tokens. */
async function codeFlow(
  config: oidc.Configuration,
  b: Browser,
  redirectUri: string,
  options: { scope?: string; credentials?: typeof CREDENTIALS } = {},
): Promise<{ tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers; callback: URL; steps: Step[]; nonce: string; verifier: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: options.scope ?? 'openid profile email offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const { callback, steps } = await throughHostedPages(b, url.href, redirectUri, options.credentials);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  keep(callback.searchParams.get('code') ?? undefined, verifier, tokens.access_token, tokens.refresh_token, tokens.id_token, ...[...b.jar.values()].map((c) => c.value));
  return { tokens, callback, steps, nonce, verifier };
}

describe('OpenID Connect against the built binary (SQLite)', () => {
  let binary: Binary;
  let op: Provider;
  let web: oidc.Configuration;
  let spa: oidc.Configuration;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    binary = new Binary();
    op = await startProvider(binary, 'sqlite');
    console.log(`provisioning through the CLI (init, tenant, 3 clients, user): ${op.provisionMs.toFixed(0)} ms`);
    web = await webConfig(op);
    spa = await oidc.discovery(new URL(op.issuer), op.spa.id, undefined, oidc.None(), insecure);
    jwks = createRemoteJWKSet(new URL(web.serverMetadata().jwks_uri!));
  });

  afterAll(async () => {
    try {
      if (op) {
        const r = await op.server.stop();
        expect(r.code).toBe(0);
        expect(r.stderr).toBe('');
      }
    } finally {
      binary?.close();
    }
  });

  it('discovery names the tenant issuer, its endpoints, and S256 as the only PKCE method', () => {
    const m = web.serverMetadata();
    expect(m.issuer).toBe(`${op.url}/t/acme`);
    expect(m.issuer).toBe(op.issuer);
    for (const [key, path] of [
      ['authorization_endpoint', 'authorize'],
      ['token_endpoint', 'token'],
      ['userinfo_endpoint', 'userinfo'],
      ['jwks_uri', 'jwks'],
      ['introspection_endpoint', 'introspect'],
      ['revocation_endpoint', 'revoke'],
      ['end_session_endpoint', 'logout'],
    ] as const) {
      expect(m[key], key).toBe(`${op.issuer}/${path}`);
    }
    expect(m.code_challenge_methods_supported).toEqual(['S256']);
    expect(m.response_types_supported).toContain('code');
    expect(m.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
    expect(m.authorization_response_iss_parameter_supported).toBe(true);
  });

  describe('a browser signed in through the hosted login (confidential client, code + PKCE)', () => {
    const b = new Browser();
    let first: Awaited<ReturnType<typeof codeFlow>>;

    beforeAll(async () => {
      first = await codeFlow(web, b, WEB_CALLBACK, { credentials: CREDENTIALS });
    });

    it('shows the login and consent pages, returns code, state and iss, and yields an ID token openid-client accepts', async () => {
      expect(first.steps).toEqual(['login', 'consent']);
      // RFC 9207 §2: the issuer comes back with the code (openid-client checked it, and state, too).
      expect(first.callback.searchParams.get('iss')).toBe(op.issuer);
      expect(first.callback.searchParams.get('code')).toBeTruthy();
      const claims = first.tokens.claims()!;
      expect(claims).toMatchObject({ iss: op.issuer, sub: op.userId, aud: op.web.id, nonce: first.nonce, email: EMAIL, email_verified: true, name: 'Ada Lovelace' });
      expect(claims.amr).toEqual(['pwd']);
      expect(typeof claims.sid).toBe('string');
      expect(first.tokens.token_type.toLowerCase()).toBe('bearer');
      expect(first.tokens.refresh_token).toBeTruthy();
      // The same signature verified independently with jose against the binary's /jwks.
      const { payload, protectedHeader } = await jwtVerify(first.tokens.id_token!, jwks, { issuer: op.issuer, audience: op.web.id });
      expect(protectedHeader.alg).toBe('RS256');
      expect(payload.nonce).toBe(first.nonce);
      // And a tampered one is refused.
      const [h, , s] = first.tokens.id_token!.split('.') as [string, string, string];
      const forged = Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url');
      await expect(jwtVerify(`${h}.${forged}.${s}`, jwks, { issuer: op.issuer })).rejects.toThrow(/signature/);
    });

    it('the same code a second time is refused (RFC 6749 §4.1.2)', async () => {
      const again = oidc.authorizationCodeGrant(web, first.callback, { pkceCodeVerifier: first.verifier, expectedState: first.callback.searchParams.get('state')!, expectedNonce: first.nonce });
      expect(await oauthErrorOf(again)).toBe('invalid_grant');
    });

    it('UserInfo returns the email; introspection says active, then inactive once the access token is revoked', async () => {
      // A fresh set of tokens for this test: SSO and the remembered consent make it one redirect.
      const { tokens, steps } = await codeFlow(web, b, WEB_CALLBACK);
      expect(steps).toEqual([]);
      const info = await oidc.fetchUserInfo(web, tokens.access_token, op.userId);
      expect(info).toMatchObject({ sub: op.userId, email: EMAIL, email_verified: true });

      const active = await oidc.tokenIntrospection(web, tokens.access_token);
      expect(active).toMatchObject({ active: true, sub: op.userId, client_id: op.web.id, iss: op.issuer, token_type: 'Bearer' });
      expect(active.scope!.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));
      expect(await oidc.tokenIntrospection(web, tokens.refresh_token!)).toMatchObject({ active: true, sub: op.userId });

      await oidc.tokenRevocation(web, tokens.access_token);
      expect(await oidc.tokenIntrospection(web, tokens.access_token)).toEqual({ active: false });
      expect(await oauthErrorOf(oidc.fetchUserInfo(web, tokens.access_token, op.userId))).toBe('invalid_token');
      // Revoking the access token leaves its refresh token alone; revoking that ends it too.
      expect(await oidc.tokenIntrospection(web, tokens.refresh_token!)).toMatchObject({ active: true });
      await oidc.tokenRevocation(web, tokens.refresh_token!);
      expect(await oidc.tokenIntrospection(web, tokens.refresh_token!)).toEqual({ active: false });
      expect(await oauthErrorOf(oidc.refreshTokenGrant(web, tokens.refresh_token!))).toBe('invalid_grant');
    });

    it('a refresh rotates the token; the old one replayed is refused and takes the whole family down (RFC 9700 §4.14.2)', async () => {
      const { tokens } = await codeFlow(web, b, WEB_CALLBACK);
      const old = tokens.refresh_token!;
      const refreshed = await oidc.refreshTokenGrant(web, old);
      keep(refreshed.access_token, refreshed.refresh_token, refreshed.id_token);
      expect(refreshed.refresh_token).toBeTruthy();
      expect(refreshed.refresh_token).not.toBe(old);
      expect(refreshed.access_token).not.toBe(tokens.access_token);
      expect(refreshed.claims()).toMatchObject({ sub: op.userId, aud: op.web.id, auth_time: tokens.claims()!.auth_time });
      expect(await oidc.fetchUserInfo(web, refreshed.access_token, op.userId)).toMatchObject({ email: EMAIL });

      expect(await oauthErrorOf(oidc.refreshTokenGrant(web, old))).toBe('invalid_grant');
      // The replay revoked the family: the newest token is refused as well, and its access token is dead.
      expect(await oauthErrorOf(oidc.refreshTokenGrant(web, refreshed.refresh_token!))).toBe('invalid_grant');
      expect(await oidc.tokenIntrospection(web, refreshed.refresh_token!)).toEqual({ active: false });
      expect(await oauthErrorOf(oidc.fetchUserInfo(web, refreshed.access_token, op.userId))).toBe('invalid_token');
    });

    it('the public client signs in on the SSO session without a password (PKCE, no secret), and a wrong verifier is refused', async () => {
      const done = await codeFlow(spa, b, SPA_CALLBACK);
      expect(done.steps).toEqual([]); // no login page (SSO), no consent page (first-party)
      expect(op.spa.authMethod).toBe('none');
      const claims = done.tokens.claims()!;
      expect(claims).toMatchObject({ iss: op.issuer, sub: op.userId, aud: op.spa.id, nonce: done.nonce, amr: ['pwd'], sid: first.tokens.claims()!.sid });
      // The session's original sign-in time, not a new one.
      expect(claims.auth_time).toBe(first.tokens.claims()!.auth_time);
      expect(await oidc.fetchUserInfo(spa, done.tokens.access_token, op.userId)).toMatchObject({ email: EMAIL });

      // RFC 7636 §4.6: a code redeemed with a verifier that does not match its challenge.
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(spa, {
        redirect_uri: SPA_CALLBACK,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        state,
      });
      const { callback } = await throughHostedPages(b, url.href, SPA_CALLBACK);
      expect(await oauthErrorOf(oidc.authorizationCodeGrant(spa, callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: state }))).toBe('invalid_grant');
    });

    it('RP-initiated logout with id_token_hint returns to the registered URI with state; the next authorize shows the login page', async () => {
      const state = oidc.randomState();
      const url = oidc.buildEndSessionUrl(web, { id_token_hint: first.tokens.id_token!, post_logout_redirect_uri: WEB_BYE, state });
      expect(url.href.startsWith(`${op.issuer}/logout?`)).toBe(true);
      const res = await b.get(url.href);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`${WEB_BYE}?state=${state}`);

      // The SSO session is gone, for every client of the tenant: the public client's authorize needs the password again.
      const verifier = oidc.randomPKCECodeVerifier();
      const again = oidc.buildAuthorizationUrl(spa, { redirect_uri: SPA_CALLBACK, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      await expect(throughHostedPages(b, again.href, SPA_CALLBACK)).rejects.toThrow(/the login page was shown/);
      const after = await throughHostedPages(b, again.href, SPA_CALLBACK, CREDENTIALS);
      expect(after.steps).toEqual(['login']);
    });
  });

  it('client_credentials: an RFC 9068 JWT access token (typ at+jwt) that verifies against /jwks; OpenID scopes are refused', async () => {
    const machine = await oidc.discovery(new URL(op.issuer), op.machine.id, { client_secret: op.machine.secret }, oidc.ClientSecretBasic(op.machine.secret), insecure);
    const tokens = await oidc.clientCredentialsGrant(machine);
    keep(tokens.access_token);
    expect(tokens.refresh_token).toBeUndefined();
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: op.issuer, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: op.machine.id, client_id: op.machine.id });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(tokens.expires_in);
    // The wrong secret: invalid_client.
    const wrong = await oidc.discovery(new URL(op.issuer), op.machine.id, undefined, oidc.ClientSecretBasic(`${op.machine.secret}x`), insecure);
    expect(await oauthErrorOf(oidc.clientCredentialsGrant(wrong))).toBe('invalid_client');
    expect(await oauthErrorOf(oidc.clientCredentialsGrant(machine, { scope: 'openid' }))).toBe('invalid_scope');
  });

  describe('refused authorization requests', () => {
    const authorize = (params: Record<string, string>) => {
      const query = new URLSearchParams({ client_id: op.spa.id, response_type: 'code', scope: 'openid', redirect_uri: SPA_CALLBACK, code_challenge_method: 'S256', code_challenge: 'c'.repeat(43), state: 'st-1', ...params });
      return fetch(`${op.issuer}/authorize?${query}`, { redirect: 'manual' });
    };

    it('an unregistered redirect_uri gets an HTML error page, never a redirect (RFC 6749 §4.1.2.1)', async () => {
      const res = await authorize({ redirect_uri: 'https://attacker.example/callback' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toMatch(/<html/i);
      expect(html).not.toMatch(/http-equiv="refresh"/i);
      expect(html).not.toContain('https://attacker.example/callback');
    });

    it('code_challenge_method=plain goes back to the client as invalid_request with state and iss (RFC 7636 §4.4.1, RFC 9207)', async () => {
      const res = await authorize({ code_challenge_method: 'plain' });
      expect(res.status).toBe(303);
      const back = new URL(res.headers.get('location')!);
      expect(`${back.origin}${back.pathname}`).toBe(SPA_CALLBACK);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('state')).toBe('st-1');
      expect(back.searchParams.get('iss')).toBe(op.issuer);
      expect(back.searchParams.get('code')).toBeNull();
    });
  });

  it('measures a full login round trip on the binary (authorize → login page → password → code → tokens)', async () => {
    const rounds = 5;
    const password: number[] = [];
    const sso: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const b = new Browser();
      let started = performance.now();
      const signedIn = await codeFlow(web, b, WEB_CALLBACK, { scope: 'openid email', credentials: CREDENTIALS });
      password.push(performance.now() - started);
      expect(signedIn.steps).toEqual(['login']); // consent remembered from the first sign-in
      expect(signedIn.tokens.claims()!.sub).toBe(op.userId);
      started = performance.now();
      const again = await codeFlow(web, b, WEB_CALLBACK, { scope: 'openid email' });
      sso.push(performance.now() - started);
      expect(again.steps).toEqual([]);
    }
    const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`;
    console.log(`login round trip with password (argon2id default cost), authorize → tokens: ${fmt(password)}`);
    console.log(`SSO round trip (no password), authorize → tokens: ${fmt(sso)}`);
  });

  it('the server log holds none of the password, client secrets, codes, tokens or cookies it handled', () => {
    const log = op.server.output();
    expect(log).toContain('"route":"/t/:tenant/token"');
    keep(PASSWORD, op.web.secret, op.machine.secret);
    expect(seen.size).toBeGreaterThan(40);
    expect([...seen].filter((secret) => log.includes(secret))).toEqual([]);
  });
});

describe.skipIf(!PG_URL)('OpenID Connect against the built binary (PostgreSQL, AUTHFLOW_TEST_DATABASE_URL)', () => {
  let binary: Binary;
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  let op: Provider;

  beforeAll(async () => {
    binary = new Binary();
    database = await createPgDatabase();
    op = await startProvider(binary, 'postgres', database.url);
  });

  afterAll(async () => {
    try {
      if (op) expect((await op.server.stop()).code).toBe(0);
    } finally {
      binary?.close();
      await database?.drop();
    }
  });

  it('signs in, exchanges the code, reads UserInfo and rotates the refresh token', async () => {
    expect(op.database).toBe('postgres');
    const web = await webConfig(op);
    const b = new Browser();
    const started = performance.now();
    const { tokens, steps, nonce } = await codeFlow(web, b, WEB_CALLBACK, { credentials: CREDENTIALS });
    console.log(`login round trip on PostgreSQL (first sign-in, with consent): ${(performance.now() - started).toFixed(0)} ms`);
    expect(steps).toEqual(['login', 'consent']);
    expect(tokens.claims()).toMatchObject({ iss: op.issuer, sub: op.userId, nonce });
    expect(await oidc.fetchUserInfo(web, tokens.access_token, op.userId)).toMatchObject({ sub: op.userId, email: EMAIL });
    const refreshed = await oidc.refreshTokenGrant(web, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(await oauthErrorOf(oidc.refreshTokenGrant(web, tokens.refresh_token!))).toBe('invalid_grant');
    expect(await oauthErrorOf(oidc.refreshTokenGrant(web, refreshed.refresh_token!))).toBe('invalid_grant');
    keep(PASSWORD, op.web.secret, refreshed.access_token, refreshed.refresh_token, refreshed.id_token);
    const log = op.server.output();
    expect([...seen].filter((secret) => log.includes(secret))).toEqual([]);
  });
});
