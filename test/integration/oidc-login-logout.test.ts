// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) over real
// HTTP: the id_token_hint is verified against the tenant's keys (expired
// ones accepted, §4), post_logout_redirect_uri must be registered for the
// client the hint or client_id names (§3) — no open redirects —, a logout
// without a hint is confirmed on a CSRF-protected page, and the session ends
// (ended_at, cleared cookie, a `session` revocation for its sid).
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { createDirectory } from '../../src/core/directory.ts';
import { createSigner, type TenantSigner } from '../../src/core/oauth/tokens/signer.ts';
import { authorizeUrl, DATABASES, formOf, REDIRECT_URI, redirectParams, sha256b64url, signIn, startSite, type Site } from './browser-fixture.ts';

const PASSWORD = 'correct horse battery';
const BYE = 'http://127.0.0.1:9/bye';
const OTHER_BYE = 'http://127.0.0.1:9/other-bye';

describe.each(DATABASES)('RP-initiated logout (%s)', (database) => {
  let site: Site;
  let app: string;
  let otherApp: string;
  let foreign: string;
  let ada: string;
  let bob: string;
  let signer: TenantSigner;
  let close: () => void;
  let tenantId: string;
  let otherTenantId: string;

  beforeAll(async () => {
    site = await startSite({ database });
    app = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI], post_logout_redirect_uris: [BYE], first_party: true })).clientId;
    otherApp = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI], post_logout_redirect_uris: [OTHER_BYE], first_party: true })).clientId;
    await site.af.admin.tenants.create(LOCAL_ADMIN, { slug: 'other' });
    foreign = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI], post_logout_redirect_uris: [BYE] }, 'other')).clientId;
    ada = await site.user('ada@example.com', PASSWORD);
    bob = await site.user('bob@example.com', PASSWORD);
    const directory = createDirectory(site.af.repo, site.af.database.changes);
    close = () => directory.close();
    signer = createSigner({ directory, keyRing: site.af.keyRing, clock: site.clock });
    tenantId = (await site.af.repo.tenants.bySlug('main'))!.id;
    otherTenantId = (await site.af.repo.tenants.bySlug('other'))!.id;
  });
  afterAll(async () => {
    close?.();
    await site?.stop();
  });

  const db = () => site.af.database.current();
  const schema = () => site.af.database.schema;

  /** Signs in `email` through `app`; returns the browser and its session row. */
  async function signedIn(email = 'ada@example.com') {
    const b = site.browser();
    const done = await signIn(b, site, await b.get(authorizeUrl(site, app).url), email, PASSWORD);
    expect(redirectParams(done).get('code')).toBeTruthy();
    const cookie = b.cookie((n) => n === 'af_main')!;
    const [session] = await db().select().from(schema().sessions).where(eq(schema().sessions.secretHash, sha256b64url(cookie.value)));
    return { b, session: session! };
  }

  /** An ID token as the token endpoint issues them (RS256, this tenant's key), for use as a hint. */
  async function idToken(claims: Record<string, unknown>, tenant = tenantId): Promise<string> {
    const now = Math.floor(site.clock.now() / 1000);
    const issuer = tenant === tenantId ? site.issuer() : site.issuer('other');
    return (await signer.sign(tenant, 'RS256', { iss: issuer, aud: app, iat: now, exp: now + 3600, auth_time: now, ...claims })).jwt;
  }

  const logoutUrl = (params: Record<string, string>) => `${site.issuer()}/logout?${new URLSearchParams(params)}`;

  async function expectEnded(sessionId: string): Promise<void> {
    const [s] = await db().select().from(schema().sessions).where(eq(schema().sessions.id, sessionId));
    expect(s!.endedAt).not.toBeNull();
    const [rev] = await db().select().from(schema().revocations).where(and(eq(schema().revocations.kind, 'session'), eq(schema().revocations.value, sessionId)));
    expect(rev).toMatchObject({ tenantId, kind: 'session', value: sessionId, expiresAt: s!.expiresAt + 86_400_000 }); // kept until the last access token of the session can expire
  }

  async function expectLive(sessionId: string): Promise<void> {
    const [s] = await db().select().from(schema().sessions).where(eq(schema().sessions.id, sessionId));
    expect(s!.endedAt).toBeNull();
  }

  /** The signed-out page: 200, HTML, and no redirect anywhere. */
  async function expectNoRedirect(res: Response): Promise<void> {
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    const html = await res.text();
    expect(html).not.toContain('127.0.0.1:9');
    expect(html).not.toMatch(/http-equiv="refresh"/i);
  }

  it('with an id_token_hint for the signed-in user: the session ends at once and the browser returns to the registered URI with state', async () => {
    const { b, session } = await signedIn();
    const hint = await idToken({ sub: ada, sid: session.id });
    const res = await b.get(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: BYE, state: 'st-1' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${BYE}?state=st-1`);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('af_main=;') && /max-age=0/i.test(c))).toBe(true);
    expect(b.cookie((n) => n === 'af_main')).toBeUndefined();
    await expectEnded(session.id);
    // No more SSO: the next authorization asks for the password.
    expect((await b.get(authorizeUrl(site, app).url)).headers.get('location')).toMatch(/\/login\//);
  });

  it('an expired id_token_hint is accepted (RP-Initiated Logout §4)', async () => {
    const { b, session } = await signedIn();
    const now = Math.floor(site.clock.now() / 1000);
    const hint = await idToken({ sub: ada, sid: session.id, iat: now - 7200, exp: now - 3600 });
    const res = await b.get(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: BYE }));
    expect(res.headers.get('location')).toBe(BYE);
    await expectEnded(session.id);
  });

  it('without a hint the user confirms on a CSRF-protected page; confirming ends the session and redirects (client_id names the client)', async () => {
    const { b, session } = await signedIn();
    const page = await b.get(logoutUrl({ client_id: app, post_logout_redirect_uri: BYE, state: 'st-2' }));
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('form-action');
    await expectLive(session.id);
    const form = formOf(await page.text(), site.url);
    expect(form.fields).toMatchObject({ client_id: app, post_logout_redirect_uri: BYE, state: 'st-2' });
    expect(form.fields.csrf).toBeTruthy();

    // Without or with a wrong token: 403, nothing changes.
    const { csrf, ...rest } = form.fields;
    expect((await b.post(form.action, { ...rest, logout: 'yes' })).status).toBe(200); // no csrf field: just the request again (the page)
    expect((await b.post(form.action, { ...rest, csrf: `${csrf}x`, logout: 'yes' })).status).toBe(403);
    await expectLive(session.id);

    const res = await b.post(form.action, { ...form.fields, logout: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${BYE}?state=st-2`);
    await expectEnded(session.id);
  });

  it('"stay signed in" keeps the session and does not redirect', async () => {
    const { b, session } = await signedIn();
    const form = formOf(await (await b.get(logoutUrl({ client_id: app, post_logout_redirect_uri: BYE }))).text(), site.url);
    await expectNoRedirect(await b.post(form.action, { ...form.fields, logout: 'no' }));
    await expectLive(session.id);
  });

  it("a hint for another user than the session's asks for confirmation instead of logging out", async () => {
    const { b, session } = await signedIn();
    const res = await b.get(logoutUrl({ id_token_hint: await idToken({ sub: bob }), post_logout_redirect_uri: BYE }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="logout"');
    await expectLive(session.id);
  });

  it('a cross-site logout form post without a CSRF token cannot end the session (logout CSRF)', async () => {
    const { b, session } = await signedIn();
    const res = await b.post(`${site.issuer()}/logout`, { client_id: app, post_logout_redirect_uri: BYE, logout: 'yes' });
    expect(res.status).toBe(200);
    await expectLive(session.id);
  });

  describe('no open redirects (RP-Initiated Logout §3: only a URI registered for the identified client)', () => {
    it.each([
      ['an unregistered URI', { post_logout_redirect_uri: 'https://evil.example/' }],
      ['a registered URI with a trailing slash', { post_logout_redirect_uri: `${BYE}/` }],
      ['a registered URI with a longer path', { post_logout_redirect_uri: `${BYE}x` }],
      ['a registered URI with a query', { post_logout_redirect_uri: `${BYE}?next=https://evil.example` }],
      ['the redirect URI (not a post-logout one)', { post_logout_redirect_uri: REDIRECT_URI }],
      ["another client's URI", { post_logout_redirect_uri: OTHER_BYE }],
    ])('%s with a valid hint → the signed-out page', async (_, params) => {
      const { b, session } = await signedIn();
      await expectNoRedirect(await b.get(logoutUrl({ id_token_hint: await idToken({ sub: ada, sid: session.id }), ...params })));
      await expectEnded(session.id);
    });

    it('a URI with no client named (no hint, no client_id) → no redirect', async () => {
      const b = site.browser();
      await expectNoRedirect(await b.get(logoutUrl({ post_logout_redirect_uri: BYE })));
    });

    it("another tenant's client_id, even with its registered URI → no redirect", async () => {
      const b = site.browser();
      await expectNoRedirect(await b.get(logoutUrl({ client_id: foreign, post_logout_redirect_uri: BYE })));
    });

    it('client_id for one client with the URI of another → no redirect', async () => {
      const b = site.browser();
      await expectNoRedirect(await b.get(logoutUrl({ client_id: otherApp, post_logout_redirect_uri: BYE })));
    });

    it('a hint issued by another tenant, or not an ID token of ours, is refused with an error page (§4: the OP MUST validate it was the issuer)', async () => {
      const { b, session } = await signedIn();
      for (const hint of [await idToken({ sub: ada }, otherTenantId), 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', `${await idToken({ sub: ada })}x`]) {
        const res = await b.get(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: BYE }));
        expect(res.status).toBe(400);
        expect(res.headers.get('location')).toBeNull();
      }
      await expectLive(session.id);
    });

    it('a client_id that is not an audience of the hint is refused', async () => {
      const { b, session } = await signedIn();
      const res = await b.get(logoutUrl({ id_token_hint: await idToken({ sub: ada, sid: session.id }), client_id: otherApp, post_logout_redirect_uri: OTHER_BYE }));
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      await expectLive(session.id);
    });
  });

  it('without a session, a valid request still returns to the registered URI (nothing to end)', async () => {
    const b = site.browser();
    const res = await b.get(logoutUrl({ client_id: app, post_logout_redirect_uri: BYE, state: 's' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${BYE}?state=s`);
  });

  it('id_token_hint at /authorize (OIDC Core §3.1.2.1): prompt=none for the hinted user gets a code, for another user login_required', async () => {
    const { b, session } = await signedIn();
    const mine = redirectParams(await b.get(authorizeUrl(site, app, { prompt: 'none', id_token_hint: await idToken({ sub: ada, sid: session.id }) }).url));
    expect(mine.get('code')).toMatch(/^af_ac_/);
    const theirs = redirectParams(await b.get(authorizeUrl(site, app, { prompt: 'none', id_token_hint: await idToken({ sub: bob }) }).url));
    expect(theirs.get('error')).toBe('login_required');
    // A hint issued to another client is refused.
    const foreignHint = await idToken({ sub: ada, aud: otherApp });
    expect(redirectParams(await b.get(authorizeUrl(site, app, { id_token_hint: foreignHint }).url)).get('error')).toBe('invalid_request');
  });

  it("a session of one tenant is useless in another (tenant isolation): the cookie's secret is looked up in the tenant only", async () => {
    const { b } = await signedIn();
    const stolen = b.cookie((n) => n === 'af_main')!;
    b.jar.set('af_other', { ...stolen, name: 'af_other' });
    const res = await b.get(authorizeUrl(site, foreign, { prompt: 'none' }, 'other').url);
    expect(redirectParams(res).get('error')).toBe('login_required');
  });

  it('repeated parameters are refused (RFC 6749 §3.1 applies to OIDC requests)', async () => {
    const b = site.browser();
    const res = await b.get(`${logoutUrl({ client_id: app, post_logout_redirect_uri: BYE })}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example')}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('a logged-out session cookie is no longer honoured even if the browser kept it', async () => {
    const { b, session } = await signedIn();
    const kept = new Map(b.jar);
    await b.get(logoutUrl({ id_token_hint: await idToken({ sub: ada, sid: session.id }) }));
    for (const [k, v] of kept) b.jar.set(k, v);
    expect((await b.get(authorizeUrl(site, app, { prompt: 'none' }).url)).headers.get('location')).toContain('error=login_required');
  });
});
