// Usage from the shell and the API: `usage show` (bar chart, --json),
// `usage export`, the management API's usage:read operations, and signed
// monthly usage reports verified by `license verify-report` — one byte
// edited, a report missing from the chain, or another instance's key fail.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Serving } from '../../src/app/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { createAnalytics } from '../../src/core/usage/analytics.ts';
import { monthOf } from '../../src/core/usage/calendar.ts';
import { runCli } from '../helpers/cli.ts';
import { DATABASES, openTestAuthflow, type TestAuthflow } from '../helpers/server.ts';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:133.0) Gecko/20100101 Firefox/133.0';

describe.each(DATABASES)('usage and usage reports (%s)', (database) => {
  let t: TestAuthflow;
  let dir: string;
  let tenantId: string;
  const month = monthOf(Date.now());
  const cli = (...argv: string[]) => runCli(['--data-dir', t.dataDir, ...argv]);

  beforeAll(async () => {
    t = await openTestAuthflow({ database });
    dir = join(t.dataDir, '..');
    tenantId = (await t.af.repo.tenants.bySlug('main'))!.id;
    for (const u of ['u1', 'u2', 'u3']) await t.af.repo.usage.markActive(tenantId, month, u, Date.now());
    const analytics = createAnalytics(t.af.repo.usage, t.af.clock, 60_000);
    analytics.signIn({ tenantId, amr: ['pwd'], clientId: 'app-one', userAgent: CHROME });
    analytics.signIn({ tenantId, amr: ['pwd'], clientId: 'app-one', userAgent: CHROME });
    analytics.signIn({ tenantId, amr: 'sso', clientId: 'app-two', userAgent: FIREFOX });
    analytics.failure(tenantId, 'password');
    analytics.registration(tenantId);
    await analytics.stop();
  });
  afterAll(() => t.close());

  it('usage show: MAU and the month by day, or by a dimension, as a bar chart or JSON', async () => {
    const byDay = (await cli('--json', 'usage', 'show')).json();
    expect(byDay).toMatchObject({ month, tenant: null, mau: 3, tenants: [{ tenant: 'main', mau: 3 }], by: 'day' });
    const today = byDay.rows.at(-1);
    expect(today).toEqual({ key: new Date().toISOString().slice(0, 10), value: 3, signins: 3, failures: 1, registrations: 1 });
    expect((await cli('--json', 'usage', 'show', '--tenant', 'main', '--by', 'method')).json().rows).toEqual([{ key: 'pwd', value: 2 }, { key: 'sso', value: 1 }]);
    expect((await cli('--json', 'usage', 'show', '--by', 'client')).json().rows).toEqual([{ key: 'app-one', value: 2 }, { key: 'app-two', value: 1 }]);
    expect((await cli('--json', 'usage', 'show', '--by', 'os')).json().rows).toEqual([{ key: 'Linux', value: 2 }, { key: 'macOS', value: 1 }]);
    const browsers = await cli('usage', 'show', '--by', 'browser');
    expect(browsers.stdout).toMatch(/^All tenants, \d{4}-\d{2}: 3 monthly active users$/m);
    expect(browsers.stdout).toMatch(/^Chrome +2 +█{30}$/m);
    expect(browsers.stdout).toMatch(/^Firefox +1 +█{15}$/m);
    expect((await cli('usage', 'show')).stdout).toMatch(/^new active users by day +[·▁▂▃▄▅▆▇█]+$/m);
  });

  it('refuses a malformed or future --month (exit 5) and an unknown --by (exit 2)', async () => {
    for (const m of ['2026-13', 'last', '2099-01']) {
      const r = await cli('usage', 'show', '--month', m);
      expect({ m, code: r.code, stdout: r.stdout }).toEqual({ m, code: 5, stdout: '' });
      expect(r.stderr).toMatch(/^authflow: --month: /);
    }
    expect((await cli('usage', 'show', '--by', 'planet')).code).toBe(2);
    expect((await cli('usage', 'report', '--month', '2099-01')).code).toBe(5);
  });

  it('usage export writes CSV or JSON with the MAU and every daily counter', async () => {
    const csv = (await cli('usage', 'export')).stdout.split('\n');
    expect(csv[0]).toBe('tenant,day,metric,dimension,count');
    expect(csv).toContain(`main,${month},mau,-,3`);
    expect(csv).toContain(`main,${new Date().toISOString().slice(0, 10)},signin.browser,Chrome,2`);
    const json = JSON.parse((await cli('usage', 'export', '--format', 'json')).stdout);
    expect(json.items).toContainEqual({ tenant: 'main', day: month, metric: 'mau', dimension: '-', count: 3 });
  });

  it('the management API answers usage:read keys only', async () => {
    let serving: Serving | undefined;
    try {
      serving = await startServer(t.af, { host: '127.0.0.1', port: 0 });
      const reader = await t.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'usage', scopes: ['usage:read'] });
      const other = await t.af.admin.apiKeys.create(LOCAL_ADMIN, { name: 'users', scopes: ['users:read'] });
      const get = (path: string, token: string) => fetch(`${serving!.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
      const ok = await get('/usage?by=method', reader.token);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ mau: 3, by: 'method', rows: [{ key: 'pwd', value: 2 }, { key: 'sso', value: 1 }] });
      expect((await get('/usage/records', reader.token)).status).toBe(200);
      expect((await get('/usage', other.token)).status).toBe(403);
      const bad = await get('/usage?month=2099-01', reader.token);
      expect(bad.status).toBe(422);
      expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const doc = (await (await fetch(`${serving.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/usage', '/usage/records']));
    } finally {
      await serving?.stop();
    }
  });

  it('signed usage reports verify on their own and as a chain; one byte edited, a gap or another key fail with exit 5', async () => {
    const r1 = join(dir, 'r1.json');
    const r2 = join(dir, 'r2.json');
    const r3 = join(dir, 'r3.json');
    const first = await cli('--json', 'usage', 'report', '--month', month, '--out', r1);
    expect(first.stderr).toBe('');
    expect(first.json()).toMatchObject({ seq: 1, month, file: r1 });
    expect((await cli('usage', 'report', '--month', month, '--out', r2)).code).toBe(0);
    expect((await cli('usage', 'report', '--month', month, '--out', r3)).code).toBe(0);
    const report = JSON.parse(readFileSync(r1, 'utf8'));
    expect(report.report).toMatchObject({ type: 'authflow-usage-report', seq: 1, month, mau: 3, tenants: [{ tenant: 'main', mau: 3, signins: 3, failures: 1, registrations: 1 }] });
    expect(report.report.instance_id).toMatch(/^inst_/);
    const key = join(dir, 'instance-key.json');
    writeFileSync(key, JSON.stringify(first.json().instance_key));

    const all = await runCli(['--json', 'license', 'verify-report', '--instance-key', key, r1, r2, r3]);
    expect(all.stderr).toBe('');
    expect(all.json()).toMatchObject({ chain_intact: true, reports: [{ seq: 1, key_pinned: true }, { seq: 2 }, { seq: 3 }] });
    expect((await runCli(['license', 'verify-report', r2])).stdout).toMatch(/signature and hash verify with the key inside it/);

    const gap = await runCli(['license', 'verify-report', r1, r3]);
    expect(gap.code).toBe(5);
    expect(gap.stderr).toMatch(/^authflow: the reports verify one by one but do not form one chain: reports 2 are missing between 1 and 3\n$/);

    const text = readFileSync(r2, 'utf8');
    const edits: Array<[string, string]> = [
      ['a digit of the MAU', text.replace('"mau": 3,', '"mau": 4,')],
      ['one space', text.replace('"seq": 2', '"seq":  2')],
      ['a space after a key', text.replace('"month"', '"month" ')],
    ];
    for (const [what, edited] of edits) {
      writeFileSync(join(dir, 'edited.json'), edited);
      const r = await runCli(['license', 'verify-report', join(dir, 'edited.json')]);
      expect.soft({ what, code: r.code }).toEqual({ what, code: 5 });
      expect.soft(r.stderr, what).toMatch(/^authflow: .*edited\.json: the report is not valid: /);
    }
    await runCli(['license', 'keygen', '--out', join(dir, 'stranger.jwk')]);
    const stranger = JSON.parse(readFileSync(join(dir, 'stranger.jwk'), 'utf8'));
    delete stranger.d;
    writeFileSync(join(dir, 'stranger-pub.json'), JSON.stringify(stranger));
    const wrongKey = await runCli(['license', 'verify-report', '--instance-key', join(dir, 'stranger-pub.json'), r1]);
    expect(wrongKey.code).toBe(5);
    expect(wrongKey.stderr).toMatch(/the report is not valid: it is signed by a key this installation does not trust|signature does not verify/);
  });
});
