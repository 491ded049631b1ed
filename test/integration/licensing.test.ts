// Licenses: a vendor key and licenses made with the CLI (`license keygen`,
// `license issue`), installed, inspected and refused. The test run trusts the
// test vendor key the way a build with AUTHFLOW_BUILD_LICENSE_KEYS does (see
// vitest.config.ts); a key made by `license keygen` here is trusted by nothing.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { DATABASES, openTestAuthflow, type TestAuthflow } from '../helpers/server.ts';

const VENDOR_KEY = join(import.meta.dirname, '..', 'fixtures', 'licensing', 'test-vendor.jwk');
const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function refused(r: CliResult, code: number, pattern: RegExp): void {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
  expect(r.stderr).toMatch(/^authflow: \S[^\n]*\n$/);
  expect(r.stderr).toMatch(pattern);
}

describe.each(DATABASES)('licenses (%s)', (database) => {
  let t: TestAuthflow;
  let dir: string;
  const cli = (...argv: string[]) => runCli(['--data-dir', t.dataDir, ...argv]);
  const issue = async (name: string, ...argv: string[]) => {
    const out = join(dir, name);
    const r = await runCli(['license', 'issue', '--key', VENDOR_KEY, '--licensee', 'Acme Corp', '--out', out, ...argv]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return out;
  };

  beforeAll(async () => {
    t = await openTestAuthflow({ database });
    dir = join(t.dataDir, '..');
  });
  afterAll(() => t.close());

  it('issues a human-readable license that inspect verifies without installing', async () => {
    const file = await issue('acme.lic', '--plan', 'enterprise', '--mau', '50000', '--tenants', '20', '--entitle', 'mfa.sms', '--entitle', 'authz.policies', '--expires', '2099-12-31');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# authflow license\n# id: +lic_[0-9a-f]{32}\n# licensee: +Acme Corp\n/);
    const view = (await runCli(['--json', 'license', 'inspect', file])).json();
    expect(view).toMatchObject({ licensee: 'Acme Corp', plan: 'enterprise', scope: 'instance', phase: 'valid', grace_days: 14, entitlements: ['mfa.sms', 'authz.policies'], limits: { mau: 50000, tenants: 20 } });
    expect(view.expires_at).toBe('2099-12-31T23:59:59.000Z');
    expect((await cli('--json', 'license', 'status')).json()).toMatchObject({ plan: 'community', license: null, source: 'none' });
  });

  it('installs a license: status shows plan, entitlements and limits against usage; remove goes back to community', async () => {
    const file = await issue('install.lic', '--plan', 'business', '--mau', '100', '--tenants', '5', '--entitle', 'custom_domains', '--expires', '2099-01-31');
    const installed = await cli('--json', 'license', 'install', file);
    expect(installed.code).toBe(0);
    const status = (await cli('--json', 'license', 'status')).json();
    expect(status).toMatchObject({ plan: 'business', source: 'database', phase: 'valid', entitlements: ['custom_domains'], warnings: [] });
    expect(status.instance_id).toMatch(/^inst_/);
    expect(status.usage).toEqual([
      { limit: 'mau', max: 100, used: 0, share: 0 },
      { limit: 'tenants', max: 5, used: 1, share: 0.2 },
      { limit: 'clients', max: null, used: expect.any(Number), share: null },
    ]);
    const human = await cli('license', 'status');
    expect(human.stdout).toMatch(/^plan: +business$/m);
    expect(human.stdout).toMatch(/^tenants +1 +5 +20 %$/m);
    const removed = await cli('--yes', '--json', 'license', 'remove');
    expect(removed.json()).toEqual({ removed: installed.json().id });
    expect((await cli('--json', 'license', 'status')).json()).toMatchObject({ plan: 'community', entitlements: [] });
    refused(await cli('--yes', 'license', 'remove'), 3, /no license is installed/);
  });

  it('refuses garbage, truncated, edited, untrusted, alg none / HS256, expired, not-yet-valid and wrong-scope licenses with one sentence and exit 5, installing nothing', async () => {
    const good = readFileSync(await issue('good.lic', '--expires', '2099-12-31'), 'utf8');
    const token = good.split('\n').find((l) => l.startsWith('eyJ'))!;
    const [h, p, s] = token.split('.') as [string, string, string];
    const write = (name: string, content: string) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    // The body edited by one byte (a limit raised), the signature kept.
    const edited = `${h}.${b64({ ...claims, limits: { mau: 9999999 } })}.${s}`;
    const hmac = await new CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader({ alg: 'HS256', typ: 'authflow-license+jwt' }).sign(Buffer.alloc(32, 7));
    await runCli(['license', 'keygen', '--out', join(dir, 'stranger.jwk')]);
    const stranger = await runCli(['license', 'issue', '--key', join(dir, 'stranger.jwk'), '--licensee', 'Mallory', '--expires', '2099-12-31', '--out', join(dir, 'stranger.lic')]);
    expect(stranger.code).toBe(0);
    const cases: Array<[string, string, RegExp]> = [
      ['garbage', write('garbage.lic', 'hello, I am a license\n'), /not a signed document/],
      ['empty', write('empty.lic', '# only a header\n'), /empty/],
      ['truncated', write('truncated.lic', good.slice(0, good.length - 20)), /signature does not verify|malformed or truncated/],
      ['edited', write('edited.lic', edited), /signature does not verify/],
      ['alg none', write('none.lic', `${b64({ alg: 'none', typ: 'authflow-license+jwt' })}.${p}.`), /signed with none/],
      ['HS256', write('hs256.lic', hmac), /signed with HS256/],
      ['untrusted key', join(dir, 'stranger.lic'), /key this installation does not trust/],
      ['expired', await issue('expired.lic', '--not-before', day(Date.now() - 40 * DAY), '--expires', day(Date.now() - 2 * DAY)), /expired on/],
      ['not yet valid', await issue('future.lic', '--not-before', day(Date.now() + 10 * DAY), '--expires', '2099-12-31'), /not valid before/],
      ['tenant license as instance license', await issue('tenant.lic', '--tenant', 'main', '--expires', '2099-12-31'), /is for tenant main/],
      ['another instance', await issue('other.lic', '--instance', 'inst_someoneelse', '--expires', '2099-12-31'), /for another installation/],
    ];
    for (const [what, file, why] of cases) {
      const r = await cli('license', 'install', file);
      expect.soft({ what, code: r.code, stdout: r.stdout }).toEqual({ what, code: 5, stdout: '' });
      expect.soft(r.stderr, what).toMatch(/^authflow: \S[^\n]*\n$/);
      expect.soft(r.stderr, what).toMatch(why);
    }
    expect((await cli('--json', 'license', 'status')).json()).toMatchObject({ plan: 'community', license: null });
    const json = await runCli(['--json', 'license', 'inspect', join(dir, 'stranger.lic')]);
    expect(json.code).toBe(5);
    expect(json.errorJson()).toEqual({ error: { code: 'validation_failed', message: 'the license was refused: it is signed by a key this installation does not trust' } });
  });

  it('a license_file in the configuration is the instance license; an unreadable one is reported, not fatal', async () => {
    const file = await issue('file.lic', '--plan', 'from-file', '--expires', '2099-12-31');
    const withFile = (f: string, ...argv: string[]) => runCli(['--data-dir', t.dataDir, ...argv], { env: { AUTHFLOW_LICENSE_FILE: f } });
    expect((await withFile(file, '--json', 'license', 'status')).json()).toMatchObject({ plan: 'from-file', source: 'file' });
    const missing = (await withFile(join(dir, 'missing.lic'), '--json', 'license', 'status')).json();
    expect(missing).toMatchObject({ plan: 'community' });
    expect(missing.warnings.join(' ')).toMatch(/license file is not used: the license file .*missing\.lic cannot be read \(ENOENT\)/);
  });

  it('over the tenants or clients limit, create refuses with exit 6 license_limit; remove the license and it works again', async () => {
    const file = await issue('limits.lic', '--tenants', '1', '--clients', '0', '--expires', '2099-12-31');
    expect((await cli('license', 'install', file)).code).toBe(0);
    const tenant = await cli('--json', 'tenant', 'create', 'second');
    expect(tenant.code).toBe(6);
    expect(tenant.errorJson().error).toEqual({ code: 'license_limit', message: 'the license allows 1 tenants; remove one or install a license with a higher limit' });
    refused(await cli('client', 'create', '--tenant', 'main', '--name', 'x', '--grant', 'client_credentials'), 6, /license allows 0 clients/);
    expect((await cli('--yes', 'license', 'remove')).code).toBe(0);
    expect((await cli('--json', 'tenant', 'create', 'second')).code).toBe(0);
  });

  it('plans: create, list, show, update, delete; a tenant on a plan gets the instance entitlements narrowed by it', async () => {
    const created = await cli('--json', 'plan', 'create', 'pro', '--entitle', 'branding', '--entitle', 'custom_domains', '--mau', '500');
    expect(created.stderr).toBe('');
    expect(created.json()).toMatchObject({ name: 'pro', entitlements: ['branding', 'custom_domains'], limits: { mau: 500 } });
    refused(await cli('plan', 'create', 'pro'), 4, /already exists/);
    refused(await cli('plan', 'create', 'bad', '--entitle', 'teleportation'), 5, /teleportation is not a feature/);
    expect((await cli('--json', 'plan', 'list')).json().items.map((p: { name: string }) => p.name)).toEqual(['pro']);
    expect((await cli('--json', 'tenant', 'update', 'main', '--plan', 'pro')).json()).toEqual({ tenant: 'main', plan: 'pro' });
    expect((await cli('--json', 'plan', 'show', 'pro')).json()).toMatchObject({ tenants: ['main'] });
    refused(await cli('--yes', 'plan', 'delete', 'pro'), 4, /assigned to 1 tenant/);
    expect((await cli('--json', 'plan', 'update', 'pro', '--unset', 'mau', '--clients', '9')).json()).toMatchObject({ limits: { clients: 9 } });

    const { loadLicenseState, effectiveTenant } = await import('../../src/core/licensing/licensing.ts');
    const tenantId = (await t.af.repo.tenants.bySlug('main'))!.id;
    const file = await issue('for-plans.lic', '--entitle', 'branding', '--entitle', 'mfa.sms', '--expires', '2099-12-31');
    expect((await cli('license', 'install', file)).code).toBe(0);
    const state = await loadLicenseState(t.af.repo, t.af.clock);
    const effective = effectiveTenant(state, Date.now(), tenantId);
    // instance {branding, mfa.sms} ∩ plan {branding, custom_domains}
    expect({ plan: effective.plan, entitlements: [...effective.entitlements], limits: effective.limits }).toEqual({ plan: 'pro', entitlements: ['branding'], limits: { clients: 9 } });
    expect((await cli('--yes', 'license', 'remove')).code).toBe(0);

    expect((await cli('--json', 'tenant', 'update', 'main', '--no-plan')).json()).toEqual({ tenant: 'main', plan: null });
    expect((await cli('--yes', '--json', 'plan', 'delete', 'pro')).json()).toEqual({ deleted: 'pro' });
    refused(await cli('plan', 'show', 'pro'), 3, /no plan "pro"/);
  });

  it('a tenant license is installed on its tenant only (tenant update --license)', async () => {
    const file = await issue('main.lic', '--tenant', 'main', '--plan', 'team', '--expires', '2099-12-31');
    const r = await cli('--json', 'tenant', 'update', 'main', '--license', file);
    expect(r.stderr).toBe('');
    expect(r.json()).toMatchObject({ license: { scope: 'tenant', tenant: 'main', plan: 'team' } });
    const other = await issue('other-tenant.lic', '--tenant', 'elsewhere', '--expires', '2099-12-31');
    refused(await cli('tenant', 'update', 'main', '--license', other), 5, /is for tenant elsewhere, not main/);
  });
});
