// Self-registration from the hosted login page, over real HTTP: the link on
// the login page, the form (domains, required fields, password policy,
// terms), the verification code, consent, and openid-client completing the
// code flow; no user enumeration (an already registered address gets the
// byte-identical pages); terms versions asked again when a new one is
// published. SQLite, and Postgres when AUTHFLOW_TEST_DATABASE_URL is set.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { authorizeUrl, type Browser, consent, DATABASES, formOf, REDIRECT_URI, redirectParams, signIn, startSite, type Site } from './browser-fixture.ts';

const PASSWORD = 'correct horse battery';
const TERMS = { version: '2026-01', terms_url: 'https://example.com/terms', privacy_url: 'https://example.com/privacy' };
const SETTINGS = {
  self_registration: true,
  registration: { allowed_email_domains: ['example.com', 'example.org'], required_fields: ['name'] },
  email_verification: { required: true },
  terms: TERMS,
};

/** The page without what differs per request: CSRF tokens, interaction ids. */
function normalized(html: string, ...emails: string[]): string {
  let out = html.replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value="CSRF"').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ID');
  for (const e of emails) out = out.replaceAll(e, 'EMAIL');
  return out;
}

describe.each(DATABASES)('self-registration (%s)', (database) => {
  let site: Site;
  let clientId: string;
  let config: oidc.Configuration;

  beforeAll(async () => {
    site = await startSite({ database });
    await site.af.admin.tenants.update(LOCAL_ADMIN, 'main', { settings: SETTINGS });
    clientId = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI] })).clientId;
    await site.user('ada@example.com', PASSWORD, 'main', { name: 'Ada', email_verified: true });
    config = await oidc.discovery(new URL(site.issuer()), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(async () => site?.stop());

  /** From /authorize to the registration page, through the login page's link. */
  async function openRegistration(b: Browser, url = authorizeUrl(site, clientId).url): Promise<{ html: string; status: number }> {
    const login = await b.follow(await b.get(url), site.url);
    const html = await login.text();
    const link = /href="([^"]*\/register\/[^"]*)"/.exec(html);
    if (!link) throw new Error(`no registration link on the login page:\n${html}`);
    const page = await b.get(new URL(link[1]!, site.url).toString());
    return { html: await page.text(), status: page.status };
  }

  async function register(b: Browser, fields: Record<string, string>, url?: string): Promise<Response> {
    const { html } = await openRegistration(b, url);
    const form = formOf(html, site.url);
    return b.post(form.action, { ...form.fields, name: 'New Person', password: PASSWORD, accept_terms: 'on', ...fields });
  }

  async function mailTo(recipient: string, template = 'verify_email'): Promise<{ text: string; code: string | undefined; link: string | undefined }[]> {
    const items = await site.af.repo.outbox.list({ recipient, limit: 20 });
    return items
      .filter((i) => i.payload.template === template)
      .map((i) => {
        const text = String(i.payload.text);
        return { text, code: /\b(\d{6})\b/.exec(text)?.[1], link: /https?:\/\/\S+/.exec(text)?.[0] };
      });
  }

  const postCode = async (b: Browser, page: Response, code: string) => {
    const form = formOf(await page.text(), site.url);
    return b.post(form.action, { ...form.fields, code });
  };

  it('register → code from the mail → consent → openid-client gets an ID token with email_verified true; terms acceptance and audit recorded', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid profile email', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce });
    const b = site.browser();
    const { html, status } = await openRegistration(b, url.href);
    expect(status).toBe(200);
    expect(html).toContain('href="https://example.com/terms"');
    expect(html).toContain('version 2026-01');
    const form = formOf(html, site.url);
    const registered = await b.post(form.action, { ...form.fields, email: 'Grace@Example.com', name: 'Grace Hopper', password: PASSWORD, accept_terms: 'on' });
    expect(registered.status).toBe(303);
    expect(registered.headers.get('location')).toMatch(/\/t\/main\/login\/[0-9a-f-]{36}$/);

    const page = await b.follow(registered, site.url);
    expect(page.status).toBe(200);
    const verifyHtml = await page.clone().text();
    expect(verifyHtml).toContain('We sent a 6-digit code to <strong>grace@example.com</strong>');
    const [mail] = await mailTo('grace@example.com');
    expect(mail!.code).toMatch(/^\d{6}$/);
    expect(mail!.link).toMatch(new RegExp(`^${site.issuer()}/verify-email\\?token=af_ve_`));

    const verified = await postCode(b, page, mail!.code!);
    expect(verified.status).toBe(303);
    const done = await consent(b, site, verified);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(done.headers.get('location')!), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ email: 'grace@example.com', email_verified: true, name: 'Grace Hopper', amr: ['pwd'] });

    const user = (await site.af.repo.users.byEmail((await site.af.repo.tenants.bySlug('main'))!.id, 'grace@example.com'))!;
    expect(user).toMatchObject({ emailVerified: true, name: 'Grace Hopper' });
    const acceptances = await site.af.repo.terms.ofUser(user.tenantId, user.id);
    expect(acceptances).toHaveLength(1);
    expect(acceptances[0]).toMatchObject({ version: '2026-01' });
    expect(Math.abs(acceptances[0]!.acceptedAt - site.clock.now())).toBeLessThan(60_000);
    const audit = await site.af.repo.audit.list(user.tenantId, { limit: 50, target: `user:${user.id}` });
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['user.registered', 'user.email_verified']));
    // Audit and mail never hold the code or link token in clear; the log holds no address.
    expect(JSON.stringify(audit)).not.toContain(mail!.code!);
    expect(JSON.stringify(audit)).not.toContain('grace@example.com');
    expect(site.logs.text).not.toContain('grace@example.com');
  });

  it('an already registered address gets the same status and byte-identical pages as a new one (no user enumeration); the owner is mailed instead', async () => {
    const fresh = site.browser();
    const taken = site.browser();
    const a = await register(fresh, { email: 'fresh-1@example.com' });
    const b = await register(taken, { email: 'ada@example.com', password: 'another long password' });
    expect(b.status).toBe(a.status);
    expect(b.headers.get('location')!.replace(/[0-9a-f-]{36}$/, 'ID')).toBe(a.headers.get('location')!.replace(/[0-9a-f-]{36}$/, 'ID'));
    const pa = await fresh.follow(a, site.url);
    const pb = await taken.follow(b, site.url);
    expect(pb.status).toBe(pa.status);
    const [ha, hb] = [await pa.clone().text(), await pb.clone().text()];
    expect(normalized(hb, 'ada@example.com')).toBe(normalized(ha, 'fresh-1@example.com'));

    // Wrong codes look the same too, up to and past the fifth.
    let [ra, rb] = [pa, pb];
    for (let i = 0; i < 6; i++) {
      const [na, nb] = [await postCode(fresh, ra, '000000'), await postCode(taken, rb, '000000')];
      expect(nb.status).toBe(na.status);
      const [ta, tb] = [await na.clone().text(), await nb.clone().text()];
      expect(normalized(tb, 'ada@example.com')).toBe(normalized(ta, 'fresh-1@example.com'));
      [ra, rb] = [na, nb];
    }
    // The owner got a note, not a code; no second account, no password change.
    const notes = await mailTo('ada@example.com', 'account_exists');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.text).toContain('You already have an account');
    expect(await mailTo('ada@example.com')).toHaveLength(0);
    const other = site.browser();
    const signedIn = await signIn(other, site, await other.get(authorizeUrl(site, clientId).url), 'ada@example.com', 'another long password');
    expect(signedIn.status).toBe(200); // the login page again: the password did not change
    expect(await signedIn.text()).toContain('Incorrect email or password.');
  });

  it('a domain not allowed, a missing required field, a weak password, terms not accepted: the form again with a clear message, nothing created', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ email: 'eve@example.net' }, 'Accounts can only be created with an address at example.com, example.org.'],
      [{ email: 'no-name@example.com', name: '' }, 'Enter your full name.'],
      [{ email: 'short@example.com', password: 'short' }, 'Password must be at least 8 characters'],
      [{ email: 'self@example.com', password: 'self@example.com' }, 'Password must not be your email address.'],
      [{ email: 'noterms@example.com', accept_terms: '' }, 'Accept the terms of service to create an account.'],
    ];
    const tenant = (await site.af.repo.tenants.bySlug('main'))!;
    for (const [fields, message] of cases) {
      const b = site.browser();
      const res = await register(b, fields);
      expect(res.status, JSON.stringify(fields)).toBe(200);
      const html = await res.text();
      expect(html).toContain(message.replace(/'/g, '&#39;'));
      expect(html).toContain(`value="${fields.email}"`); // the address is kept
      expect(html).not.toContain(PASSWORD);
      expect(await site.af.repo.users.byEmail(tenant.id, fields.email!)).toBeUndefined();
    }
  });

  it('a post without the CSRF token of this interaction is refused (403)', async () => {
    const b = site.browser();
    const { html } = await openRegistration(b);
    const form = formOf(html, site.url);
    const res = await b.post(form.action, { ...form.fields, csrf: 'forged', email: 'csrf@example.com', name: 'X', password: PASSWORD, accept_terms: 'on' });
    expect(res.status).toBe(403);
  });

  it('self_registration off: no link on the login page and the registration page is a 404', async () => {
    await site.af.admin.tenants.update(LOCAL_ADMIN, 'main', { settings: { self_registration: false } });
    try {
      const b = site.browser();
      const login = await b.follow(await b.get(authorizeUrl(site, clientId).url), site.url);
      expect(await login.text()).not.toContain('/register/');
      const id = /\/login\/([0-9a-f-]{36})/.exec(login.url)![1]!;
      const res = await b.get(`${site.issuer()}/register/${id}`);
      expect(res.status).toBe(404);
    } finally {
      await site.af.admin.tenants.update(LOCAL_ADMIN, 'main', { settings: { self_registration: true } });
    }
  });

  it('verification not required: a new address continues signed in to consent', async () => {
    await site.af.admin.tenants.update(LOCAL_ADMIN, 'main', { settings: { email_verification: { required: false } } });
    try {
      const b = site.browser();
      const res = await register(b, { email: 'quick@example.org' });
      const done = await consent(b, site, res);
      expect(redirectParams(done).get('code')).toMatch(/^af_ac_/);
      // A verification mail went out anyway (email_verified stays false until used).
      expect((await mailTo('quick@example.org'))[0]!.code).toMatch(/^\d{6}$/);
    } finally {
      await site.af.admin.tenants.update(LOCAL_ADMIN, 'main', { settings: { email_verification: { required: true } } });
    }
  });

  it('a new terms version is asked at the next login: declining → access_denied (RFC 6749 §4.1.2.1); accepting records the version', async () => {
    await site.af.admin.tenants.update(LOCAL_ADMIN, 'main', { settings: { terms: { ...TERMS, version: '2026-06' } } });
    const tenant = (await site.af.repo.tenants.bySlug('main'))!;
    const grace = (await site.af.repo.users.byEmail(tenant.id, 'grace@example.com'))!;

    const b = site.browser();
    const { url } = authorizeUrl(site, clientId, { state: 'st-1' });
    const asked = await signIn(b, site, await b.get(url), 'grace@example.com', PASSWORD);
    const page = await b.follow(asked, site.url);
    const html = await page.text();
    expect(html).toContain('Our terms have changed');
    expect(html).toContain('version 2026-06');
    const declined = await b.post(formOf(html, site.url).action, { ...formOf(html, site.url).fields, terms: 'decline' });
    const p = redirectParams(declined);
    expect(p.get('error')).toBe('access_denied');
    expect(p.get('state')).toBe('st-1');
    expect(p.get('code')).toBeNull();
    expect(await site.af.repo.terms.accepted(tenant.id, grace.id, '2026-06')).toBe(false);

    const b2 = site.browser();
    const again = await signIn(b2, site, await b2.get(authorizeUrl(site, clientId).url), 'grace@example.com', PASSWORD);
    const termsPage = await b2.follow(again, site.url);
    const form = formOf(await termsPage.text(), site.url);
    const accepted = await b2.post(form.action, { ...form.fields, terms: 'accept' });
    expect(redirectParams(accepted).get('code')).toMatch(/^af_ac_/); // consent was granted at registration
    const versions = (await site.af.repo.terms.ofUser(tenant.id, grace.id)).map((a) => a.version).sort();
    expect(versions).toEqual(['2026-01', '2026-06']);
    const audit = await site.af.repo.audit.list(tenant.id, { limit: 10, action: 'user.terms_accepted', target: `user:${grace.id}` });
    expect(audit[0]?.data).toEqual({ version: '2026-06' });
  });
});
