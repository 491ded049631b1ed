// Revoking a user's consent (docs/architecture.md: a grant is user × client × scopes;
// refresh-token families and auth codes hang off it, and revoking it revokes
// them). A user signs in through the hosted pages with openid-client as the
// RP; the admin revokes the consent with `authflow user revoke-consent` (on
// the database, and remotely through the management API); then the grant's
// access tokens are refused at userinfo (RFC 6750 §3.1 invalid_token) and are
// inactive at introspection (RFC 7662 §2.2), its refresh token is
// invalid_grant (RFC 6749 §5.2), a code issued before the revocation is
// invalid_grant, and the next authorization request asks for consent again
// (OIDC Core §3.1.2.4). Other clients' consents and other tenants are untouched.
import { and, eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { conforms } from './api-fixture.ts';
import { type Browser, consent, DATABASES, REDIRECT_URI, signIn, startSite, type Site } from './browser-fixture.ts';
import { oauthErrorOf } from './oidc-flow-fixture.ts';

const PASSWORD = 'correct horse battery';
const DAY_MS = 86_400_000;

interface Rp {
  readonly clientId: string;
  readonly config: oidc.Configuration;
}

describe.each(DATABASES)('revoking a user\'s consent (%s)', (database) => {
  let site: Site;
  let notes: Rp;
  let other: Rp;
  let firstParty: Rp;

  const cli = (argv: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(['--data-dir', site.af.config.dataDir, ...argv], { env });

  async function rp(name: string, extra: Record<string, unknown> = {}): Promise<Rp> {
    const { clientId, secret } = await site.client({ type: 'confidential', redirect_uris: [REDIRECT_URI], name, ...extra });
    const config = await oidc.discovery(new URL(site.issuer()), clientId, { client_secret: secret! }, oidc.ClientSecretBasic(secret!), { execute: [oidc.allowInsecureRequests] });
    return { clientId, config };
  }

  beforeAll(async () => {
    site = await startSite({ database });
    notes = await rp('Notes');
    other = await rp('Other');
    firstParty = await rp('Console', { first_party: true });
    await site.af.admin.tenants.create(LOCAL_ADMIN, { slug: 'second' });
  });
  afterAll(async () => site?.stop());

  /** An authorization request in browser `b`; returns its response (a redirect to the RP or to a hosted page) and the RP's checks. */
  async function authorize(b: Browser, client: Rp, scope: string, prompt?: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(client.config, {
      redirect_uri: REDIRECT_URI,
      scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(prompt ? { prompt } : {}),
    });
    return { res: await b.get(url.href), checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
  }

  /** Signs `email` in (unless browser `b` has a session) and consents: the RP's callback URL and checks. */
  async function signInAndConsent(b: Browser, client: Rp, email: string, options: { signedIn?: boolean } = {}) {
    const { res, checks } = await authorize(b, client, 'openid profile email offline_access', 'consent');
    const page = options.signedIn ? res : await signIn(b, site, res, email, PASSWORD);
    const done = await consent(b, site, page);
    expect(done.status).toBe(303);
    return { callback: new URL(done.headers.get('location')!), checks };
  }

  /** A user signed in to `client` (and, when given, `also`) in one browser: tokens with a refresh token. */
  async function userWithTokens(email: string, also?: Rp) {
    const userId = await site.user(email, PASSWORD);
    const b = site.browser();
    const first = await signInAndConsent(b, notes, email);
    const tokens = await oidc.authorizationCodeGrant(notes.config, first.callback, first.checks);
    expect(tokens.refresh_token).toMatch(/^af_rt_/);
    let otherTokens: oidc.TokenEndpointResponse | undefined;
    if (also) {
      const second = await signInAndConsent(b, also, email, { signedIn: true });
      otherTokens = await oidc.authorizationCodeGrant(also.config, second.callback, second.checks);
    }
    return { userId, b, tokens, otherTokens };
  }

  const userinfoError = (client: Rp, token: string, sub: string) => oauthErrorOf(oidc.fetchUserInfo(client.config, token, sub));

  it('the CLI lists the consents, and revoke-consent kills the grant\'s tokens and pending codes at once; the client must ask again', async () => {
    const { userId, b, tokens, otherTokens } = await userWithTokens('grace@example.com', other);
    // Before: everything works, and consent is remembered (no consent page, straight back with a code).
    const refreshed = await oidc.refreshTokenGrant(notes.config, tokens.refresh_token!);
    expect(await oidc.fetchUserInfo(notes.config, refreshed.access_token, userId)).toMatchObject({ sub: userId });
    const pending = await authorize(b, notes, 'openid email');
    expect(pending.res.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
    const pendingCallback = new URL(pending.res.headers.get('location')!);

    const listed = await cli(['--json', 'user', 'consents', '--tenant', 'main', 'Grace@Example.com']);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const list = listed.json();
    expect(list).toMatchObject({ tenant: 'main', user_id: userId, email: 'grace@example.com' });
    expect(list.items.map((c: { client_id: string }) => c.client_id)).toEqual([notes.clientId, other.clientId]);
    expect(list.items[0]).toEqual({ client_id: notes.clientId, client_name: 'Notes', scopes: ['openid', 'profile', 'email', 'offline_access'], created_at: expect.any(String), updated_at: expect.any(String) });
    const human = await cli(['user', 'consents', '--tenant', 'main', userId]);
    expect(human.stdout).toMatch(new RegExp(`${notes.clientId}\\s+Notes\\s+openid profile email offline_access`));

    // Destructive: without --yes and with no terminal to ask on, nothing happens (exit 2).
    const unconfirmed = await cli(['user', 'revoke-consent', '--tenant', 'main', 'grace@example.com', notes.clientId]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    expect(await oidc.fetchUserInfo(notes.config, tokens.access_token, userId)).toMatchObject({ sub: userId });

    const revoked = await cli(['--yes', '--json', 'user', 'revoke-consent', '--tenant', 'main', 'grace@example.com', notes.clientId]);
    expect(revoked.stderr).toBe('');
    expect(revoked.code).toBe(0);
    expect(revoked.json()).toEqual({
      tenant: 'main',
      user_id: userId,
      email: 'grace@example.com',
      revoked: [{ ...list.items[0], revoked_at: expect.any(String), refresh_tokens_revoked: 1 }],
    });

    // RFC 6750 §3.1: the grant's access tokens — from the code and from the refresh — are refused now.
    expect(await userinfoError(notes, tokens.access_token, userId)).toBe('invalid_token');
    expect(await userinfoError(notes, refreshed.access_token, userId)).toBe('invalid_token');
    const raw = await site.fetch(`${site.issuer()}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    // RFC 7662 §2.2: inactive, access and refresh tokens alike.
    expect(await oidc.tokenIntrospection(notes.config, refreshed.access_token)).toEqual({ active: false });
    expect(await oidc.tokenIntrospection(notes.config, refreshed.refresh_token!)).toEqual({ active: false });
    // RFC 6749 §5.2: the refresh token (the live one, and the rotated one) is invalid_grant.
    expect(await oauthErrorOf(oidc.refreshTokenGrant(notes.config, refreshed.refresh_token!))).toBe('invalid_grant');
    expect(await oauthErrorOf(oidc.refreshTokenGrant(notes.config, tokens.refresh_token!))).toBe('invalid_grant');
    // A code issued under the grant before its revocation is dead with it.
    expect(await oauthErrorOf(oidc.authorizationCodeGrant(notes.config, pendingCallback, pending.checks))).toBe('invalid_grant');

    // The revocation outlives any access token of the grant (lifetimes are capped at one day).
    const { revocations } = site.af.database.schema;
    const gid = decodeJwt(tokens.access_token).gid as string;
    const kept = await site.af.database.db.select().from(revocations).where(and(eq(revocations.kind, 'grant'), eq(revocations.value, gid)));
    expect(kept).toHaveLength(1);
    expect(kept[0]!.expiresAt - kept[0]!.createdAt).toBeGreaterThanOrEqual(DAY_MS);

    // The other client's consent and tokens are untouched.
    expect(await oidc.fetchUserInfo(other.config, otherTokens!.access_token, userId)).toMatchObject({ sub: userId });
    await expect(oidc.refreshTokenGrant(other.config, otherTokens!.refresh_token!)).resolves.toHaveProperty('access_token');
    expect((await cli(['--json', 'user', 'consents', '--tenant', 'main', userId])).json().items.map((c: { client_id: string }) => c.client_id)).toEqual([other.clientId]);

    // OIDC Core §3.1.2.4: same browser, live session, scopes granted before: the consent page again (and prompt=none cannot skip it).
    const none = await authorize(b, notes, 'openid email', 'none');
    expect(new URL(none.res.headers.get('location')!).searchParams.get('error')).toBe('consent_required');
    const again = await authorize(b, notes, 'openid email');
    expect(again.res.headers.get('location')).toMatch(/\/login\//);
    const back = await consent(b, site, again.res);
    const fresh = await oidc.authorizationCodeGrant(notes.config, new URL(back.headers.get('location')!), again.checks);
    // A new consent is a new grant: its tokens work, the old ones stay dead.
    expect(await oidc.fetchUserInfo(notes.config, fresh.access_token, userId)).toMatchObject({ sub: userId });
    expect(await userinfoError(notes, tokens.access_token, userId)).toBe('invalid_token');
    expect((await cli(['--json', 'user', 'consents', '--tenant', 'main', userId])).json().items).toHaveLength(2);
  });

  it('revoke-consent --all revokes every consent of the user in one go; with none left it revokes nothing and succeeds', async () => {
    const { userId, tokens, otherTokens } = await userWithTokens('ada@example.com', other);
    const all = await cli(['--yes', '--json', 'user', 'revoke-consent', '--tenant', 'main', 'ada@example.com', '--all']);
    expect(all.code).toBe(0);
    expect(all.json().revoked.map((c: { client_id: string; refresh_tokens_revoked: number }) => [c.client_id, c.refresh_tokens_revoked])).toEqual([[notes.clientId, 1], [other.clientId, 1]]);
    expect(await userinfoError(notes, tokens.access_token, userId)).toBe('invalid_token');
    expect(await userinfoError(other, otherTokens!.access_token, userId)).toBe('invalid_token');
    expect(await oauthErrorOf(oidc.refreshTokenGrant(other.config, otherTokens!.refresh_token!))).toBe('invalid_grant');

    const again = await cli(['--yes', 'user', 'revoke-consent', '--tenant', 'main', userId, '--all']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('no consents to revoke');
    expect((await cli(['user', 'consents', '--tenant', 'main', userId])).stdout).toContain('has not consented to any client');
  });

  it('unknown user, unknown client, no consent, or another tenant: not found (exit 3); bad usage: exit 2', async () => {
    const userId = await site.user('hopper@example.com', PASSWORD);
    const b = site.browser();
    const signedIn = await signInAndConsent(b, notes, 'hopper@example.com');
    await oidc.authorizationCodeGrant(notes.config, signedIn.callback, signedIn.checks);
    const cases: [string[], RegExp][] = [
      [['user', 'consents', '--tenant', 'main', 'nobody@example.com'], /no user "nobody@example.com" in tenant main/],
      [['user', 'revoke-consent', '--tenant', 'main', 'nobody@example.com', notes.clientId], /no user "nobody@example.com"/],
      [['user', 'revoke-consent', '--tenant', 'main', userId, 'no-such-client'], /no client "no-such-client" in tenant main/],
      [['user', 'revoke-consent', '--tenant', 'main', userId, other.clientId], /has not consented to client "Other"/],
      // The user and the client are main's: from tenant second they do not exist.
      [['user', 'consents', '--tenant', 'second', userId], /no user/],
      [['user', 'revoke-consent', '--tenant', 'second', userId, notes.clientId], /no user/],
      [['user', 'consents', '--tenant', 'nope', userId], /no tenant "nope"/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(['--yes', ...argv]);
      expect(r.code, argv.join(' ')).toBe(3);
      expect(r.stderr, argv.join(' ')).toMatch(message);
      const j = await cli(['--yes', '--json', ...argv]);
      expect(j.errorJson().error.code).toBe('not_found');
    }
    // The core refuses a client it does not know even where the CLI would not ask it.
    await expect(site.af.admin.consents.revoke(LOCAL_ADMIN, 'main', userId, 'no-such-client')).rejects.toMatchObject({ code: 'not_found', message: 'no client "no-such-client" in tenant main' });
    await expect(site.af.admin.consents.revoke(LOCAL_ADMIN, 'main', userId, other.clientId)).rejects.toMatchObject({ code: 'not_found' });
    expect((await cli(['--yes', 'user', 'revoke-consent', '--tenant', 'main', userId])).code).toBe(2);
    expect((await cli(['--yes', 'user', 'revoke-consent', '--tenant', 'main', userId, notes.clientId, '--all'])).code).toBe(2);
    // Nothing was revoked by any of it.
    expect((await cli(['--json', 'user', 'consents', '--tenant', 'main', userId])).json().items.map((c: { client_id: string }) => c.client_id)).toEqual([notes.clientId]);
  });

  it('a first-party client skips the consent page, but its grant is listed and revoked the same way', async () => {
    const userId = await site.user('lin@example.com', PASSWORD);
    const b = site.browser();
    const { res, checks } = await authorize(b, firstParty, 'openid email offline_access');
    const done = await signIn(b, site, res, 'lin@example.com', PASSWORD);
    expect(done.headers.get('location')).toMatch(/code=/);
    const tokens = await oidc.authorizationCodeGrant(firstParty.config, new URL(done.headers.get('location')!), checks);
    expect((await cli(['--yes', '--json', 'user', 'revoke-consent', '--tenant', 'main', userId, firstParty.clientId])).json().revoked[0]).toMatchObject({ client_name: 'Console', refresh_tokens_revoked: 1 });
    expect(await userinfoError(firstParty, tokens.access_token, userId)).toBe('invalid_token');
    expect(await oauthErrorOf(oidc.refreshTokenGrant(firstParty.config, tokens.refresh_token!))).toBe('invalid_grant');
    // Still no consent page for a first-party client: a fresh grant, straight back with a code.
    expect((await authorize(b, firstParty, 'openid email')).res.headers.get('location')).toMatch(/code=/);
  });

  describe('through the management API', () => {
    /** A request to /api/v1 checked against the OpenAPI document. */
    async function api(method: string, path: string, token: string) {
      const res = await site.fetch(`${site.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      const parsed = { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
      conforms(method, path, parsed);
      return parsed;
    }
    const key = async (tenant: string, scopes: string[]) => (await site.af.admin.apiKeys.create(LOCAL_ADMIN, { name: `k-${scopes.join('-')}-${tenant}`, tenant, scopes })).token;

    it('GET lists and DELETE revokes (users:read / users:write); the tokens die at once; another tenant\'s key sees 404', async () => {
      const { userId, tokens } = await userWithTokens('mary@example.com');
      const reader = await key('main', ['users:read']);
      const writer = await key('main', ['users:write']);
      const foreign = await key('second', ['*']);
      const path = `/tenants/main/users/${encodeURIComponent('mary@example.com')}/consents`;

      const listed = await api('GET', path, reader);
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((c: { client_id: string }) => c.client_id)).toEqual([notes.clientId]);

      // Another tenant's key: the tenant, the user and the consent do not exist for it.
      for (const [method, p] of [
        ['GET', path],
        ['DELETE', `${path}/${notes.clientId}`],
        ['DELETE', path],
        ['GET', `/tenants/second/users/${userId}/consents`],
        ['DELETE', `/tenants/second/users/${userId}/consents/${notes.clientId}`],
      ] as const) {
        const r = await api(method, p, foreign);
        expect(r.status, `${method} ${p}`).toBe(404);
        expect(r.body.code).toBe('not_found');
      }
      // users:read may look, not revoke.
      expect((await api('DELETE', `${path}/${notes.clientId}`, reader)).status).toBe(403);
      expect((await api('DELETE', `/tenants/main/users/${userId}/consents/no-such-client`, writer)).status).toBe(404);
      expect((await api('DELETE', `/tenants/main/users/no-such-user/consents/${notes.clientId}`, writer)).status).toBe(404);
      expect(await oidc.fetchUserInfo(notes.config, tokens.access_token, userId)).toMatchObject({ sub: userId });

      const revoked = await api('DELETE', `/tenants/main/users/${userId}/consents/${notes.clientId}`, writer);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revoked).toEqual([expect.objectContaining({ client_id: notes.clientId, refresh_tokens_revoked: 1 })]);
      expect(await userinfoError(notes, tokens.access_token, userId)).toBe('invalid_token');
      expect(await oauthErrorOf(oidc.refreshTokenGrant(notes.config, tokens.refresh_token!))).toBe('invalid_grant');
      // A second DELETE: nothing left to revoke.
      expect((await api('DELETE', `/tenants/main/users/${userId}/consents/${notes.clientId}`, writer)).status).toBe(404);
      expect((await api('DELETE', `/tenants/main/users/${userId}/consents`, writer)).body.revoked).toEqual([]);
    });

    it('the CLI works remotely (--url + AUTHFLOW_API_KEY) the same way, exit codes included', async () => {
      const { userId, tokens } = await userWithTokens('remote@example.com');
      const env = { AUTHFLOW_API_KEY: await key('main', ['users:write', 'clients:read']) };
      const remote = (argv: string[]) => runCli(['--url', site.url, ...argv], { env });
      const listed = await remote(['--json', 'user', 'consents', '--tenant', 'main', 'remote@example.com']);
      expect(listed.stderr).toBe('');
      expect(listed.json().items.map((c: { client_name: string }) => c.client_name)).toEqual(['Notes']);
      expect((await remote(['--yes', 'user', 'revoke-consent', '--tenant', 'main', userId, other.clientId])).stderr).toMatch(/has not consented to client "Other"/);
      expect((await remote(['--yes', 'user', 'revoke-consent', '--tenant', 'main', 'nobody@example.com', notes.clientId])).code).toBe(3);
      const r = await remote(['--yes', 'user', 'revoke-consent', '--tenant', 'main', 'remote@example.com', notes.clientId]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Revoked remote@example\.com's consent to "Notes" .*1 refresh token/);
      expect(await userinfoError(notes, tokens.access_token, userId)).toBe('invalid_token');
      expect(await oauthErrorOf(oidc.refreshTokenGrant(notes.config, tokens.refresh_token!))).toBe('invalid_grant');
    });
  });
});
