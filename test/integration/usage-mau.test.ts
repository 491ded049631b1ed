// Monthly active users: counted by real sign-ins through the hosted pages
// with openid-client as the relying party, once per user per UTC month;
// exact when several servers share one database; and, over the licensed
// limit past the grace period, a user not yet counted this month cannot
// complete sign-in while counted users keep working.
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuthflow, createLogger } from '../../src/app/index.ts';
import { licenseInstall } from '../../src/app/licensing.ts';
import { createActivityMeter } from '../../src/core/usage/activity.ts';
import { monthOf } from '../../src/core/usage/calendar.ts';
import { runCli } from '../helpers/cli.ts';
import { consent, DATABASES, REDIRECT_URI, signIn, startSite, type Site } from './browser-fixture.ts';

const VENDOR_KEY = join(import.meta.dirname, '..', 'fixtures', 'licensing', 'test-vendor.jwk');

describe.each(DATABASES)('monthly active users (%s)', (database) => {
  let site: Site;
  let config: oidc.Configuration;
  const users = ['ada', 'bob', 'cyd'];

  beforeAll(async () => {
    site = await startSite({ database });
    const { clientId } = await site.client({ type: 'public', redirect_uris: [REDIRECT_URI] });
    for (const u of users) await site.user(`${u}@example.com`, 'correct horse battery');
    config = await oidc.discovery(new URL(site.issuer()), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(async () => site?.stop());

  /** One sign-in through the hosted pages; the code exchanged by openid-client. Returns the last response when it did not reach the client. */
  async function signInAs(user: string): Promise<{ ok: true } | { ok: false; res: Response }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
    const b = site.browser();
    let res = await signIn(b, site, await b.get(url.href), `${user}@example.com`, 'correct horse battery');
    if (res.status === 303 && res.headers.get('location')!.includes('/login/')) res = await consent(b, site, res);
    const location = res.headers.get('location');
    if (res.status !== 303 || !location?.startsWith(REDIRECT_URI)) return { ok: false, res };
    await oidc.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: verifier, expectedState: state });
    return { ok: true };
  }
  const mau = async () => (await site.af.repo.usage.activeByTenant(monthOf(site.clock.now()))).reduce((n, t) => n + t.count, 0);

  it('counts a user once per month, however often they sign in', async () => {
    expect(await mau()).toBe(0);
    expect(await signInAs('ada')).toEqual({ ok: true });
    expect(await signInAs('ada')).toEqual({ ok: true });
    expect(await mau()).toBe(1);
  });

  it('is exact when two servers count the same users at once', async () => {
    const other = await openAuthflow(site.af.config, { clock: site.clock, logger: createLogger({ logLevel: 'silent', logFormat: 'json' }) });
    try {
      const month = monthOf(site.clock.now());
      const meters = [site.af, other].map((af) => createActivityMeter({ usage: af.repo.usage, clock: site.clock }));
      const tenant = (await site.af.repo.tenants.bySlug('main'))!;
      const ids = Array.from({ length: 40 }, (_, i) => `user-${i % 20}`);
      await Promise.all(meters.flatMap((m) => ids.map((id) => m.admit(tenant.id, id))));
      const rows = await other.repo.usage.activeByTenant(month);
      expect(rows.find((r) => r.tenantId === tenant.id)?.count).toBe(1 + 20);
    } finally {
      await other.close();
    }
  });

  it('over the licensed limit past grace: new users see the limit page (audited), counted users keep signing in', async () => {
    // 21 users are counted already (ada and 20 from the test above): a limit of 22 with no grace lets one more in.
    const file = join(site.af.config.dataDir, 'small.lic');
    const issued = await runCli(['license', 'issue', '--key', VENDOR_KEY, '--licensee', 'Acme', '--mau', '22', '--grace-days', '0', '--expires', '2099-12-31', '--out', file]);
    expect(issued.code).toBe(0);
    await licenseInstall(site.af, file);
    await new Promise((r) => setTimeout(r, 300)); // the server reloads on the change feed
    expect(await signInAs('bob')).toEqual({ ok: true }); // the 22nd: at the limit
    expect(await mau()).toBe(22);
    expect(await signInAs('ada')).toEqual({ ok: true });
    // 22 of 22: the grace period starts when the limit is first exceeded, so cyd (the 23rd) still gets in...
    expect(await signInAs('cyd')).toEqual({ ok: true });
    expect(await mau()).toBe(23);
    // ...and with a grace of zero days, the next new user is refused.
    await site.user('dee@example.com', 'correct horse battery');
    await new Promise((r) => setTimeout(r, 300));
    const dee = await signInAs('dee');
    expect(dee.ok).toBe(false);
    const page = (dee as { res: Response }).res;
    expect(page.status).toBe(403);
    expect(await page.text()).toMatch(/reached its licensed number of users/);
    expect(await signInAs('bob')).toEqual({ ok: true });
    const tenant = (await site.af.repo.tenants.bySlug('main'))!;
    const audit = await runCli(['--data-dir', site.af.config.dataDir, '--json', 'audit', 'list', '--tenant', 'main'], { env: database === 'postgres' ? { AUTHFLOW_DATABASE_URL: (site.af.config.database as { url: string }).url } : {} });
    const actions = (audit.json().items as Array<{ action: string }>).map((e) => e.action);
    expect(actions).toContain('signin.refused');
    expect(actions).toContain('license.threshold');
    expect(tenant.slug).toBe('main');
  });
});
