// The self-service account page (/t/:tenant/account) over real HTTP, as a
// browser without JavaScript sees it: sign-in on the page itself (no user
// enumeration, rate-limited failures), profile edit, email change confirmed by
// a mailed link, password change that signs other sessions out, the session
// list with sign-out, authorized apps with revoke (the refresh token is then
// refused at /token, RFC 6749 §5.2), the data export, and account deletion.
// Every form carries a CSRF token bound to the session cookie. SQLite, and
// Postgres when AUTHFLOW_TEST_DATABASE_URL is set.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { type Browser, consent, DATABASES, formOf, REDIRECT_URI, startSite, unescapeHtml, type Site } from './browser-fixture.ts';
import { oauthErrorOf } from './oidc-flow-fixture.ts';

const PASSWORD = 'correct horse battery';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe.each(DATABASES)('the account page (%s)', (database) => {
  let site: Site;
  let n = 0;

  beforeAll(async () => {
    site = await startSite({ database });
  });
  afterAll(async () => site?.stop());

  const account = (rest = '') => `${site.issuer()}/account${rest}`;
  const uniqueEmail = (name: string) => `${name}-${++n}@example.com`;

  /** A browser that sends `ua` as its User-Agent on every request. */
  function browser(ua = FIREFOX): Browser {
    const b = site.browser();
    const request = b.request.bind(b);
    b.request = (url, init = {}) => request(url, { ...init, headers: { 'user-agent': ua, ...Object.fromEntries(new Headers(init.headers)) } });
    return b;
  }

  /** Opens /account (the sign-in page) and posts the credentials; returns the response to the post. */
  async function signInOnAccount(b: Browser, email: string, password: string, extra: Record<string, string> = {}): Promise<Response> {
    const page = await b.get(account());
    expect(page.status).toBe(200);
    const form = formOf(await page.text(), site.url);
    expect(form.action).toBe(account('/login'));
    return b.post(form.action, { ...form.fields, identifier: email, password, ...extra });
  }

  /** A new user signed in to the account page in a new browser. */
  async function signedIn(options: { email?: string; ua?: string; password?: string } = {}) {
    const email = options.email ?? uniqueEmail('user');
    const userId = await site.user(email, options.password ?? PASSWORD, 'main', { name: 'Ada Lovelace' });
    const b = browser(options.ua);
    const res = await signInOnAccount(b, email, options.password ?? PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/t/main/account');
    return { b, email, userId };
  }

  /** The account page's HTML and its CSRF token (every account form carries the same one). */
  async function accountPage(b: Browser, query = ''): Promise<{ status: number; html: string; csrf: string }> {
    const res = await b.get(account(query));
    const html = await res.text();
    return { status: res.status, html, csrf: unescapeHtml(/name="csrf" value="([^"]*)"/.exec(html)?.[1] ?? '') };
  }

  /** Posts an account form with the page's CSRF token. */
  async function post(b: Browser, path: string, fields: Record<string, string>): Promise<Response> {
    const { csrf } = await accountPage(b);
    return b.post(account(path), { csrf, ...fields });
  }

  const signedInPage = async (b: Browser) => (await accountPage(b)).html.includes('<h1>Your account</h1>');
  const tenant = async () => (await site.af.repo.tenants.bySlug('main'))!;
  const userByEmail = async (email: string) => site.af.repo.users.byEmail((await tenant()).id, email);

  it('without a session /account is a sign-in page (no data, CSP, no-store); posts go back to it', async () => {
    const b = browser();
    const res = await b.get(account());
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Sign in');
    expect(html).toContain('to manage your');
    expect(html).not.toContain('Your account');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    // The sign-in form's own CSRF cookie (login CSRF): HttpOnly, SameSite=Lax.
    const cookie = b.cookie((name) => name === 'af_al_main')!;
    expect(cookie.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/']));

    for (const path of ['/profile', '/password', '/delete', '/sessions/end-others']) {
      const r = await b.post(account(path), { csrf: 'x', name: 'Mallory' });
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe('/t/main/account');
    }
    const exported = await b.get(account('/export'));
    expect(exported.status).toBe(303);
    expect(await exported.text()).toBe('');
  });

  it('sign-in: the same page, status and message for an unknown address and a wrong password; CSRF required; then the account page', async () => {
    const email = uniqueEmail('signin');
    await site.user(email, PASSWORD);
    const wrong = await signInOnAccount(browser(), email, 'not the password');
    const unknown = await signInOnAccount(browser(), uniqueEmail('nobody'), 'not the password');
    expect(wrong.status).toBe(unknown.status);
    const [wrongHtml, unknownHtml] = [await wrong.text(), await unknown.text()];
    expect(wrongHtml).toContain('Incorrect email or password.');
    expect(unknownHtml.replace(/value="[^"]*"/g, '')).toBe(wrongHtml.replace(/value="[^"]*"/g, ''));

    const b = browser();
    await b.get(account());
    const noCsrf = await b.post(account('/login'), { identifier: email, password: PASSWORD });
    expect(noCsrf.status).toBe(403);
    expect(b.cookie((name) => name === 'af_main')).toBeUndefined();

    const ok = await signInOnAccount(b, email, PASSWORD);
    expect(ok.status).toBe(303);
    const session = b.cookie((name) => name === 'af_main')!;
    expect(session.value).toMatch(/^af_ss_/);
    expect(session.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax']));
    expect(b.cookie((name) => name === 'af_al_main')).toBeUndefined();
    const page = await accountPage(b);
    expect(page.status).toBe(200);
    expect(page.html).toContain(email);
    expect(page.html).toContain('this device');
    expect(page.html).toContain('Firefox 128 on Linux');
  });

  it('docs/security.md, abuse: repeated failed sign-ins answer 429 with Retry-After, for unknown and known addresses alike', async () => {
    const known = uniqueEmail('limited');
    await site.user(known, PASSWORD);
    for (const email of [known, uniqueEmail('ghost')]) {
      const b = browser();
      let last: Response | undefined;
      for (let i = 0; i < 11; i++) last = await signInOnAccount(b, email, `wrong ${i}`);
      expect(last!.status).toBe(429);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      // Even the right password waits now.
      const right = await signInOnAccount(b, email, PASSWORD);
      expect(right.status).toBe(429);
    }
  });

  it('profile edit is validated and persisted; a form without its CSRF token is refused (403) and changes nothing', async () => {
    const { b, email } = await signedIn();
    const saved = await post(b, '/profile', { name: 'Ada King', given_name: 'Ada', family_name: 'King', locale: 'en-gb', picture: 'https://example.com/ada.png', phone: '+44 20 7946 0958' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/t/main/account?done=profile');
    expect((await accountPage(b, '?done=profile')).html).toContain('Your profile was saved.');
    expect(await userByEmail(email)).toMatchObject({ name: 'Ada King', givenName: 'Ada', familyName: 'King', locale: 'en-GB', picture: 'https://example.com/ada.png', phone: '+442079460958', phoneVerified: false });

    const bad = await post(b, '/profile', { name: 'Ada', picture: 'http://example.com/ada.png' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Picture URL must be an https URL.');
    const badPhone = await post(b, '/profile', { phone: 'call me' });
    expect(badPhone.status).toBe(422);

    const forged = await b.post(account('/profile'), { name: 'Mallory' });
    expect(forged.status).toBe(403);
    const wrongToken = await b.post(account('/profile'), { csrf: 'af_forged', name: 'Mallory' });
    expect(wrongToken.status).toBe(403);
    expect((await userByEmail(email))!.name).toBe('Ada King');

    // Clearing a field.
    expect((await post(b, '/profile', { name: 'Ada King', picture: '' })).status).toBe(303);
    expect((await userByEmail(email))!.picture).toBeNull();
    // Audited with the user as actor and field names only.
    const events = await site.af.repo.audit.list((await tenant()).id, { limit: 10, action: 'user.updated', actor: `user:${(await userByEmail(email))!.id}` });
    expect(events.length).toBe(2);
    expect(JSON.stringify(events)).not.toContain('Ada King');
  });

  it('email change: the current password is required; the link goes to the new address; confirming changes it, verified; sign-in then works with the new address only', async () => {
    const { b, email, userId } = await signedIn();
    const next = uniqueEmail('new');
    const wrong = await post(b, '/email', { email: next, password: 'nope' });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('Current password is not correct.');
    expect(await site.af.repo.outbox.list({ recipient: next, limit: 5 })).toEqual([]);

    const asked = await post(b, '/email', { email: next.toUpperCase(), password: PASSWORD });
    expect(asked.status).toBe(303);
    expect(asked.headers.get('location')).toBe('/t/main/account?done=email_sent');
    // Nothing changed yet.
    expect((await userByEmail(email))!.id).toBe(userId);
    const [mail] = await site.af.repo.outbox.list({ recipient: next, limit: 5 });
    expect(mail).toMatchObject({ userId, recipient: next });
    const text = String(mail!.payload.text);
    const link = /(http\S+\/account\/email\/confirm\?token=\S+)/.exec(text)![1]!;
    expect(link.startsWith(`${site.issuer()}/account/email/confirm?token=af_ec_`)).toBe(true);

    // GET only shows a button (mail scanners follow links).
    const confirmPage = await b.get(link);
    expect(confirmPage.status).toBe(200);
    const html = await confirmPage.text();
    expect(html).toContain(next);
    expect((await userByEmail(email))!.id).toBe(userId);
    const form = formOf(html, site.url);
    const done = await b.post(form.action, form.fields);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/t/main/account?done=email');
    expect(await userByEmail(email)).toBeUndefined();
    expect(await userByEmail(next)).toMatchObject({ id: userId, emailVerified: true });
    expect((await accountPage(b, '?done=email')).html).toContain('Your email address was changed.');

    // Single use.
    const again = await b.post(form.action, form.fields);
    expect(again.status).toBe(400);
    expect((await b.get(link)).status).toBe(400);

    expect((await signInOnAccount(browser(), next, PASSWORD)).status).toBe(303);
    const old = await signInOnAccount(browser(), email, PASSWORD);
    expect(old.status).toBe(200);
    expect(await old.text()).toContain('Incorrect email or password.');
    const audit = await site.af.repo.audit.list((await tenant()).id, { limit: 5, action: 'user.email_changed', target: `user:${userId}` });
    expect(audit).toHaveLength(1);
    // A security event, and the old address is told (whoever made the change, its owner must know).
    const [event] = await site.af.repo.securityEvents.list((await tenant()).id, { limit: 5, userId, kind: 'email_changed' });
    expect(event).toBeDefined();
    const [notice] = (await site.af.repo.outbox.list({ recipient: email, limit: 10 })).filter((m) => m.payload.template === 'email_changed');
    expect(String(notice!.payload.text)).toContain(next);
  });

  it('email change: an address taken by another account meanwhile is refused at confirmation (409), from another browser too', async () => {
    const { b, email } = await signedIn();
    const contested = uniqueEmail('contested');
    expect((await post(b, '/email', { email: contested, password: PASSWORD })).status).toBe(303);
    await site.user(contested, PASSWORD);
    const [mail] = await site.af.repo.outbox.list({ recipient: contested, limit: 5 });
    const link = /(http\S+\/account\/email\/confirm\?token=\S+)/.exec(String(mail!.payload.text))![1]!;
    const elsewhere = browser();
    const form = formOf(await (await elsewhere.get(link)).text(), site.url);
    const refused = await elsewhere.post(form.action, form.fields);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('already in use');
    expect(await userByEmail(email)).toBeDefined();
  });

  it('password change: a wrong current password is refused; the right one signs every other session out but keeps this one', async () => {
    const { b, email } = await signedIn();
    const other = browser(SAFARI);
    expect((await signInOnAccount(other, email, PASSWORD)).status).toBe(303);
    expect(await signedInPage(other)).toBe(true);

    const wrong = await post(b, '/password', { current_password: 'nope', new_password: 'a much better passphrase', confirm_password: 'a much better passphrase' });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('Current password is not correct.');
    const weak = await post(b, '/password', { current_password: PASSWORD, new_password: 'short', confirm_password: 'short' });
    expect(weak.status).toBe(422);
    const mismatch = await post(b, '/password', { current_password: PASSWORD, new_password: 'a much better passphrase', confirm_password: 'a much better passphrase!' });
    expect(mismatch.status).toBe(422);
    expect(await signedInPage(other)).toBe(true);

    const changed = await post(b, '/password', { current_password: PASSWORD, new_password: 'a much better passphrase', confirm_password: 'a much better passphrase' });
    expect(changed.status).toBe(303);
    expect(changed.headers.get('location')).toBe('/t/main/account?done=password');
    expect(await signedInPage(b)).toBe(true);
    expect(await signedInPage(other)).toBe(false);
    expect((await signInOnAccount(browser(), email, PASSWORD)).status).toBe(200);
    expect((await signInOnAccount(browser(), email, 'a much better passphrase')).status).toBe(303);
  });

  it('sessions: both browsers are listed with device, IP and times; "sign out" ends the other one; "everywhere else" ends the rest', async () => {
    const { b, email } = await signedIn();
    const phone = browser(SAFARI);
    expect((await signInOnAccount(phone, email, PASSWORD)).status).toBe(303);
    const { html } = await accountPage(b);
    expect(html).toContain('Firefox 128 on Linux');
    expect(html).toContain('Safari 17 on iOS');
    expect(html).toContain('IP 127.0.0.1');
    expect(html.match(/this device/g)).toHaveLength(1);
    const ids = [...html.matchAll(/name="session_id" value="([^"]*)"/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    const user = (await userByEmail(email))!;
    const sessions = await site.af.repo.sessions.liveOfUser(user.tenantId, user.id, site.clock.now());
    const phoneSession = sessions.find((s) => s.userAgent === SAFARI)!;

    // Another user's session id is not found (and stays live).
    const stranger = await signedIn();
    const strangerId = (await site.af.repo.sessions.liveOfUser(user.tenantId, (await userByEmail(stranger.email))!.id, site.clock.now()))[0]!.id;
    const foreign = await post(b, '/sessions/end', { session_id: strangerId });
    expect(foreign.status).toBe(404);
    expect(await signedInPage(stranger.b)).toBe(true);

    const ended = await post(b, '/sessions/end', { session_id: phoneSession.id });
    expect(ended.status).toBe(303);
    expect(await signedInPage(phone)).toBe(false);
    expect(await signedInPage(b)).toBe(true);

    const tablet = browser(SAFARI);
    expect((await signInOnAccount(tablet, email, PASSWORD)).status).toBe(303);
    const laptop = browser();
    expect((await signInOnAccount(laptop, email, PASSWORD)).status).toBe(303);
    expect((await post(b, '/sessions/end-others', {})).status).toBe(303);
    expect(await signedInPage(tablet)).toBe(false);
    expect(await signedInPage(laptop)).toBe(false);
    expect(await signedInPage(b)).toBe(true);
    expect((await accountPage(b)).html).not.toContain('Sign out everywhere else');

    // Signing this session out clears the cookie.
    const self = await post(b, '/sessions/end', { session_id: sessions.find((s) => s.userAgent === FIREFOX)!.id });
    expect(self.status).toBe(303);
    expect(b.cookie((name) => name === 'af_main')).toBeUndefined();
    expect(await signedInPage(b)).toBe(false);
  });

  it('authorized apps: listed with the client name and scopes; revoking one makes its refresh token invalid_grant at /token (RFC 6749 §5.2)', async () => {
    const { clientId, secret } = await site.client({ type: 'confidential', redirect_uris: [REDIRECT_URI], name: 'Notes & <Co>' });
    const config = await oidc.discovery(new URL(site.issuer()), clientId, { client_secret: secret! }, oidc.ClientSecretBasic(secret!), { execute: [oidc.allowInsecureRequests] });
    const { b } = await signedIn();
    // The SSO session from the account page signs the user in to the app; consent, code, tokens.
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid email offline_access', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, prompt: 'consent' });
    const done = await consent(b, site, await b.get(url.href));
    expect(done.status).toBe(303);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(done.headers.get('location')!), { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.refresh_token).toMatch(/^af_rt_/);

    const { html } = await accountPage(b);
    expect(html).toContain('Notes &amp; &lt;Co&gt;');
    expect(html).toContain('openid email offline_access');
    const revoked = await post(b, '/apps/revoke', { client_id: clientId });
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get('location')).toBe('/t/main/account?done=app');
    expect((await accountPage(b)).html).toContain('No application has access to your account.');
    expect(await oauthErrorOf(oidc.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
    // RFC 6750 §3.1: its access token is refused at once.
    expect(await oauthErrorOf(oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck))).toBe('invalid_token');
    // Twice: not found, shown on the page.
    expect((await post(b, '/apps/revoke', { client_id: clientId })).status).toBe(404);
  });

  it('download my data: a JSON attachment with profile, sessions and consents, and no secret or hash', async () => {
    const { b, email, userId } = await signedIn();
    const res = await b.get(account('/export'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="main-account-data\.json"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    const data = JSON.parse(text);
    expect(data.profile).toMatchObject({ id: userId, email, name: 'Ada Lovelace' });
    expect(data.sessions).toHaveLength(1);
    expect(data.sessions[0]).toMatchObject({ user_agent: FIREFOX, ip: '127.0.0.1' });
    expect(Array.isArray(data.consents)).toBe(true);
    expect(data.credentials).toEqual([expect.objectContaining({ kind: 'password' })]);
    const cookie = b.cookie((name) => name === 'af_main')!.value;
    expect(text).not.toContain(cookie);
    expect(text).not.toContain('$argon2');
    expect(text).not.toMatch(/secret|hash/i);
  });

  it('tenant isolation and email_verification.required: another tenant\'s session is useless; an unverified user is told to verify, only after the right password', async () => {
    await site.af.admin.tenants.create(LOCAL_ADMIN, { slug: 'strict', settings: { email_verification: { required: true } } });
    const email = uniqueEmail('strict');
    await site.user(email, PASSWORD, 'strict');
    const strict = (rest = '') => `${site.issuer('strict')}/account${rest}`;
    const sign = async (b: Browser, password: string) => {
      const form = formOf(await (await b.get(strict())).text(), site.url);
      return b.post(form.action, { ...form.fields, identifier: email, password });
    };
    const wrong = await sign(browser(), 'nope');
    expect(await wrong.text()).toContain('Incorrect email or password.');
    const unverified = await sign(browser(), PASSWORD);
    expect(unverified.status).toBe(403);
    expect(await unverified.text()).toContain('Confirm your email address first');

    const { b } = await signedIn();
    const mainSecret = b.cookie((name) => name === 'af_main')!.value;
    const crossed = await site.fetch(strict(), { headers: { cookie: `af_strict=${mainSecret}` } });
    expect(await crossed.text()).not.toContain('Your account');
  });

  it('delete my account: the password confirms; then the user, their sessions and tokens are gone, the cookie is cleared and sign-in is refused', async () => {
    const { b, email, userId } = await signedIn();
    const cookie = b.cookie((name) => name === 'af_main')!.value;
    const page = await b.get(account('/delete'));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Delete your account');
    const csrf = unescapeHtml(/name="csrf" value="([^"]*)"/.exec(html)![1]!);

    const noCsrf = await b.post(account('/delete'), { password: PASSWORD });
    expect(noCsrf.status).toBe(403);
    const wrong = await b.post(account('/delete'), { csrf, password: 'nope' });
    expect(wrong.status).toBe(422);
    expect(await userByEmail(email)).toBeDefined();

    const deleted = await b.post(account('/delete'), { csrf, password: PASSWORD });
    expect(deleted.status).toBe(200);
    expect(await deleted.text()).toContain('Your account was deleted');
    expect(deleted.headers.getSetCookie().some((c) => /^af_main=;.*Max-Age=0/.test(c))).toBe(true);
    expect(await userByEmail(email)).toBeUndefined();
    const t = await tenant();
    expect(await site.af.repo.users.byId(t.id, userId)).toBeUndefined();
    expect(await site.af.repo.sessions.liveOfUser(t.id, userId, site.clock.now())).toEqual([]);

    // The old cookie no longer works.
    const replay = await site.fetch(account(), { headers: { cookie: `af_main=${cookie}` } });
    expect(await replay.text()).not.toContain('Your account');
    expect((await signInOnAccount(browser(), email, PASSWORD)).status).toBe(200);
    const audit = await site.af.repo.audit.list(t.id, { limit: 5, action: 'user.deleted', target: `user:${userId}` });
    expect(audit).toEqual([expect.objectContaining({ actor: `user:${userId}` })]);
  });
});
