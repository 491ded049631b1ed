// The hosted sign-in sequence over real HTTP, as a browser without
// JavaScript sees it: /authorize → login page → consent page → redirect with
// code, state and iss; the SSO session (cookie, reuse by a second client,
// prompt=login, max_age, prompt=none); remembered consent; CSRF; no user
// enumeration; form_post. SQLite, and Postgres when AUTHFLOW_TEST_DATABASE_URL is set.
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/crypto/index.ts';
import { authorizeUrl, type Browser, consent, DATABASES, formOf, REDIRECT_URI, redirectParams, sha256b64url, signIn, startSite, type Site } from './browser-fixture.ts';

const PASSWORD = 'correct horse battery';

describe.each(DATABASES)('hosted sign-in (%s)', (database) => {
  let site: Site;
  let pub: string;
  let firstParty: string;
  let ada: string;

  beforeAll(async () => {
    site = await startSite({ database });
    pub = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI], name: 'Photo <Print> & Co' })).clientId;
    firstParty = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI], first_party: true })).clientId;
    ada = await site.user('ada@example.com', PASSWORD, 'main', { name: 'Ada' });
  });
  afterAll(async () => site?.stop());

  const db = () => site.af.database.current();
  const schema = () => site.af.database.schema;

  /** Runs the whole sequence for `clientId` in browser `b`; returns the final redirect's parameters. */
  async function fullLogin(b: Browser, clientId: string, params: Record<string, string | null> = {}, expectConsent = true): Promise<{ p: URLSearchParams; verifier: string; url: string }> {
    const { url, verifier } = authorizeUrl(site, clientId, params);
    let res = await signIn(b, site, await b.get(url), 'ada@example.com', PASSWORD);
    if (expectConsent) res = await consent(b, site, res);
    expect(res.status, await res.clone().text()).toBe(303);
    return { p: redirectParams(res), verifier, url };
  }

  it('authorize → login → consent → redirect with code, state and iss; the code is stored only as its hash, with the request', async () => {
    const b = site.browser();
    const claims = JSON.stringify({ id_token: { email: { essential: true } }, userinfo: { name: null } });
    const { p, url } = await fullLogin(b, pub, { nonce: 'n-0S6_WzA2Mj', claims, acr_values: 'urn:x:pwd' });
    const sent = new URL(url).searchParams;
    const code = p.get('code')!;
    expect(code).toMatch(/^af_ac_[A-Za-z0-9_-]{43}$/);
    expect(p.get('state')).toBe(sent.get('state'));
    expect(p.get('iss')).toBe(site.issuer()); // RFC 9207 §2
    expect([...p.keys()].sort()).toEqual(['code', 'iss', 'state']);

    const rows = await db().select().from(schema().authCodes).where(eq(schema().authCodes.clientId, pub));
    const row = rows.find((r) => r.codeHash === sha256b64url(code))!;
    expect(row).toBeDefined();
    expect(JSON.stringify(rows)).not.toContain(code.slice(6)); // docs/security.md: only the SHA-256 is stored
    expect(row).toMatchObject({
      userId: ada,
      redirectUri: REDIRECT_URI,
      scope: 'openid profile email',
      nonce: 'n-0S6_WzA2Mj',
      codeChallenge: sent.get('code_challenge'),
      codeChallengeMethod: 'S256',
      claims: JSON.parse(claims),
      amr: ['pwd'],
      usedAt: null,
    });
    const settings = { auth_code_ttl: 60 };
    expect(row.expiresAt - row.createdAt).toBe(settings.auth_code_ttl * 1000);
    // The code is bound to the session and to the grant the consent recorded.
    const [session] = await db().select().from(schema().sessions).where(eq(schema().sessions.id, row.sessionId!));
    expect(session).toMatchObject({ userId: ada, amr: ['pwd'], endedAt: null });
    expect(session!.authTime).toBe(row.authTime);
    const [grant] = await db().select().from(schema().grants).where(eq(schema().grants.id, row.grantId));
    expect(grant).toMatchObject({ userId: ada, clientId: pub, revokedAt: null });
    expect([...grant!.scopes].sort()).toEqual(['email', 'openid', 'profile']);
  });

  it('the consent page names the client (escaped) and describes each requested scope', async () => {
    const b = site.browser();
    const { url } = authorizeUrl(site, pub, { scope: 'openid email offline_access' });
    const res = await signIn(b, site, await b.get(url), 'ada@example.com', PASSWORD);
    const page = await b.follow(res, site.url);
    const html = await page.text();
    expect(html).toContain('Photo &lt;Print&gt; &amp; Co');
    expect(html).not.toContain('Photo <Print>');
    expect(html).toContain('Your email address');
    expect(html).toContain('<code>offline_access</code>');
    expect(html).toContain('ada@example.com');
  });

  it('the session cookie is HttpOnly, SameSite=Lax, Path=/, not Secure on an http loopback issuer; a browser-session cookie unless "remember me"', async () => {
    const b = site.browser();
    await fullLogin(b, firstParty, {}, false);
    const cookie = b.cookie((n) => n === 'af_main')!;
    expect(cookie.value).toMatch(/^af_ss_[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/']));
    expect(cookie.attributes).not.toContain('Secure');
    expect(cookie.attributes.some((a) => /^max-age=/i.test(a))).toBe(false);
    // The interaction cookie is gone once the request completed.
    expect(b.cookie((n) => n.startsWith('af_ix_'))).toBeUndefined();
    // Stored as SHA-256 only.
    const [row] = await db().select().from(schema().sessions).where(eq(schema().sessions.secretHash, sha256b64url(cookie.value)));
    expect(row).toBeDefined();

    const remembered = site.browser();
    const { url } = authorizeUrl(site, firstParty);
    await signIn(remembered, site, await remembered.get(url), 'ada@example.com', PASSWORD, { remember: 'on' });
    const maxAge = Number(/^max-age=(\d+)$/i.exec(remembered.cookie((n) => n === 'af_main')!.attributes.find((a) => /^max-age=/i.test(a))!)![1]);
    expect(maxAge).toBeGreaterThan(29 * 86_400); // session_absolute_ttl, 30 days by default
  });

  it('SSO: a second client of the tenant signs in without a password; prompt=login asks again and renews auth_time', async () => {
    const b = site.browser();
    // pub was granted these scopes by the first test: no consent page.
    const first = await fullLogin(b, pub, { scope: 'openid' }, false);
    expect(first.p.get('code')).toBeTruthy();
    const [before] = await db().select().from(schema().authCodes).where(eq(schema().authCodes.codeHash, sha256b64url(first.p.get('code')!)));

    // Another client: no login page, straight back with a code (first-party: no consent either).
    const { url } = authorizeUrl(site, firstParty);
    const res = await b.get(url);
    expect(res.status).toBe(303);
    const p = redirectParams(res);
    expect(p.get('code')).toMatch(/^af_ac_/);
    const [sso] = await db().select().from(schema().authCodes).where(eq(schema().authCodes.codeHash, sha256b64url(p.get('code')!)));
    expect(sso!.sessionId).toBe(before!.sessionId);
    expect(sso!.authTime).toBe(before!.authTime);

    // prompt=login (OIDC Core §3.1.2.1): the login page again, same session id, later auth_time.
    site.clock.advance(5_000);
    const again = await b.get(authorizeUrl(site, firstParty, { prompt: 'login' }).url);
    expect(again.headers.get('location')).toMatch(/\/login\//);
    const page = await b.follow(again, site.url);
    expect(await page.text()).toContain('name="password"');
    const oldCookie = b.cookie((n) => n === 'af_main')!.value;
    const { url: u2 } = authorizeUrl(site, firstParty, { prompt: 'login' });
    const done = await signIn(b, site, await b.get(u2), 'ada@example.com', PASSWORD);
    const [renewed] = await db().select().from(schema().authCodes).where(eq(schema().authCodes.codeHash, sha256b64url(redirectParams(done).get('code')!)));
    expect(renewed!.sessionId).toBe(before!.sessionId);
    expect(renewed!.authTime).toBeGreaterThanOrEqual(before!.authTime + 5_000);
    // The cookie secret is rotated on re-authentication (no session fixation).
    expect(b.cookie((n) => n === 'af_main')!.value).not.toBe(oldCookie);
  });

  it('max_age (OIDC Core §3.1.2.1): past it the user signs in again; within it SSO applies', async () => {
    const b = site.browser();
    await fullLogin(b, firstParty, {}, false);
    expect((await b.get(authorizeUrl(site, firstParty, { max_age: '3600' }).url)).headers.get('location')).toMatch(/code=/);
    site.clock.advance(61_000);
    expect((await b.get(authorizeUrl(site, firstParty, { max_age: '60' }).url)).headers.get('location')).toMatch(/\/login\//);
    expect((await b.get(authorizeUrl(site, firstParty, { max_age: '0' }).url)).headers.get('location')).toMatch(/\/login\//);
  });

  it('prompt=none (OIDC Core §3.1.2.6): a code with a session and a grant, consent_required without a grant, login_required without a session', async () => {
    const b = site.browser();
    expect(redirectParams(await b.get(authorizeUrl(site, firstParty, { prompt: 'none' }).url)).get('error')).toBe('login_required');
    await fullLogin(b, firstParty, {}, false);
    const ok = redirectParams(await b.get(authorizeUrl(site, firstParty, { prompt: 'none' }).url));
    expect(ok.get('code')).toMatch(/^af_ac_/);
    const other = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI] })).clientId;
    const p = redirectParams(await b.get(authorizeUrl(site, other, { prompt: 'none', state: 'xyz' }).url));
    expect(p.get('error')).toBe('consent_required');
    expect(p.get('state')).toBe('xyz');
    expect(p.get('iss')).toBe(site.issuer());
  });

  it('consent is remembered per user × client × scopes; a new scope or prompt=consent asks again; first-party clients skip it', async () => {
    const b = site.browser();
    const client = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI] })).clientId;
    await fullLogin(b, client, { scope: 'openid email' });
    // Same scopes: no consent page.
    expect((await b.get(authorizeUrl(site, client, { scope: 'openid email' }).url)).headers.get('location')).toMatch(/code=/);
    expect((await b.get(authorizeUrl(site, client, { scope: 'openid' }).url)).headers.get('location')).toMatch(/code=/);
    // A scope not yet granted: the consent page.
    const more = await b.get(authorizeUrl(site, client, { scope: 'openid profile' }).url);
    expect(more.headers.get('location')).toMatch(/\/login\//);
    expect(redirectParams(await consent(b, site, more)).get('code')).toBeTruthy();
    const [grant] = await db().select().from(schema().grants).where(eq(schema().grants.clientId, client));
    expect([...grant!.scopes].sort()).toEqual(['email', 'openid', 'profile']);
    // prompt=consent asks even when granted.
    const forced = await b.get(authorizeUrl(site, client, { scope: 'openid', prompt: 'consent' }).url);
    expect(forced.headers.get('location')).toMatch(/\/login\//);
    expect(await (await b.follow(forced, site.url)).text()).toContain('name="decision"');
  });

  it('denying consent → access_denied to the client with state and iss (RFC 6749 §4.1.2.1)', async () => {
    const b = site.browser();
    const client = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI] })).clientId;
    const { url } = authorizeUrl(site, client, { state: 'keep-me' });
    const res = await consent(b, site, await signIn(b, site, await b.get(url), 'ada@example.com', PASSWORD), 'deny');
    const p = redirectParams(res);
    expect(p.get('error')).toBe('access_denied');
    expect(p.get('state')).toBe('keep-me');
    expect(p.get('iss')).toBe(site.issuer());
    expect(p.get('code')).toBeNull();
    // The user did sign in: the session stays, but nothing was granted.
    const [grant] = await db().select().from(schema().grants).where(eq(schema().grants.clientId, client));
    expect(grant).toBeUndefined();
  });

  it('a wrong password and an unknown user get the same page (no user enumeration), with the identifier kept', async () => {
    const b = site.browser();
    const start = await b.get(authorizeUrl(site, pub).url);
    const page = await b.follow(start, site.url);
    const form = formOf(await page.text(), site.url);
    const wrong = await b.post(form.action, { ...form.fields, identifier: 'ada@example.com', password: 'not the password' });
    const unknown = await b.post(form.action, { ...form.fields, identifier: 'nobody@example.com', password: 'not the password' });
    const noPassword = await b.post(form.action, { ...form.fields, identifier: 'ada@example.com', password: '' });
    const bodies = await Promise.all([wrong, unknown, noPassword].map(async (r) => ({ status: r.status, html: await r.text() })));
    // Same interaction, so same CSRF token: the bodies differ only in the identifier typed.
    const strip = (html: string) => html.replace(/value="[^"]*@example\.com"/, 'value="…"');
    expect(bodies[0]!.html).toContain('Incorrect email or password.');
    expect(bodies[0]!.html).toContain('value="ada@example.com"');
    expect(strip(bodies[1]!.html)).toBe(strip(bodies[0]!.html));
    expect(strip(bodies[2]!.html)).toBe(strip(bodies[0]!.html));
    expect(new Set(bodies.map((x) => x.status))).toEqual(new Set([200]));
    expect(bodies.every((x) => !x.html.includes('not the password'))).toBe(true);
    // Afterwards the right password still works in the same interaction.
    const ok = await b.post(form.action, { ...form.fields, identifier: 'ADA@example.com ', password: PASSWORD });
    expect(ok.status).toBe(303);
  });

  it('a form without its CSRF token, or with a wrong one, is refused with a 403 page (nothing happens)', async () => {
    const b = site.browser();
    const start = await b.get(authorizeUrl(site, firstParty).url);
    const form = formOf(await (await b.follow(start, site.url)).text(), site.url);
    for (const csrf of [undefined, '', 'x'.repeat(43), form.fields.csrf!.slice(0, -1) + (form.fields.csrf!.endsWith('A') ? 'B' : 'A')]) {
      const fields: Record<string, string> = { ...form.fields, identifier: 'ada@example.com', password: PASSWORD };
      if (csrf === undefined) delete fields.csrf;
      else fields.csrf = csrf;
      const res = await b.post(form.action, fields);
      expect(res.status).toBe(403);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(b.cookie((n) => n === 'af_main')).toBeUndefined();
    }
    // The right token still works.
    expect((await b.post(form.action, { ...form.fields, identifier: 'ada@example.com', password: PASSWORD })).status).toBe(303);
  });

  it("another browser (without the interaction cookie) cannot use the interaction's page", async () => {
    const b = site.browser();
    const start = await b.get(authorizeUrl(site, firstParty).url);
    const form = formOf(await (await b.follow(start, site.url)).text(), site.url);
    const thief = site.browser();
    const res = await thief.post(form.action, { ...form.fields, identifier: 'ada@example.com', password: PASSWORD });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('expired');
    expect((await thief.get(form.action)).status).toBe(400);
  });

  it('a finished interaction cannot be replayed (the code is issued once)', async () => {
    const b = site.browser();
    const start = await b.get(authorizeUrl(site, firstParty).url);
    const cookies = new Map(b.jar);
    const form = formOf(await (await b.follow(start, site.url)).text(), site.url);
    const fields = { ...form.fields, identifier: 'ada@example.com', password: PASSWORD };
    expect((await b.post(form.action, fields)).status).toBe(303);
    for (const [k, v] of cookies) if (k.startsWith('af_ix_')) b.jar.set(k, v);
    const replay = await b.post(form.action, fields);
    expect(replay.status).toBe(400);
    expect(replay.headers.get('location')).toBeNull();
  });

  it('every page sends CSP with frame-ancestors none and no inline script, no-referrer, DENY framing and no-store', async () => {
    const b = site.browser();
    const pages: Response[] = [];
    const start = await b.get(authorizeUrl(site, pub, { scope: 'openid offline_access' }).url);
    const login = await b.follow(start, site.url);
    pages.push(login.clone());
    const form = formOf(await login.text(), site.url);
    pages.push((await b.post(form.action, { ...form.fields, identifier: 'ada@example.com', password: 'wrong' })).clone());
    const afterLogin = await b.post(form.action, { ...form.fields, identifier: 'ada@example.com', password: PASSWORD });
    const consentPage = await b.follow(afterLogin, site.url);
    pages.push(consentPage.clone());
    const consentForm = formOf(await consentPage.text(), site.url);
    expect((await b.post(consentForm.action, { ...consentForm.fields, decision: 'allow' })).status).toBe(303);
    pages.push(await b.get(`${site.issuer()}/authorize?client_id=nope`)); // error page
    pages.push(await b.get(authorizeUrl(site, firstParty, { response_mode: 'form_post' }).url)); // form_post page
    for (const res of pages) {
      const csp = res.headers.get('content-security-policy')!;
      expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      // Every inline <script> and <style> is allowed by its exact hash, nothing else runs; no inline handlers.
      for (const [, kind, body] of html.matchAll(/<(script|style)>([\s\S]*?)<\/\1>/g)) {
        expect(csp).toContain(`${kind}-src 'sha256-${createHash('sha256').update(body!).digest('base64')}'`);
      }
      expect(html).not.toMatch(/<(script|style)\s[^>]*>/);
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(csp).not.toContain('nonce-');
      if (!html.includes('<script')) expect(csp).toContain("script-src 'none'");
    }
  });

  it('response_mode=form_post: a page posting code, state and iss to the redirect URI, with a no-JavaScript fallback (Form Post Response Mode §2)', async () => {
    const b = site.browser();
    await fullLogin(b, firstParty, {}, false);
    const res = await b.get(authorizeUrl(site, firstParty, { response_mode: 'form_post', state: 'fp-state' }).url);
    expect(res.status).toBe(200);
    const html = await res.text();
    const form = formOf(html, site.url);
    expect(form.action).toBe(REDIRECT_URI);
    expect(form.fields.code).toMatch(/^af_ac_/);
    expect(form.fields.state).toBe('fp-state');
    expect(form.fields.iss).toBe(site.issuer());
    expect(html).toContain('<noscript>');
    expect(res.headers.get('content-security-policy')).toContain(`form-action 'self' http://127.0.0.1:9`);
  });

  it('a password hashed with other argon2 parameters is upgraded on login (docs/security.md rehash)', async () => {
    const id = await site.user('old@example.com', 'old-password-1');
    const [cred] = await db().select().from(schema().credentials).where(eq(schema().credentials.userId, id));
    const legacy = await createPasswordHasher({ memoryCost: 2048, timeCost: 1, parallelism: 1 }).hash('old-password-1');
    await site.af.repo.credentials.updateSecret(cred!.tenantId, cred!.id, legacy);
    const b = site.browser();
    const done = await signIn(b, site, await b.get(authorizeUrl(site, firstParty).url), 'old@example.com', 'old-password-1');
    expect(redirectParams(done).get('code')).toBeTruthy();
    const [after] = await db().select().from(schema().credentials).where(eq(schema().credentials.id, cred!.id));
    expect(after!.secret).not.toBe(legacy);
    expect(after!.secret).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(after!.lastUsedAt).not.toBeNull();
  });

  it('a disabled user cannot sign in, and gets the same message as a wrong password', async () => {
    const id = await site.user('gone@example.com', 'gone-password-1');
    await site.af.database.transaction(async (tx) => void (await tx.update(schema().users).set({ disabled: true }).where(eq(schema().users.id, id))));
    const b = site.browser();
    const res = await signIn(b, site, await b.get(authorizeUrl(site, firstParty).url), 'gone@example.com', 'gone-password-1');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Incorrect email or password.');
  });

  it('login_hint prefills the identifier (escaped)', async () => {
    const b = site.browser();
    const res = await b.follow(await b.get(authorizeUrl(site, pub, { login_hint: 'ada@example.com"><script>' }).url), site.url);
    const html = await res.text();
    expect(html).toContain('value="ada@example.com&quot;&gt;&lt;script&gt;"');
    expect(html).not.toContain('"><script>');
  });
});
