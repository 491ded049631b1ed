// The user lifecycle through the management API (/api/v1/tenants/{tenant}/users):
// create, list (search, cursor pages), show, update (ETag / If-Match, RFC 9110
// §13.1.1), disable/enable, set-password, sessions, data export and deletion
// (GDPR Art. 15/17). A real user signs in on the hosted pages with
// openid-client as the RP, so "disabled" and "deleted" are checked where they
// matter: the refresh token is invalid_grant (RFC 6749 §5.2), the access token
// is invalid_token at userinfo (RFC 6750 §3.1), and sign-in is refused. Every
// answer is checked against the OpenAPI document. Remote CLI (--url) prints
// byte-for-byte what the local CLI prints.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { runCli } from '../helpers/cli.ts';
import { conforms } from './api-fixture.ts';
import { type Browser, consent, DATABASES, REDIRECT_URI, signIn, startSite, type Site } from './browser-fixture.ts';
import { oauthErrorOf } from './oidc-flow-fixture.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

describe.each(DATABASES)('management API: users (%s)', (database) => {
  let site: Site;
  let rp: { clientId: string; config: oidc.Configuration };
  let admin: string;

  /** A request to /api/v1, checked against the OpenAPI document. */
  async function api(method: string, path: string, options: { token?: string; json?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? admin}`, ...options.headers };
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const res = await site.fetch(`${site.url}/api/v1${path}`, { method, headers, body: options.json === undefined ? undefined : JSON.stringify(options.json) });
    const text = await res.text();
    const parsed = { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
    conforms(method, path, parsed);
    return parsed;
  }
  const key = async (tenant: string | null, scopes: string[]) =>
    (await site.af.admin.apiKeys.create(LOCAL_ADMIN, { name: `k-${scopes.join('-')}-${tenant}-${Math.random()}`, ...(tenant ? { tenant } : {}), scopes })).token;
  const users = '/tenants/main/users';

  beforeAll(async () => {
    site = await startSite({ database });
    admin = await key(null, ['*']);
    const { clientId, secret } = await site.client({ type: 'confidential', redirect_uris: [REDIRECT_URI], name: 'Notes' });
    rp = { clientId, config: await oidc.discovery(new URL(site.issuer()), clientId, { client_secret: secret! }, oidc.ClientSecretBasic(secret!), { execute: [oidc.allowInsecureRequests] }) };
    await site.af.admin.tenants.create(LOCAL_ADMIN, { slug: 'second' });
  });
  afterAll(async () => site?.stop());

  /** Signs `email` in through the hosted pages and consents: tokens with a refresh token, and the browser. */
  async function login(email: string, password = PASSWORD): Promise<{ b: Browser; tokens: oidc.TokenEndpointResponse }> {
    const b = site.browser();
    const res = await authorize(b);
    const page = await signIn(b, site, res.res, email, password);
    const done = await consent(b, site, page);
    expect(done.status).toBe(303);
    const tokens = await oidc.authorizationCodeGrant(rp.config, new URL(done.headers.get('location')!), res.checks);
    expect(tokens.refresh_token).toMatch(/^af_rt_/);
    return { b, tokens };
  }
  async function authorize(b: Browser) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(rp.config, { redirect_uri: REDIRECT_URI, scope: 'openid email offline_access', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, prompt: 'consent' });
    return { res: await b.get(url.href), checks: { pkceCodeVerifier: verifier, expectedState: state } };
  }
  /** Whether the hosted login page lets `email` in (a redirect onward, rather than the form again). */
  async function canSignIn(email: string, password = PASSWORD): Promise<boolean> {
    const b = site.browser();
    const done = await signIn(b, site, (await authorize(b)).res, email, password);
    return done.status === 303;
  }

  it('POST creates (201, Location, ETag) with the full profile; GET shows it; list pages with a cursor and searches', async () => {
    const created = await api('POST', users, {
      json: { email: ' Ada@Example.com ', name: 'Ada Lovelace', phone: '+14155550123', locale: 'en-gb', picture: 'https://img.example.com/ada.png', attributes: { plan: 'pro', tags: ['a'] }, external_id: 'crm-1', password: PASSWORD },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ tenant: 'main', email: 'ada@example.com', email_verified: false, phone: '+14155550123', phone_verified: false, locale: 'en-GB', attributes: { plan: 'pro', tags: ['a'] }, external_id: 'crm-1', disabled: false });
    expect(created.text).not.toContain(PASSWORD);
    expect(created.headers.get('location')).toBe(`/api/v1/tenants/main/users/${created.body.id}`);
    const shown = await api('GET', `${users}/${encodeURIComponent('ADA@example.com')}`);
    expect(shown.body).toEqual(created.body);
    expect(shown.headers.get('etag')).toBe(created.headers.get('etag'));

    await api('POST', users, { json: { email: 'bob@example.com', name: 'Bob Byron', external_id: 'crm-2' } });
    await api('POST', users, { json: { email: 'carol@example.org' } });
    const first = await api('GET', `${users}?limit=2`);
    expect(first.body.items.map((u: { email: string }) => u.email)).toEqual(['ada@example.com', 'bob@example.com']);
    expect(first.headers.get('link')).toContain('cursor=');
    const second = await api('GET', `${users}?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.items.map((u: { email: string }) => u.email)).toEqual(['carol@example.org']);
    expect(second.body.next_cursor).toBeNull();
    const search = async (q: string) => (await api('GET', `${users}?search=${encodeURIComponent(q)}`)).body.items.map((u: { email: string }) => u.email);
    expect(await search('BYRON')).toEqual(['bob@example.com']);
    expect(await search('crm-')).toEqual(['ada@example.com', 'bob@example.com']);
    expect(await search('example.org')).toEqual(['carol@example.org']);
    expect(await search('100%')).toEqual([]);
  });

  it('409 on a taken email (any case) or external_id; 422 naming the field for attributes over the limits, bad picture, locale, phone or a weak password', async () => {
    const dupEmail = await api('POST', users, { json: { email: 'ADA@EXAMPLE.COM' } });
    expect([dupEmail.status, dupEmail.body.code]).toEqual([409, 'conflict']);
    const dupExternal = await api('POST', users, { json: { email: 'new@example.com', external_id: 'crm-1' } });
    expect(dupExternal.status).toBe(409);
    expect(dupExternal.body.detail).toContain('external_id');
    const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
    const manyKeys = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]));
    const big = { blob: 'x'.repeat(16 * 1024) };
    const cases: [Record<string, unknown>, string][] = [
      [{ attributes: deep }, 'attributes'],
      [{ attributes: manyKeys }, 'attributes'],
      [{ attributes: big }, 'attributes'],
      [{ attributes: [1, 2] }, 'attributes'],
      [{ picture: 'http://img.example.com/a.png' }, 'picture'],
      [{ picture: 'javascript:alert(1)' }, 'picture'],
      [{ locale: 'not a locale!' }, 'locale'],
      [{ phone: '0155 5555' }, 'phone'],
      [{ email: 'not-an-email' }, 'email'],
      [{ password: 'short' }, 'password'],
      [{ unknown_member: 1 }, 'unknown_member'],
    ];
    for (const [extra, field] of cases) {
      const r = await api('POST', users, { json: { email: 'x@example.com', ...extra } });
      expect([r.status, r.body.code, r.body.field], JSON.stringify(extra)).toEqual([422, 'validation_failed', field]);
    }
    // Within the limits is fine: five levels, 100 keys.
    const ok = await api('POST', users, { json: { email: 'limits@example.com', attributes: { a: { b: { c: { d: { e: 1 } } } }, ...Object.fromEntries(Array.from({ length: 95 }, (_, i) => [`k${i}`, i])) } } });
    expect(ok.status).toBe(201);
    const patched = await api('PATCH', `${users}/limits@example.com`, { json: { attributes: { z: { y: 1 } } } });
    expect([patched.status, patched.body.field]).toEqual([422, 'attributes']);
  });

  it('PATCH: members replace, null clears, attributes merge (RFC 7396); a new email is unverified unless given; If-Match guards (412); 409 on a taken email', async () => {
    const u = (await api('POST', users, { json: { email: 'dora@example.com', email_verified: true, phone: '+33123456789', attributes: { plan: 'free', trial: true } } })).body;
    const path = `${users}/${u.id}`;
    const r1 = await api('PATCH', path, { json: { name: 'Dora', phone: null, attributes: { plan: 'pro', trial: null, seats: 3 } } });
    expect(r1.status).toBe(200);
    expect(r1.body).toMatchObject({ name: 'Dora', phone: null, email_verified: true, attributes: { plan: 'pro', seats: 3 } });
    expect(r1.body.attributes).not.toHaveProperty('trial');
    const r2 = await api('PATCH', path, { json: { email: 'Dora.New@example.com' } });
    expect(r2.body).toMatchObject({ email: 'dora.new@example.com', email_verified: false });
    const r3 = await api('PATCH', path, { json: { email: 'dora@example.com', email_verified: true } });
    expect(r3.body).toMatchObject({ email: 'dora@example.com', email_verified: true });
    expect((await api('PATCH', path, { json: { email: 'ada@example.com' } })).status).toBe(409);
    expect((await api('PATCH', path, { json: { external_id: 'crm-2' } })).status).toBe(409);
    // RFC 9110 §13.1.1: a stale ETag is refused, the current one accepted.
    const stale = r1.headers.get('etag')!;
    expect((await api('PATCH', path, { json: { name: 'Stale' }, headers: { 'if-match': stale } })).status).toBe(412);
    const fresh = await api('PATCH', path, { json: { name: 'Fresh' }, headers: { 'if-match': r3.headers.get('etag')! } });
    expect([fresh.status, fresh.body.name]).toEqual([200, 'Fresh']);
    // Audit: the fields changed, never the values.
    const events = await site.af.repo.audit.list((await site.af.repo.tenants.bySlug('main'))!.id, { limit: 50, target: `user:${u.id}` });
    const updated = events.filter((e) => e.action === 'user.updated');
    expect(updated.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(updated)).not.toContain('dora');
    expect(updated.every((e) => e.actor.startsWith('api_key:'))).toBe(true);
  });

  it('scopes: no key 401, users:read may read but not write (403); another tenant\'s key sees 404 everywhere', async () => {
    const target = (await api('GET', `${users}/ada@example.com`)).body.id as string;
    const reader = await key('main', ['users:read']);
    const foreign = await key('second', ['*']);
    const writes: [string, string, unknown?][] = [
      ['POST', users, { email: 'z@example.com' }],
      ['PATCH', `${users}/${target}`, { name: 'X' }],
      ['DELETE', `${users}/${target}`],
      ['POST', `${users}/${target}/disable`],
      ['POST', `${users}/${target}/enable`],
      ['PUT', `${users}/${target}/password`, { password: NEW_PASSWORD }],
      ['DELETE', `${users}/${target}/sessions`],
    ];
    const reads: [string, string][] = [
      ['GET', users],
      ['GET', `${users}/${target}`],
      ['GET', `${users}/${target}/sessions`],
      ['GET', `${users}/${target}/data-export`],
    ];
    for (const [method, path, json] of [...writes, ...reads]) {
      const anonymous = await site.fetch(`${site.url}/api/v1${path}`, { method });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect((await api(method, path, { token: foreign, json })).status, `${method} ${path} foreign`).toBe(404);
    }
    for (const [method, path, json] of writes) expect((await api(method, path, { token: reader, json })).status, `${method} ${path}`).toBe(403);
    for (const [method, path] of reads) expect((await api(method, path, { token: reader })).status, `${method} ${path}`).toBe(200);
    // The other tenant, named in the path with the right key: the user is not there.
    expect((await api('GET', `/tenants/second/users/${target}`)).status).toBe(404);
    expect((await api('GET', `${users}/nobody@example.com`)).status).toBe(404);
    // Nothing changed.
    expect((await api('GET', `${users}/${target}`)).body).toMatchObject({ disabled: false, name: 'Ada Lovelace' });
  });

  it('disable: signed out everywhere, refresh token invalid_grant, access token invalid_token, sign-in refused; enable lets them in again', async () => {
    const id = await site.user('eve@example.com', PASSWORD);
    const { tokens } = await login('eve@example.com');
    const sessions = await api('GET', `${users}/${id}/sessions`);
    expect(sessions.body.items).toHaveLength(1);
    expect(sessions.body.items[0]).toMatchObject({ amr: ['pwd'], user_agent: expect.any(String) });

    const disabled = await api('POST', `${users}/${id}/disable`);
    expect([disabled.status, disabled.body.disabled]).toEqual([200, true]);
    // RFC 6749 §5.2 / RFC 6750 §3.1.
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!))).toBe('invalid_grant');
    expect(await oauthErrorOf(oidc.fetchUserInfo(rp.config, tokens.access_token, id))).toBe('invalid_token');
    expect((await api('GET', `${users}/${id}/sessions`)).body.items).toEqual([]);
    expect(await canSignIn('eve@example.com')).toBe(false);
    // Twice is harmless.
    expect((await api('POST', `${users}/${id}/disable`)).status).toBe(200);

    const enabled = await api('POST', `${users}/${id}/enable`);
    expect(enabled.body.disabled).toBe(false);
    expect(await canSignIn('eve@example.com')).toBe(true);
    // Old tokens stay dead.
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!))).toBe('invalid_grant');
    const actions = (await site.af.repo.audit.list((await site.af.repo.tenants.bySlug('main'))!.id, { limit: 20, target: `user:${id}` })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.created', 'user.disabled', 'user.enabled']));
  });

  it('PUT password: policy checked (422), sign-out everywhere by default, revoke_sessions:false keeps them; the new password signs in', async () => {
    const id = await site.user('finn@example.com', PASSWORD);
    const first = await login('finn@example.com');
    const weak = await api('PUT', `${users}/${id}/password`, { json: { password: 'finn@example.com' } });
    expect([weak.status, weak.body.field]).toEqual([422, 'password']);
    const kept = await api('PUT', `${users}/${id}/password`, { json: { password: NEW_PASSWORD, revoke_sessions: false } });
    expect(kept.body).toEqual({ tenant: 'main', user_id: id, sessions_ended: 0, refresh_families_revoked: 0 });
    const refreshed = await oidc.refreshTokenGrant(rp.config, first.tokens.refresh_token!);
    expect(await canSignIn('finn@example.com', PASSWORD)).toBe(false);
    expect(await canSignIn('finn@example.com', NEW_PASSWORD)).toBe(true);

    const revoked = await api('PUT', `${users}/${id}/password`, { json: { password: `${NEW_PASSWORD}!` } });
    expect(revoked.body.sessions_ended).toBeGreaterThanOrEqual(1);
    expect(revoked.body.refresh_families_revoked).toBe(1);
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, refreshed.refresh_token!))).toBe('invalid_grant');
    expect(revoked.text).not.toContain(NEW_PASSWORD);
    expect(site.logs.text).not.toContain(NEW_PASSWORD);
  });

  it('sessions: DELETE one ends that one (its access tokens are refused), DELETE all signs out everywhere; unknown session 404', async () => {
    const id = await site.user('gus@example.com', PASSWORD);
    const a = await login('gus@example.com');
    const b = await login('gus@example.com');
    const list = (await api('GET', `${users}/${id}/sessions`)).body.items as { id: string }[];
    expect(list).toHaveLength(2);
    expect((await api('DELETE', `${users}/${id}/sessions/no-such-session`)).status).toBe(404);
    const otherUser = (await api('GET', `${users}/ada@example.com`)).body.id;
    expect((await api('DELETE', `${users}/${otherUser}/sessions/${list[0]!.id}`)).status).toBe(404);
    const one = await api('DELETE', `${users}/${id}/sessions/${list[0]!.id}`);
    expect(one.body).toMatchObject({ sessions_ended: 1 });
    expect((await api('GET', `${users}/${id}/sessions`)).body.items.map((s: { id: string }) => s.id)).toEqual([list[1]!.id]);
    // list is newest first: list[0] is b's session.
    expect(await oauthErrorOf(oidc.fetchUserInfo(rp.config, b.tokens.access_token, id))).toBe('invalid_token');
    expect(await oidc.fetchUserInfo(rp.config, a.tokens.access_token, id)).toMatchObject({ sub: id });
    const all = await api('DELETE', `${users}/${id}/sessions`);
    expect(all.body).toMatchObject({ sessions_ended: 1, refresh_families_revoked: 2 });
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, a.tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('data export holds the profile, credentials (no secrets), sessions, consents and audit events; DELETE erases the user: sign-in refused, tokens dead, data gone', async () => {
    const id = await site.user('hana@example.com', PASSWORD, 'main', { external_id: 'crm-hana' });
    const { tokens } = await login('hana@example.com');
    const exported = await api('GET', `${users}/hana@example.com/data-export`);
    expect(exported.status).toBe(200);
    const data = exported.body;
    expect(data.profile).toMatchObject({ id, email: 'hana@example.com', external_id: 'crm-hana' });
    expect(data.credentials).toEqual([{ id: expect.any(String), kind: 'password', created_at: expect.any(String), last_used_at: expect.any(String) }]);
    expect(data.sessions).toHaveLength(1);
    expect(data.consents).toEqual([expect.objectContaining({ client_id: rp.clientId, client_name: 'Notes' })]);
    expect(data.audit_events.map((e: { action: string }) => e.action)).toContain('user.created');
    expect(exported.text).not.toMatch(/argon2|af_rt_|secret_hash|secretHash/);

    const deleted = await api('DELETE', `${users}/${id}`);
    expect(deleted.body).toEqual({ deleted: id });
    expect((await api('GET', `${users}/${id}`)).status).toBe(404);
    expect((await api('GET', `${users}/${id}/data-export`)).status).toBe(404);
    expect((await api('DELETE', `${users}/${id}`)).status).toBe(404);
    expect(await canSignIn('hana@example.com')).toBe(false);
    expect(await oauthErrorOf(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!))).toBe('invalid_grant');
    expect(await oauthErrorOf(oidc.fetchUserInfo(rp.config, tokens.access_token, id))).toBe('invalid_token');
    // Nothing left that names the user, but a pseudonymous audit event.
    const tenantId = (await site.af.repo.tenants.bySlug('main'))!.id;
    expect(await site.af.repo.credentials.allOfUser(tenantId, id)).toEqual([]);
    expect(await site.af.repo.grants.liveOfUser(tenantId, id)).toEqual([]);
    expect(await site.af.repo.sessions.liveOfUser(tenantId, id, Date.now())).toEqual([]);
    const [event] = await site.af.repo.audit.list(tenantId, { limit: 1, target: `user:${id}`, action: 'user.deleted' });
    expect(event).toMatchObject({ action: 'user.deleted', target: `user:${id}`, actor: expect.stringMatching(/^api_key:/) });
    expect(JSON.stringify(event)).not.toContain('hana');
    // The email is free again.
    expect((await api('POST', users, { json: { email: 'hana@example.com', external_id: 'crm-hana' } })).status).toBe(201);
  });

  it('the CLI works remotely (--url + AUTHFLOW_API_KEY) with the same --json output and exit codes as locally', async () => {
    const env = { AUTHFLOW_API_KEY: await key('main', ['users:write']) };
    const local = (argv: string[]) => runCli(['--data-dir', site.af.config.dataDir, ...argv]);
    const remote = (argv: string[]) => runCli(['--url', site.url, ...argv], { env });
    const id = await site.user('ivy@example.com', PASSWORD, 'main', { name: 'Ivy', attributes: { a: 1 } });
    await login('ivy@example.com');
    for (const argv of [
      ['--json', 'user', 'show', '--tenant', 'main', 'ivy@example.com'],
      ['--json', 'user', 'list', '--tenant', 'main', '--search', 'ivy'],
      ['--json', 'user', 'list', '--tenant', 'main', '--limit', '2'],
      ['--json', 'user', 'sessions', '--tenant', 'main', id],
      ['user', 'show', '--tenant', 'main', id],
    ]) {
      const [l, r] = [await local(argv), await remote(argv)];
      expect(r.stderr, argv.join(' ')).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout, argv.join(' ')).toBe(l.stdout);
    }
    const exportL = (await local(['--json', 'user', 'export-data', '--tenant', 'main', id])).json();
    const exportR = (await remote(['--json', 'user', 'export-data', '--tenant', 'main', id])).json();
    expect({ ...exportR, exported_at: null }).toEqual({ ...exportL, exported_at: null });

    const updated = await remote(['--json', 'user', 'update', '--tenant', 'main', id, '--locale', 'fr-fr', '--clear', 'name']);
    expect(updated.json()).toMatchObject({ locale: 'fr-FR', name: null });
    expect((await remote(['--json', 'user', 'disable', '--tenant', 'main', id])).json().disabled).toBe(true);
    expect((await remote(['--json', 'user', 'enable', '--tenant', 'main', id])).json().disabled).toBe(false);
    expect((await remote(['user', 'set-password', '--tenant', 'main', id])).code).toBe(2); // no password source
    expect((await remote(['--json', 'user', 'revoke-sessions', '--tenant', 'main', id])).json()).toMatchObject({ user_id: id, sessions_ended: 0 });
    // Exit codes: 3, 4, 5.
    expect((await remote(['user', 'show', '--tenant', 'main', 'nobody@example.com'])).code).toBe(3);
    expect((await remote(['user', 'create', '--tenant', 'main', '--email', 'ivy@example.com'])).code).toBe(4);
    const bad = await remote(['--json', 'user', 'update', '--tenant', 'main', id, '--picture', 'http://x.example/p.png']);
    expect([bad.code, bad.errorJson().error.code]).toEqual([5, 'validation_failed']);
    expect(bad.errorJson().error.message).toMatch(/^--picture: /);
    expect((await remote(['user', 'delete', '--tenant', 'main', id])).code).toBe(2); // no --yes, no terminal
    const del = await remote(['--yes', '--json', 'user', 'delete', '--tenant', 'main', 'ivy@example.com']);
    expect(del.json()).toEqual({ deleted: id });
    expect((await local(['user', 'show', '--tenant', 'main', id])).code).toBe(3);
  });
});
