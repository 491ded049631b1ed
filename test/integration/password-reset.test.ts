// "Forgot password" over real HTTP: the emailed single-use link (256-bit
// token, SHA-256 at rest, 30 minutes by default, spent by use, by a newer
// link and by a password change), the reset signing the user out everywhere,
// the same answer for known and unknown addresses, and rate limits.
// SQLite, and Postgres when AUTHFLOW_TEST_DATABASE_URL is set.
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { linkIn as smtpLinkIn, startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { openTestAuthflow, serveAuthflow, type Harness } from '../helpers/server.ts';
import { Browser, DATABASES, formOf, signIn, startSite, type Site } from './browser-fixture.ts';
import { authRequest, linkIn, loginPage, mailTo, rp } from './recovery-fixture.ts';

const OLD = 'correct horse battery';
const NEW = 'tr0ub4dor & 3 staples';

describe.each(DATABASES)('password reset (%s)', (database) => {
  let site: Site;
  let app: Awaited<ReturnType<typeof rp>>;

  beforeAll(async () => {
    site = await startSite({ database });
    app = await rp(site);
  });
  afterAll(async () => site?.stop());

  const forgotUrl = () => `${site.issuer()}/forgot-password`;

  /** Opens the forgot-password page in `b` and asks for a link for `email`. */
  async function askForLink(b: Browser, email: string): Promise<Response> {
    const page = await b.get(forgotUrl());
    expect(page.status).toBe(200);
    const form = formOf(await page.text(), site.url);
    return b.post(form.action, { ...form.fields, email });
  }

  async function resetLinkFor(email: string): Promise<string> {
    const [mail] = await mailTo(site, email, 'reset_password');
    return linkIn(mail!, '/reset-password');
  }

  /** Opens the reset link and posts a new password. */
  async function reset(b: Browser, link: string, password = NEW, confirm = password): Promise<Response> {
    const page = await b.get(link);
    const html = await page.text();
    if (page.status !== 200) return new Response(html, { status: page.status });
    const form = formOf(html, site.url);
    return b.post(form.action, { ...form.fields, password, confirm });
  }

  async function newUser(email: string, extra: Record<string, unknown> = {}): Promise<string> {
    return site.user(email, OLD, 'main', extra);
  }

  it('forgot → mailed link → new password: other sessions and refresh tokens are revoked, the old password stops working, the new one signs in (openid-client)', async () => {
    const email = 'grace@example.com';
    const userId = await newUser(email, { email_verified: false });

    // A browser signed in with the old password, with a refresh token at the RP.
    const before = site.browser();
    const first = await authRequest(app.config);
    const done = await signIn(before, site, await before.get(first.url), email, OLD);
    const tokens = await oidc.authorizationCodeGrant(app.config, new URL(done.headers.get('location')!), first.checks);
    expect(tokens.refresh_token).toBeTruthy();
    // While the session lives, SSO: no login page.
    expect((await before.get((await authRequest(app.config)).url)).headers.get('location')).toMatch(/code=/);

    // Another browser asks for a link.
    const other = site.browser();
    const sent = await askForLink(other, email);
    expect(sent.status).toBe(200);
    expect(await sent.text()).toContain('If an account exists for that address');
    const [mail] = await mailTo(site, email, 'reset_password');
    expect(mail!.status).toBe('pending'); // queued, not sent within the request
    const link = linkIn(mail!, '/reset-password');
    const token = new URL(link).searchParams.get('token')!;
    expect(token).toMatch(/^af_pr_[A-Za-z0-9_-]{43}$/); // 256 bits
    // Stored as SHA-256 only, with a 30-minute lifetime by default.
    const record = await site.af.repo.userTokens.byHash((await site.af.repo.tenants.bySlug('main'))!.id, createHash('sha256').update(token).digest('base64url'));
    expect(record).toMatchObject({ kind: 'reset_password', userId, usedAt: null });
    expect(record!.expiresAt - record!.createdAt).toBe(1800 * 1000);

    // GET shows the form and does not spend the link (mail scanners prefetch links).
    expect((await other.get(link)).status).toBe(200);
    const changed = await reset(other, link);
    expect(changed.status).toBe(200);
    expect(await changed.text()).toContain('Password changed');

    // The refresh token is refused (RFC 6749 §5.2 invalid_grant) and the old session no longer gives SSO.
    await expect(oidc.refreshTokenGrant(app.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await before.get((await authRequest(app.config)).url)).headers.get('location')).toMatch(/\/login\//);

    // The old password no longer works; the new one does, end to end with openid-client.
    const b = site.browser();
    const wrong = await signIn(b, site, await b.get((await authRequest(app.config)).url), email, OLD);
    expect(wrong.status).toBe(200);
    expect(await wrong.text()).toContain('Incorrect email or password.');
    const again = await authRequest(app.config);
    const ok = await signIn(b, site, await b.get(again.url), email, NEW);
    const fresh = await oidc.authorizationCodeGrant(app.config, new URL(ok.headers.get('location')!), again.checks);
    expect(fresh.claims()!.email).toBe(email);
    // The reset proved the mailbox: the address is verified now.
    expect(fresh.claims()!.email_verified).toBe(true);

    // A notice went out, and the reset is in the audit log (by user id, never the address).
    expect(await mailTo(site, email, 'password_changed')).toHaveLength(1);
    const tenant = (await site.af.repo.tenants.bySlug('main'))!;
    const [event] = await site.af.repo.audit.list(tenant.id, { limit: 5, action: 'user.password_reset' });
    expect(event).toMatchObject({ actor: `user:${userId}`, target: `user:${userId}` });
    expect(JSON.stringify(event)).not.toContain(email);
    // And a security event: the password was changed, by a reset.
    const [security] = await site.af.repo.securityEvents.list(tenant.id, { limit: 5, userId, kind: 'password_changed' });
    expect(security!.data).toMatchObject({ via: 'reset' });
  });

  it('the link works once: a second use is refused with a page offering a new link', async () => {
    const email = 'once@example.com';
    await newUser(email);
    const b = site.browser();
    await askForLink(b, email);
    const link = await resetLinkFor(email);
    expect((await reset(b, link)).status).toBe(200);
    const second = await reset(site.browser(), link, 'another good passphrase');
    expect(second.status).toBe(400);
    const html = await second.text();
    expect(html).toContain('This link does not work');
    expect(html).toContain('/forgot-password');
  });

  it('a newer link invalidates the older one', async () => {
    const email = 'newer@example.com';
    await newUser(email);
    const b = site.browser();
    await askForLink(b, email);
    const older = await resetLinkFor(email);
    await askForLink(b, email);
    const newer = await resetLinkFor(email);
    expect(newer).not.toBe(older);
    expect((await b.get(older)).status).toBe(400);
    expect((await reset(b, newer)).status).toBe(200);
  });

  it('a password change (setPassword by an admin) invalidates outstanding links', async () => {
    const email = 'changed@example.com';
    const id = await newUser(email);
    const b = site.browser();
    await askForLink(b, email);
    const link = await resetLinkFor(email);
    await site.af.admin.users.setPassword(LOCAL_ADMIN, 'main', id, { password: 'set by the admin 1' });
    const page = await b.get(link);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('This link does not work');
  });

  it('an expired link (past password_reset.token_ttl) gets the page offering a new link; a forged one too', async () => {
    const email = 'late@example.com';
    await newUser(email);
    const b = site.browser();
    await askForLink(b, email);
    const link = await resetLinkFor(email);
    site.clock.advance(31 * 60_000);
    const page = await b.get(link);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('This link has expired.');
    const forged = await b.get(`${site.issuer()}/reset-password?token=af_pr_${'A'.repeat(43)}`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('This link does not work');
  });

  it('a password that breaks the policy or does not match keeps the link usable', async () => {
    site.clock.advance(61 * 60_000);
    const email = 'policy@example.com';
    await newUser(email);
    const b = site.browser();
    await askForLink(b, email);
    const link = await resetLinkFor(email);
    const short = await reset(b, link, 'short');
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('at least 8 characters');
    const mismatch = await reset(b, link, NEW, `${NEW}!`);
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toContain('do not match');
    expect((await reset(b, link)).status).toBe(200);
  });

  it('no user enumeration: the same page and status for a known and an unknown address, no argon2 and no SMTP in the request', async () => {
    site.clock.advance(61 * 60_000);
    const known = 'known@example.com';
    await newUser(known);
    const passwords = site.af.passwords as { hash: (p: string) => Promise<string>; verify: (h: string, p: string) => Promise<boolean> };
    const original = { hash: passwords.hash, verify: passwords.verify };
    let argon2 = 0;
    passwords.hash = (p) => (argon2++, original.hash(p));
    passwords.verify = (h, p) => (argon2++, original.verify(h, p));
    try {
      const b = site.browser();
      const page = await b.get(forgotUrl());
      const form = formOf(await page.text(), site.url);
      const strip = (html: string) => html.replace(/name="csrf" value="[^"]*"/g, '');
      const a = await b.post(form.action, { ...form.fields, email: known });
      const u = await b.post(form.action, { ...form.fields, email: 'nobody@example.com' });
      expect(a.status).toBe(u.status);
      expect(strip(await a.text())).toBe(strip(await u.text()));
      expect(argon2).toBe(0);
    } finally {
      Object.assign(passwords, original);
    }
    // Only the known address got mail, and it waits in the outbox for the sender (no SMTP was spoken in the request).
    const [mail] = await mailTo(site, known, 'reset_password');
    expect(mail).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await mailTo(site, 'nobody@example.com')).toHaveLength(0);
  });

  it('rate limits (docs/security.md, abuse): past the per-address budget, 429 with Retry-After and the same page for known and unknown addresses', async () => {
    site.clock.advance(61 * 60_000);
    const known = 'limited@example.com';
    await newUser(known);
    const b = site.browser();
    const page = await b.get(forgotUrl());
    const form = formOf(await page.text(), site.url);
    const post = (email: string) => b.post(form.action, { ...form.fields, email });
    for (let i = 0; i < 5; i++) {
      expect((await post(known)).status).toBe(200);
      expect((await post('unknown-limited@example.com')).status).toBe(200);
    }
    const a = await post(known);
    const u = await post('unknown-limited@example.com');
    expect(a.status).toBe(429);
    expect(u.status).toBe(429);
    expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(u.headers.get('retry-after'))).toBeGreaterThan(0);
    const html = await a.text();
    expect(html).toContain('Too many reset links were requested. Try again in');
    expect(await u.text()).toBe(html);
    // Only the five allowed links were issued.
    expect(await mailTo(site, known, 'reset_password')).toHaveLength(5);
  });

  it('the per-IP budget applies across addresses', async () => {
    site.clock.advance(61 * 60_000);
    const b = site.browser();
    const form = formOf(await (await b.get(forgotUrl())).text(), site.url);
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await b.post(form.action, { ...form.fields, email: `ip-${i}@example.com` })).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('the form needs its CSRF token; a malformed address is refused', async () => {
    site.clock.advance(61 * 60_000);
    const b = site.browser();
    const form = formOf(await (await b.get(forgotUrl())).text(), site.url);
    expect((await b.post(form.action, { ...form.fields, csrf: 'forged', email: 'x@example.com' })).status).toBe(403);
    expect((await site.browser().post(form.action, { ...form.fields, email: 'x@example.com' })).status).toBe(403); // no cookie
    const bad = await b.post(form.action, { ...form.fields, email: 'not an address' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Enter a valid email address.');
  });

  it('the login page links to it, and the reset page leads back to the sign-in that was in progress', async () => {
    site.clock.advance(61 * 60_000);
    const email = 'back@example.com';
    await newUser(email);
    const b = site.browser();
    const { html, pageUrl } = await loginPage(b, site, (await authRequest(app.config)).url);
    const href = /href="([^"]*forgot-password[^"]*)"/.exec(html)![1]!.replace(/&#61;/g, '=');
    const interactionId = new URL(pageUrl).pathname.split('/').pop()!;
    expect(href).toBe(`/t/main/forgot-password?interaction=${interactionId}`);
    const forgot = await b.get(new URL(href, site.url).toString());
    const fhtml = await forgot.text();
    expect(fhtml).toContain(`href="/t/main/login/${interactionId}"`);
    const form = formOf(fhtml, site.url);
    expect(form.fields.interaction).toBe(interactionId);
    await b.post(form.action, { ...form.fields, email });
    const done = await reset(b, await resetLinkFor(email));
    expect(await done.text()).toContain(`href="/t/main/login/${interactionId}"`);
    // …where the new password signs in.
    const page = await b.get(new URL(`/t/main/login/${interactionId}`, site.url).toString());
    const lf = formOf(await page.text(), site.url);
    const signedIn = await b.post(lf.action, { ...lf.fields, identifier: email, password: NEW });
    expect(signedIn.headers.get('location')).toMatch(/code=/);
  });
});

describe.each(DATABASES)('password reset through a real SMTP server (%s)', (database) => {
  let smtp: SmtpSink;
  let h: Harness;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    h = await serveAuthflow(await openTestAuthflow({ database, smtp }), 'node:http', { ownsInstall: true });
  });
  afterAll(async () => {
    await h?.stop();
    await smtp?.close();
  });

  it('the background sender delivers the link; it resets the password; neither the token nor the address reaches the logs', async () => {
    const email = 'smtp-reset@example.com';
    await h.af.admin.users.create(LOCAL_ADMIN, 'main', { email, password: OLD });
    // The public URL is http://localhost:8080; requests go to the served port.
    const base = 'http://localhost:8080';
    const b = new Browser((url, init) => {
      const u = new URL(url);
      return h.fetch(`${u.pathname}${u.search}`, init);
    });
    const form = formOf(await (await b.get(`${base}/t/main/forgot-password`)).text(), base);
    expect((await b.post(form.action, { ...form.fields, email })).status).toBe(200);
    const message = await smtp.waitForMessage(email, (m) => m.subject.startsWith('Reset your password'));
    const link = smtpLinkIn(message);
    expect(link).toMatch(/^http:\/\/localhost:8080\/t\/main\/reset-password\?token=af_pr_/);
    const page = formOf(await (await b.get(link)).text(), base);
    const done = await b.post(page.action, { ...page.fields, password: NEW, confirm: NEW });
    expect(await done.text()).toContain('Password changed');
    await smtp.waitForMessage(email, (m) => m.subject.includes('password was changed'));
    const token = new URL(link).searchParams.get('token')!;
    expect(h.logs.text).not.toContain(token);
    expect(h.logs.text).not.toContain(email);
  });
});
