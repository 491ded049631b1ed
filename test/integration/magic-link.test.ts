// Magic links over real HTTP: "Email me a sign-in link" on the login page →
// "check your email" → the mailed single-use link → signed in (amr otp),
// bound to the browser that asked unless the tenant allows cross-device
// links; the same page for unknown addresses; rate limits; the link dies
// with its sign-in. SQLite, and Postgres when AUTHFLOW_TEST_DATABASE_URL is set.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, formOf, startSite, type Browser, type Site } from './browser-fixture.ts';
import { authRequest, linkIn, loginPage, mailTo, rp, settings } from './recovery-fixture.ts';

const PASSWORD = 'correct horse battery';

describe.each(DATABASES)('magic links (%s)', (database) => {
  let site: Site;
  let app: Awaited<ReturnType<typeof rp>>;

  beforeAll(async () => {
    site = await startSite({ database });
    await settings(site, { magic_links: { enabled: true } });
    app = await rp(site);
  });
  afterAll(async () => site?.stop());

  /** Starts a sign-in in `b` and asks for a link for `email`; returns the login page URL and the "check your email" response. */
  async function askForLink(b: Browser, email: string, extra: Record<string, string> = {}) {
    const request = await authRequest(app.config, 'openid email');
    const { pageUrl, html, form } = await loginPage(b, site, request.url);
    expect(html).toContain('name="method" value="magic_link"');
    const res = await b.post(form.action, { ...form.fields, identifier: email, password: '', method: 'magic_link', ...extra });
    return { request, pageUrl, res };
  }

  async function linkFor(email: string): Promise<string> {
    const [mail] = await mailTo(site, email, 'magic_link');
    return linkIn(mail!, '/magic-link');
  }

  /** Opens the link in `b` and presses "Continue signing in". */
  async function follow(b: Browser, link: string): Promise<Response> {
    const page = await b.get(link);
    const html = await page.text();
    if (page.status !== 200) return new Response(html, { status: page.status });
    expect(html).toContain('Continue signing in');
    const form = formOf(html, site.url);
    return b.post(form.action, form.fields);
  }

  it('same browser, end to end with openid-client: the link signs in (amr otp) and the flow continues to the client', async () => {
    const email = 'ml-ada@example.com';
    await site.user(email, PASSWORD, 'main', { email_verified: false });
    const b = site.browser();
    const { request, pageUrl, res } = await askForLink(b, email);
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location')!, site.url).toString()).toBe(pageUrl);
    const waiting = await (await b.get(pageUrl)).text();
    expect(waiting).toContain('Check your email');
    expect(waiting).not.toContain('http-equiv="refresh"'); // same-browser only: nothing to wait for here

    const link = await linkFor(email);
    expect(new URL(link).searchParams.get('token')).toMatch(/^af_ml_[A-Za-z0-9_-]{43}$/);
    // Opening the link (GET) does not spend it.
    expect((await b.get(link)).status).toBe(200);
    const followed = await follow(b, link);
    expect(followed.status).toBe(303);
    expect(new URL(followed.headers.get('location')!, site.url).toString()).toBe(pageUrl);
    const done = await b.follow(followed, site.url);
    expect(done.status).toBe(303);
    const tokens = await oidc.authorizationCodeGrant(app.config, new URL(done.headers.get('location')!), request.checks);
    const claims = tokens.claims()!;
    expect(claims.email).toBe(email);
    expect(claims.amr).toEqual(['otp']); // RFC 8176 (see docs/recovery.md)
    expect(claims.email_verified).toBe(true); // following the link proved the mailbox
    expect(b.cookie((n) => n === 'af_main')).toBeDefined();

    // Used: it cannot sign in again.
    const again = await b.get(link);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('This link does not work');
  });

  it('an unknown address gets the same "check your email" page; nothing is sent', async () => {
    const known = 'ml-known@example.com';
    await site.user(known, PASSWORD);
    const pageFor = async (email: string) => {
      const b = site.browser();
      const { pageUrl, res } = await askForLink(b, email);
      expect(res.status).toBe(303);
      const page = await b.get(pageUrl);
      return { status: page.status, html: (await page.text()).replaceAll(email, 'EMAIL').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'ID').replace(/name="csrf" value="[^"]*"/g, '') };
    };
    const a = await pageFor(known);
    const u = await pageFor('ml-nobody@example.com');
    expect(u).toEqual(a);
    expect(await mailTo(site, known, 'magic_link')).toHaveLength(1);
    expect(await mailTo(site, 'ml-nobody@example.com')).toHaveLength(0);
  });

  it('opened in another browser: refused when cross_device is off (the link still works where it was asked for)', async () => {
    const email = 'ml-other@example.com';
    await site.user(email, PASSWORD);
    const b = site.browser();
    const { pageUrl } = await askForLink(b, email);
    const link = await linkFor(email);
    const elsewhere = await follow(site.browser(), link);
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain('only works in the browser where you asked for it');
    // Not signed in by that: the original browser still waits…
    expect(await (await b.get(pageUrl)).text()).toContain('Check your email');
    // …and its own click works.
    const followed = await follow(b, link);
    expect(followed.status).toBe(303);
    expect((await b.follow(followed, site.url)).headers.get('location')).toMatch(/code=/);
  });

  it('opened in another browser with cross_device on: it approves the waiting browser, which continues (meta refresh)', async () => {
    await settings(site, { magic_links: { cross_device: true } });
    try {
      const email = 'ml-cross@example.com';
      await site.user(email, PASSWORD);
      const b = site.browser();
      const { request, pageUrl } = await askForLink(b, email);
      const waiting = await (await b.get(pageUrl)).text();
      expect(waiting).toContain('<meta http-equiv="refresh" content="5">');
      const phone = site.browser();
      const approved = await follow(phone, await linkFor(email));
      expect(approved.status).toBe(200);
      expect(await approved.text()).toContain('You are signed in');
      expect(phone.cookie((n) => n === 'af_main')).toBeUndefined(); // the other device gets no session
      // The waiting browser's next load continues to the client.
      const next = await b.get(pageUrl);
      expect(next.status).toBe(303);
      const tokens = await oidc.authorizationCodeGrant(app.config, new URL(next.headers.get('location')!), request.checks);
      expect(tokens.claims()!.email).toBe(email);
    } finally {
      await settings(site, { magic_links: { cross_device: null } });
    }
  });

  it('the link dies with its sign-in: once the interaction expires it is refused', async () => {
    const email = 'ml-late@example.com';
    await site.user(email, PASSWORD);
    const b = site.browser();
    await askForLink(b, email);
    const link = await linkFor(email);
    site.clock.advance(11 * 60_000); // INTERACTION_TTL_MS is 10 minutes; the link (15) would still be valid
    const page = await b.get(link);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('the sign-in it was sent for is over');
  });

  it('"sign in another way" goes back to the login form and kills the link; a new link replaces the old one', async () => {
    site.clock.advance(16 * 60_000);
    const email = 'ml-cancel@example.com';
    await site.user(email, PASSWORD);
    const b = site.browser();
    const { pageUrl } = await askForLink(b, email);
    const first = await linkFor(email);
    const waiting = formOf(await (await b.get(pageUrl)).text(), site.url);
    const resent = await b.post(waiting.action, { ...waiting.fields, magic_link: 'resend' });
    expect(resent.status).toBe(200);
    expect(await resent.text()).toContain('We sent a new link');
    const second = await linkFor(email);
    expect(second).not.toBe(first);
    expect((await b.get(first)).status).toBe(400);
    const back = await b.post(waiting.action, { ...waiting.fields, magic_link: 'cancel' });
    expect(back.status).toBe(303);
    expect(await (await b.get(pageUrl)).text()).toContain('name="password"');
    expect((await b.get(second)).status).toBe(400);
    // The password still works on that page.
    const lf = formOf(await (await b.get(pageUrl)).text(), site.url);
    expect((await b.post(lf.action, { ...lf.fields, identifier: email, password: PASSWORD })).headers.get('location')).toMatch(/code=/);
  });

  it('rate limited per address: past the budget the login page says to wait, for known and unknown addresses alike', async () => {
    site.clock.advance(16 * 60_000);
    const known = 'ml-limit@example.com';
    await site.user(known, PASSWORD);
    const results: string[] = [];
    for (const email of [known, 'ml-limit-nobody@example.com']) {
      for (let i = 0; i < 5; i++) expect((await askForLink(site.browser(), email)).res.status).toBe(303);
      const b = site.browser();
      const { res } = await askForLink(b, email);
      expect(res.status).toBe(200);
      results.push((await res.text()).replaceAll(email, 'EMAIL').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'ID').replace(/name="csrf" value="[^"]*"/g, ''));
    }
    expect(results[0]).toContain('Too many sign-in links were requested. Try again in');
    expect(results[1]).toBe(results[0]);
    expect(await mailTo(site, known, 'magic_link')).toHaveLength(5);
  });

  it('disabled for the tenant: no button, and method=magic_link is an ordinary password post', async () => {
    await settings(site, { magic_links: { enabled: false } });
    try {
      const email = 'ml-off@example.com';
      await site.user(email, PASSWORD);
      const b = site.browser();
      const { html, form } = await loginPage(b, site, (await authRequest(app.config, 'openid')).url);
      expect(html).not.toContain('value="magic_link"');
      const res = await b.post(form.action, { ...form.fields, identifier: email, password: '', method: 'magic_link' });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Incorrect email or password.');
      expect(await mailTo(site, email)).toHaveLength(0);
    } finally {
      await settings(site, { magic_links: { enabled: true } });
    }
  });
});
