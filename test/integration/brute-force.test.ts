// Brute force against the hosted login over real HTTP, from two loopback
// source addresses (127.0.0.2 the attacker, 127.0.0.3 the owner; Linux
// routes all of 127/8 to this machine): the attacker is slowed, then locked
// out of the account from its address; the owner still signs in from
// another address and, from the attacker's own address, with a browser that
// signed in before. Parallel wrong passwords never get past the budget; the
// account-wide cap holds across addresses; an admin unlock lets the owner
// in; the per-address budget stops credential stuffing. SQLite, and Postgres
// when AUTHFLOW_TEST_DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import { runCli } from '../helpers/cli.ts';
import { fetchFrom } from '../helpers/source-address.ts';
import { Browser, DATABASES, formOf, startSite, type Site } from './browser-fixture.ts';
import { authRequest, loginPage, mailTo, rp, settings } from './recovery-fixture.ts';

const PASSWORD = 'correct horse battery';
const WRONG = 'Tr0ub4dor&3';

describe.each(DATABASES)('brute force on the hosted login (%s)', (database) => {
  let site: Site;
  let app: Awaited<ReturnType<typeof rp>>;
  let tenant: Tenant;

  beforeAll(async () => {
    site = await startSite({ database });
    app = await rp(site);
    tenant = (await site.af.repo.tenants.bySlug('main'))!;
  });
  afterAll(async () => site?.stop());

  const browserAt = (address: string) => new Browser(fetchFrom(address));

  /** A login form of a new authorization request, in `b`. */
  async function form(b: Browser) {
    const { url } = await authRequest(app.config, 'openid');
    return (await loginPage(b, site, `${url}&prompt=login`)).form;
  }

  /** Posts the login form once; `ok`: redirected back to the client with a code; else the page's status, message and Retry-After. */
  async function attempt(b: Browser, f: { action: string; fields: Record<string, string> }, email: string, password: string) {
    const res = await b.post(f.action, { ...f.fields, identifier: email, password });
    if (res.status === 303 && /code=/.test(res.headers.get('location') ?? '')) return { ok: true as const, status: 303 };
    const html = await res.text();
    const message = /class="error"[^>]*>([^<]*)</.exec(html)?.[1] ?? /<p[^>]*role="alert"[^>]*>([^<]*)</.exec(html)?.[1] ?? '';
    return { ok: false as const, status: res.status, retryAfter: res.headers.get('retry-after'), html, message, next: formOf(html, site.url) };
  }

  it('the attacker gets 5 tries, then doubling waits, then a 15-minute lock of its address; the owner signs in from elsewhere and from a known browser', async () => {
    const email = `bf-ada-${database}@example.com`;
    const userId = await site.user(email, PASSWORD);
    // The owner's laptop signs in once: its device cookie is now known for this user.
    const laptop = browserAt('127.0.0.2');
    expect((await attempt(laptop, await form(laptop), email, PASSWORD)).ok).toBe(true);

    const attacker = browserAt('127.0.0.2');
    let f = await form(attacker);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await attempt(attacker, f, email, WRONG);
      statuses.push(r.status);
      if (!r.ok) f = r.next;
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    // The sixth try comes too early: refused without checking the password, even the right one.
    let r = await attempt(attacker, f, email, PASSWORD);
    expect(r).toMatchObject({ ok: false, status: 429, retryAfter: '60' });
    expect(r.html).toContain('Too many failed sign-in attempts. Try again in 60 seconds.');
    // The owner, elsewhere, is not held back.
    const phone = browserAt('127.0.0.3');
    expect((await attempt(phone, await form(phone), email, PASSWORD)).ok).toBe(true);

    // Then each wait doubles (60, 120, 240, 480 s) up to the lock (900 s).
    const waits: string[] = [];
    for (const wait of [60, 120, 240, 480]) {
      site.clock.advance(wait * 1000);
      // A sign-in page lasts 10 minutes: start a new one each time, as a patient attacker does.
      f = await form(attacker);
      r = await attempt(attacker, f, email, WRONG);
      expect(r.status).toBe(200);
      f = r.next!;
      const early = await attempt(attacker, f, email, WRONG);
      waits.push(early.retryAfter!);
    }
    expect(waits).toEqual(['120', '240', '480', '900']);
    r = await attempt(attacker, await form(attacker), email, PASSWORD);
    expect(r.status).toBe(429);
    expect(r.html).toContain('Try again in 15 minutes.');

    // Locked from 127.0.0.2 — but the owner's laptop at the very same address has its own counter.
    expect((await attempt(laptop, await form(laptop), email, PASSWORD)).ok).toBe(true);
    // And another browser of the owner, from another address, too.
    expect((await attempt(phone, await form(phone), email, PASSWORD)).ok).toBe(true);

    // The lock is a security event (audited), mailed once.
    const events = await site.af.repo.securityEvents.list(tenant.id, { limit: 10, userId, kind: 'lockout' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ ip: '127.0.0.2', data: { factor: 'password', scope: 'address', failures: 9, seconds: 900 } });
    expect(await mailTo(site, email, 'account_locked')).toHaveLength(1);
    expect((await site.af.repo.audit.list(tenant.id, { limit: 10, action: 'security.lockout', target: `user:${userId}` })).length).toBe(1);
    const metrics = await (await site.fetch(`${site.url}/metrics`)).text();
    expect(metrics).toMatch(/authflow_throttled_requests_total\{kind="sign_in_lockout"\} [1-9]/);
    expect(metrics).toMatch(/authflow_security_events_total\{kind="lockout"\} [1-9]/);
  });

  it('an unknown address is answered exactly like a known one, with the same waits', async () => {
    const attacker = browserAt('127.0.0.4');
    let f = await form(attacker);
    const seen: (number | string | null)[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await attempt(attacker, f, `nobody-${database}@example.com`, WRONG);
      seen.push(r.status, r.ok ? null : r.retryAfter);
      if (!r.ok) f = r.next;
    }
    expect(seen).toEqual([200, null, 200, null, 200, null, 200, null, 200, null, 429, '60']);
  });

  it('20 parallel wrong passwords from one address: exactly 5 are checked, 15 refused', async () => {
    const email = `bf-par-${database}@example.com`;
    await site.user(email, PASSWORD);
    const b = browserAt('127.0.0.5');
    const forms = await Promise.all(Array.from({ length: 20 }, () => form(b)));
    const results = await Promise.all(forms.map((f) => attempt(b, f, email, WRONG)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(15);
  });

  it('the account-wide cap holds across addresses; a known browser still gets in; `authflow user unlock` lets the owner in anywhere', async () => {
    await settings(site, { lockout: { account_max_failures: 12 } });
    try {
      const email = `bf-cap-${database}@example.com`;
      await site.user(email, PASSWORD);
      const laptop = browserAt('127.0.1.9');
      expect((await attempt(laptop, await form(laptop), email, PASSWORD)).ok).toBe(true);
      // Three addresses, four wrong passwords each (under the per-address budget of 5): 12 in a row for the account.
      for (const address of ['127.0.1.2', '127.0.1.3', '127.0.1.4']) {
        const b = browserAt(address);
        let f = await form(b);
        for (let i = 0; i < 4; i++) {
          const r = await attempt(b, f, email, WRONG);
          expect(r.status).toBe(200);
          if (!r.ok) f = r.next;
        }
      }
      // A thirteenth address, with the right password: the account takes no more passwords from unknown browsers.
      const fresh = browserAt('127.0.1.5');
      const refused = await attempt(fresh, await form(fresh), email, PASSWORD);
      expect(refused.status).toBe(429);
      expect(Number(refused.ok ? 0 : refused.retryAfter)).toBe(12 * 3600);
      const [event] = await site.af.repo.securityEvents.list(tenant.id, { limit: 1, kind: 'lockout' });
      expect(event!.data).toMatchObject({ scope: 'account', failures: 12 });
      // The browser that signed in before is not an unknown one.
      expect((await attempt(laptop, await form(laptop), email, PASSWORD)).ok).toBe(true);
      // An admin unlock clears the account's counters (an audited action).
      const db = site.af.config.database;
      const unlocked = await runCli(['--data-dir', site.af.config.dataDir, ...(db.kind === 'postgres' ? ['--database-url', db.url] : []), '--json', 'user', 'unlock', '--tenant', 'main', email]);
      expect(unlocked.code).toBe(0);
      // Four (account, address) counters and the account's own.
      expect(unlocked.json()).toMatchObject({ counters_cleared: 5 });
      expect((await attempt(fresh, await form(fresh), email, PASSWORD)).ok).toBe(true);
      const missing = await runCli(['--data-dir', site.af.config.dataDir, ...(db.kind === 'postgres' ? ['--database-url', db.url] : []), 'user', 'unlock', '--tenant', 'main', 'nobody@example.com']);
      expect(missing.code).toBe(3);
    } finally {
      await settings(site, { lockout: null });
    }
  });

  it('credential stuffing: one address failing for many accounts is stopped, its neighbours in the /24 too once the network budget is spent', async () => {
    await settings(site, { throttle: { sign_in_failures_per_address: { max: 6 }, sign_in_failures_per_network: { max: 9 } } });
    try {
      const stuffer = browserAt('127.0.2.2');
      let f = await form(stuffer);
      for (let i = 0; i < 6; i++) {
        const r = await attempt(stuffer, f, `victim-${i}-${database}@example.com`, WRONG);
        expect(r.status).toBe(200);
        if (!r.ok) f = r.next;
      }
      const r = await attempt(stuffer, f, `victim-7-${database}@example.com`, WRONG);
      expect(r).toMatchObject({ status: 429, retryAfter: '900' });
      // A neighbour in 127.0.2.0/24 has 3 failures left, then the network is stopped; another /24 is not.
      const neighbour = browserAt('127.0.2.3');
      let g = await form(neighbour);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const x = await attempt(neighbour, g, `other-${i}-${database}@example.com`, WRONG);
        statuses.push(x.status);
        if (!x.ok) g = x.next;
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      const elsewhere = browserAt('127.0.3.2');
      expect((await attempt(elsewhere, await form(elsewhere), `other-0-${database}@example.com`, WRONG)).status).toBe(200);
    } finally {
      await settings(site, { throttle: null });
    }
  });

  it('one address posting any sign-in form too often is throttled (forgot-password here), the budget shared with the login form', async () => {
    await settings(site, { throttle: { form_posts_per_address: { max: 3, window: 60 } } });
    try {
      const b = browserAt('127.0.4.2');
      const page = await b.get(`${site.issuer()}/forgot-password`);
      const f = formOf(await page.text(), site.url);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await b.post(f.action, { ...f.fields, email: `forgot-${i}@example.com` })).status);
      expect(statuses.every((s) => s < 400)).toBe(true);
      const refused = await b.post(f.action, { ...f.fields, email: 'forgot-x@example.com' });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await attempt(b, await form(b), `forgot-0@example.com`, WRONG)).status).toBe(429);
    } finally {
      await settings(site, { throttle: null });
    }
  });
});
