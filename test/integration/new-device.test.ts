// New-device tracking over real HTTP: a long-lived device cookie (256 bits,
// SHA-256 at rest) recognises the browser at each sign-in; a sign-in from a
// browser the user never used before, after sign-ins elsewhere, is a
// `user.new_device` audit event and a `new_device` email; sessions record the
// user agent and IP. SQLite, and Postgres when AUTHFLOW_TEST_DATABASE_URL is set.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import { authorizeUrl, Browser, DATABASES, REDIRECT_URI, signIn, startSite, type Site } from './browser-fixture.ts';
import { authRequest, mailTo, rp } from './recovery-fixture.ts';

const PASSWORD = 'correct horse battery';

describe.each(DATABASES)('new-device sign-ins (%s)', (database) => {
  let site: Site;
  let app: Awaited<ReturnType<typeof rp>>;
  let tenant: Tenant;

  beforeAll(async () => {
    site = await startSite({ database });
    app = await rp(site);
    tenant = (await site.af.repo.tenants.bySlug('main'))!;
  });
  afterAll(async () => site?.stop());

  /** A browser that sends its own User-Agent. */
  const browser = (userAgent: string) => new Browser((url, init) => site.fetch(url, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), 'user-agent': userAgent } }));

  /** A full sign-in with the password (prompt=login, so an existing session signs in again). */
  async function signInWith(b: Browser, email: string): Promise<void> {
    const { url } = await authRequest(app.config, 'openid');
    const res = await signIn(b, site, await b.get(`${url}&prompt=login`), email, PASSWORD);
    expect(res.headers.get('location')).toMatch(/code=/);
  }

  const events = async (userId: string) => site.af.repo.audit.list(tenant.id, { limit: 20, action: 'user.new_device', target: `user:${userId}` });

  it('first sign-in ever: no event; the same browser again: nothing; another browser: audit event and email; that one again: nothing', async () => {
    const email = 'dev-ada@example.com';
    const userId = await site.user(email, PASSWORD);
    const laptop = browser('Laptop/1.0 (X11; Linux)');
    await signInWith(laptop, email);
    const cookie = laptop.cookie((n) => n === 'af_dev')!;
    expect(cookie.value).toMatch(/^af_dv_[A-Za-z0-9_-]{43}$/); // 256 bits, typed
    expect(cookie.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/']));
    expect(Number(/^max-age=(\d+)$/i.exec(cookie.attributes.find((a) => /^max-age=/i.test(a))!)![1])).toBe(400 * 86_400);
    expect(await events(userId)).toHaveLength(0);
    expect(await mailTo(site, email, 'new_device')).toHaveLength(0);

    // Only the SHA-256 of the device secret is stored, with what the browser said.
    const [device] = await site.af.repo.devices.ofUser(tenant.id, userId);
    expect(device).toMatchObject({ deviceHash: createHash('sha256').update(cookie.value).digest('base64url'), userAgent: 'Laptop/1.0 (X11; Linux)', ip: '127.0.0.1' });

    await signInWith(laptop, email);
    expect(laptop.cookie((n) => n === 'af_dev')!.value).toBe(cookie.value); // kept, not replaced
    expect(await events(userId)).toHaveLength(0);

    const phone = browser('Phone/2.0 (Mobile)');
    await signInWith(phone, email);
    const [event] = await events(userId);
    expect(event).toMatchObject({ actor: `user:${userId}`, target: `user:${userId}`, data: { user_agent: 'Phone/2.0 (Mobile)', ip: '127.0.0.1' } });
    expect(JSON.stringify(event)).not.toContain(email);
    const [mail] = await mailTo(site, email, 'new_device');
    expect(String(mail!.payload.text)).toContain('Phone/2.0 (Mobile)');
    expect(mail!.status).toBe('pending');

    await signInWith(phone, email);
    await signInWith(laptop, email);
    expect(await events(userId)).toHaveLength(1);
    expect(await mailTo(site, email, 'new_device')).toHaveLength(1);
    expect((await site.af.repo.devices.ofUser(tenant.id, userId)).map((d) => d.userAgent).sort()).toEqual(['Laptop/1.0 (X11; Linux)', 'Phone/2.0 (Mobile)']);
  });

  it('the device cookie is per browser, the devices per user: another user on the same laptop is new for them', async () => {
    const a = 'dev-a@example.com';
    const b = 'dev-b@example.com';
    await site.user(a, PASSWORD);
    const bId = await site.user(b, PASSWORD);
    const other = browser('Other/1.0');
    await signInWith(other, b); // b's first device: no event
    const shared = browser('Shared/1.0');
    await signInWith(shared, a);
    await signInWith(shared, b); // new for b, who signed in before elsewhere
    expect(await events(bId)).toHaveLength(1);
  });

  it('a malformed device cookie is replaced, and sessions record the user agent and IP', async () => {
    const email = 'dev-session@example.com';
    const userId = await site.user(email, PASSWORD);
    const b = browser('Session/3.1');
    b.jar.set('af_dev', { name: 'af_dev', value: 'not-a-device-secret', attributes: [], raw: '' });
    await signInWith(b, email);
    expect(b.cookie((n) => n === 'af_dev')!.value).toMatch(/^af_dv_/);
    const [session] = await site.af.repo.sessions.liveOfUser(tenant.id, userId, site.clock.now());
    expect(session).toMatchObject({ userAgent: 'Session/3.1', ip: '127.0.0.1' });
    expect(session!.lastSeenAt).toBeGreaterThanOrEqual(session!.createdAt);
  });
});

describe('new-device cookie on an https issuer', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite({ https: true });
  });
  afterAll(async () => site?.stop());

  it('is __Host-af_dev, Secure, HttpOnly, SameSite=Lax', async () => {
    await site.user('dev-https@example.com', PASSWORD);
    const { clientId } = await site.client({ type: 'public', redirect_uris: [REDIRECT_URI], first_party: true });
    const b = site.browser();
    const { url } = authorizeUrl(site, clientId, { scope: 'openid' });
    const res = await signIn(b, site, await b.get(url), 'dev-https@example.com', PASSWORD);
    expect(res.headers.get('location')).toMatch(/code=/);
    const cookie = b.cookie((n) => n === '__Host-af_dev')!;
    expect(cookie).toBeDefined();
    expect(cookie.attributes).toEqual(expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Lax', 'Path=/']));
  });
});
