// Email verification over real HTTP: a tenant that requires it blocks the
// sign-in of an unverified user until a mailed 6-digit code is typed (wrong
// codes counted, new codes limited); the mailed link verifies after a
// confirmation button (never on GET); expired, used and forged links get one
// page; the public "send a new link" form reveals nothing and is limited.
// SQLite, and Postgres when AUTHFLOW_TEST_DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailDelivery } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { TEST_ENV } from '../helpers/cli.ts';
import { linkIn, startSmtpSink } from '../helpers/smtp.ts';
import { authorizeUrl, type Browser, consent, DATABASES, formOf, REDIRECT_URI, redirectParams, signIn, startSite, unescapeHtml, type Site } from './browser-fixture.ts';

const PASSWORD = 'correct horse battery';
const TTL = 600;

describe.each(DATABASES)('email verification (%s)', (database) => {
  let site: Site;
  let clientId: string;
  let tenantId: string;

  beforeAll(async () => {
    site = await startSite({ database });
    await site.af.admin.tenants.update(LOCAL_ADMIN, 'main', { settings: { email_verification: { required: true, token_ttl: TTL } } });
    clientId = (await site.client({ type: 'public', redirect_uris: [REDIRECT_URI] })).clientId;
    tenantId = (await site.af.repo.tenants.bySlug('main'))!.id;
  });
  afterAll(async () => site?.stop());

  let n = 0;
  const unverified = async () => {
    const email = `user-${++n}@example.com`;
    const id = await site.user(email, PASSWORD, 'main', { email_verified: false });
    return { email, id };
  };

  async function mails(recipient: string): Promise<{ code: string; link: string }[]> {
    const items = await site.af.repo.outbox.list({ recipient, limit: 50 });
    return items
      .filter((i) => i.payload.template === 'verify_email')
      .map((i) => {
        const text = String(i.payload.text);
        return { code: /\b(\d{6})\b/.exec(text)![1]!, link: /https?:\/\/\S+/.exec(text)![0] };
      });
  }
  const latest = async (recipient: string) => (await mails(recipient))[0]!;

  /** Posts the first form of `page` (or the one with a `resend` button) with `fields`. */
  async function post(b: Browser, html: string, fields: Record<string, string>): Promise<{ res: Response; html: string }> {
    const form = formOf(html, site.url);
    const res = await b.post(form.action, { ...form.fields, ...fields });
    const body = res.status === 303 ? '' : await res.text();
    return { res, html: body };
  }

  async function signInUnverified(b: Browser, email: string): Promise<string> {
    const res = await signIn(b, site, await b.get(authorizeUrl(site, clientId).url), email, PASSWORD);
    expect(res.status).toBe(303);
    const page = await b.follow(res, site.url);
    return page.text();
  }

  it('sign-in waits for the code (email_verification.required): wrong codes ×5 spend it, a new code works, the old one does not', async () => {
    const { email, id } = await unverified();
    const b = site.browser();
    let html = await signInUnverified(b, email);
    expect(html).toContain('must be verified before you can continue');
    // Reloading does not get around it.
    const again = await b.get(formOf(html, site.url).action);
    expect(await again.text()).toContain('Email me a code');

    ({ html } = await post(b, html, { resend: '1' }));
    expect(html).toContain(`We sent a new code to ${email}.`);
    const first = await latest(email);
    for (let i = 1; i <= 5; i++) {
      ({ html } = await post(b, html, { code: first.code === '000000' ? '111111' : '000000' }));
      expect(unescapeHtml(html)).toContain(i < 5 ? 'That code is not right' : 'This code no longer works');
    }
    // The right code after five wrong ones: refused (MAX_CODE_ATTEMPTS).
    ({ html } = await post(b, html, { code: first.code }));
    expect(unescapeHtml(html)).toContain('This code no longer works');
    expect((await site.af.repo.users.byId(tenantId, id))!.emailVerified).toBe(false);

    // A new code: the old one stops working, the new one verifies.
    const resendForm = /<form[^>]*>(?:(?!<\/form>)[\s\S])*name="resend"[\s\S]*?<\/form>/.exec(html)![0];
    ({ html } = await post(b, resendForm, { resend: '1' }));
    const second = await latest(email);
    expect(second.code).not.toBe(undefined);
    if (second.code !== first.code) {
      ({ html } = await post(b, html, { code: first.code }));
      expect(unescapeHtml(html)).toContain('That code is not right');
    }
    const form = formOf(html, site.url);
    const ok = await b.post(form.action, { ...form.fields, code: ` ${second.code.slice(0, 3)} ${second.code.slice(3)} ` });
    expect(ok.status).toBe(303);
    expect(redirectParams(await consent(b, site, ok)).get('code')).toMatch(/^af_ac_/);
    expect((await site.af.repo.users.byId(tenantId, id))!.emailVerified).toBe(true);
    const audit = await site.af.repo.audit.list(tenantId, { limit: 5, action: 'user.email_verified', target: `user:${id}` });
    expect(audit[0]?.data).toEqual({ via: 'code' });
  });

  it('new codes are limited (3 per 15 minutes per user): the page says how long to wait, and the limit lifts', async () => {
    const { email } = await unverified();
    const b = site.browser();
    let html = await signInUnverified(b, email);
    ({ html } = await post(b, html, { resend: '1' }));
    const resendOnly = (h: string) => /<form[^>]*>(?:(?!<\/form>)[\s\S])*name="resend"[\s\S]*?<\/form>/.exec(h)![0];
    for (let i = 0; i < 2; i++) ({ html } = await post(b, resendOnly(html), { resend: '1' }));
    expect(await mails(email)).toHaveLength(3);
    const limited = await post(b, resendOnly(html), { resend: '1' });
    expect(limited.res.status).toBe(200);
    expect(limited.html).toMatch(/You asked for too many codes\. Try again in 1[45] minutes\./);
    expect(await mails(email)).toHaveLength(3);
    site.clock.advance(15 * 60_000 + 1000);
    // The interaction itself has expired by now (10 minutes): a new sign-in may ask again.
    const b2 = site.browser();
    const fresh = await signInUnverified(b2, email);
    const sent = await post(b2, fresh, { resend: '1' });
    expect(sent.html).toContain(`We sent a new code to ${email}.`);
  });

  it('end to end through a real SMTP server: the code in the delivered message completes the sign-in; its link points at this tenant', async () => {
    const smtp = await startSmtpSink();
    const env = { ...TEST_ENV, AUTHFLOW_SMTP_HOST: smtp.host, AUTHFLOW_SMTP_PORT: String(smtp.port), AUTHFLOW_SMTP_SECURITY: 'none', AUTHFLOW_SMTP_FROM: 'Acme <no-reply@acme.test>' };
    const delivery = startMailDelivery({ ...site.af, config: loadConfig({ dataDir: site.af.config.dataDir, env }) }, { pollMs: 50 });
    try {
      const { email, id } = await unverified();
      const b = site.browser();
      const { html } = await post(b, await signInUnverified(b, email), { resend: '1' });
      const msg = await smtp.waitForMessage(email, (m) => m.subject.startsWith('Confirm your email address'));
      expect(linkIn(msg)).toMatch(new RegExp(`^${site.issuer()}/verify-email\\?token=af_ve_[A-Za-z0-9_-]{43}$`));
      // (codeIn() would pick the port of the link: the code follows its sentence.)
      const code = /enter this code[^:]*: (\d+)/.exec(msg.text)?.[1];
      expect(code).toMatch(/^\d{6}$/);
      const form = formOf(html, site.url);
      const ok = await b.post(form.action, { ...form.fields, code: code! });
      expect(redirectParams(await consent(b, site, ok)).get('code')).toMatch(/^af_ac_/);
      expect((await site.af.repo.users.byId(tenantId, id))!.emailVerified).toBe(true);
    } finally {
      await delivery.stop();
      await smtp.close();
    }
  });

  it('the mailed link: GET shows a button and spends nothing; POST verifies once; a second use is refused', async () => {
    const { email, id } = await unverified();
    const b = site.browser();
    const html = await signInUnverified(b, email);
    await post(b, html, { resend: '1' });
    const { link } = await latest(email);
    const reader = site.browser();
    // A mail scanner prefetching the link twice spends nothing.
    expect((await reader.get(link)).status).toBe(200);
    const page = await reader.get(link);
    const confirmHtml = await page.text();
    expect(confirmHtml).toContain('Confirm my email address');
    expect((await site.af.repo.users.byId(tenantId, id))!.emailVerified).toBe(false);
    const form = formOf(confirmHtml, site.url);
    const done = await reader.post(form.action, form.fields);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain(`<strong>${email}</strong> is verified`);
    expect((await site.af.repo.users.byId(tenantId, id))!.emailVerified).toBe(true);
    const audit = await site.af.repo.audit.list(tenantId, { limit: 5, action: 'user.email_verified', target: `user:${id}` });
    expect(audit[0]?.data).toEqual({ via: 'link' });

    const reused = await reader.post(form.action, form.fields);
    expect(reused.status).toBe(400);
    expect(await reused.text()).toContain('This link was already used');
    // The sign-in that was waiting goes on once the address is verified elsewhere.
    const resumed = await b.get(formOf(html, site.url).action);
    expect(await resumed.text()).toContain('name="decision"');
  });

  it('expired, used and forged links: the same page and status except one sentence, offering a new link', async () => {
    const { email } = await unverified();
    const b = site.browser();
    await post(b, await signInUnverified(b, email), { resend: '1' });
    const { link } = await latest(email);
    const reader = site.browser();
    const forged = await reader.get(`${site.issuer()}/verify-email?token=af_ve_${'A'.repeat(43)}`);
    const empty = await reader.get(`${site.issuer()}/verify-email`);
    site.clock.advance(TTL * 1000 + 1000);
    const expired = await reader.get(link);
    const bodies = await Promise.all([forged, empty, expired].map((r) => r.text()));
    expect([forged.status, empty.status, expired.status]).toEqual([400, 400, 400]);
    expect(bodies[0]).toContain('This link is not valid');
    expect(bodies[2]).toContain('This link has expired.');
    const strip = (h: string) => h.replace(/<h1>[\s\S]*?<\/h1>\n<p>[^<]*<\/p>/, '').replace(/name="csrf" value="[^"]*"/, '');
    expect(strip(bodies[2]!)).toBe(strip(bodies[0]!));
    expect(bodies[0]).toContain('Send me a new link');
  });

  it('"send me a new link": the same page for an unknown and an unverified address; limited per address with 429 and Retry-After; CSRF required', async () => {
    const { email } = await unverified();
    const reader = site.browser();
    const problem = await (await reader.get(`${site.issuer()}/verify-email?token=nope`)).text();
    const ask = async (address: string) => {
      const form = formOf(problem, site.url);
      return reader.post(form.action, { ...form.fields, email: address });
    };
    const known = await ask(email);
    const unknown = await ask('nobody-here@example.com');
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(await known.text()).toBe(await unknown.text());
    const { link } = await latest(email);
    expect(link).toMatch(/\/verify-email\?token=af_ve_/);

    await ask(email);
    await ask(email);
    const limited = await ask(email);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toMatch(/Try again in \d+ minutes/);
    expect(await mails(email)).toHaveLength(3);

    const stranger = site.browser();
    const noCookie = await stranger.post(formOf(problem, site.url).action, { ...formOf(problem, site.url).fields, email });
    expect(noCookie.status).toBe(403);
  });
});
