// Provisioning from the shell (docs/cli.md CLI): `tenant`, `client`, `key` and
// `apikey`, scripted with --json the way `jq` reads it, with the stable exit
// codes and one-sentence errors; and the same commands against a running
// server (`--url` + AUTHFLOW_API_KEY) through the management API, which must
// print exactly what the local mode prints and exit with the same codes.
// Real database (SQLite; Postgres too when AUTHFLOW_TEST_DATABASE_URL is set),
// real HTTP; the CLI runs in-process.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Serving } from '../../src/app/index.ts';
import { main } from '../../src/cli/main.ts';
import { runCli, TEST_ENV, TextSink, type CliResult } from '../helpers/cli.ts';
import { DATABASES, openTestAuthflow, type TestAuthflow } from '../helpers/server.ts';

const CLIENT_SECRET = /^af_cs_[A-Za-z0-9_-]{43}$/;
const API_TOKEN = /^af_[a-z0-9]+_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/;
const SCOPES = '{"orders:read":{"claims":["orders"]}}';

/** The exit code, and (on failure) that stderr is one `authflow: …` sentence and stdout is empty. */
function expectExit(r: CliResult, code: number): void {
  if (code === 0) {
    expect(r.stderr, r.stderr).toBe('');
    expect(r.code).toBe(0);
    return;
  }
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
  expect(r.stderr).toMatch(/^authflow: \S[^\n]*\n$/);
}

/** What a run printed and returned, comparable with toEqual. */
function plain(r: CliResult): { code: number; stdout: string; stderr: string } {
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** Parsed `--json` stdout of a successful run. */
// A --json document is read the way jq reads it: loosely.
function ok<T = any>(r: CliResult): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  expectExit(r, 0);
  return r.json<T>();
}

/**
 * Makes the output of the same operation on two different resources
 * comparable: random ids, secrets and times become placeholders, and the
 * `loc-`/`rem-` prefixes of the names the test chose become `xxx-`. Every
 * random value has a fixed length, so table alignment is unaffected.
 */
function normalize(text: string): string {
  return text
    .replace(/af_[a-z0-9]+_[A-Za-z0-9_-]+/g, '<secret>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
    .replace(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g, '<kid>')
    .replace(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])/g, '<client_id>')
    .replace(/(?<![A-Za-z0-9_-])[A-Za-z0-9]{12}(?![A-Za-z0-9_-])/g, '<key_id>')
    .replace(/\b(loc|rem)-/g, 'xxx-');
}

describe.each(DATABASES)('provisioning from the CLI (%s)', (database) => {
  let t: TestAuthflow;
  let serving: Serving;
  let adminToken: string;

  beforeAll(async () => {
    t = await openTestAuthflow({ database });
    serving = await startServer(t.af, { port: 0 });
    adminToken = ok(await local('--json', 'apikey', 'create', '--name', 'cli-tests', '--instance', '--scope', '*')).token;
  });
  afterAll(async () => {
    await serving?.stop();
    await t?.close();
  });

  /** The CLI on the install's database. */
  const local = (...argv: string[]) => runCli(['--data-dir', t.dataDir, ...argv]);
  /** The CLI against the running server, with no data dir at all. */
  const remoteAs = (token: string | undefined, ...argv: string[]) => runCli(['--url', serving.url, ...argv], { env: { AUTHFLOW_API_KEY: token } });
  const remote = (...argv: string[]) => remoteAs(adminToken, ...argv);
  const modes = { local, remote } as const;

  // ---------------------------------------------------------------- the admin story

  it('scripts a tenant with two clients, key rotations and an API key, reading every --json answer', async () => {
    const tenant = ok(await local('--json', 'tenant', 'create', 'shop', '--name', 'Shop', '--set', 'access_token_ttl=300', '--set', 'self_registration=true', '--set', `scopes=${SCOPES}`));
    expect(tenant).toMatchObject({
      slug: 'shop',
      name: 'Shop',
      issuer: 'http://localhost:8080/t/shop',
      discovery_url: 'http://localhost:8080/t/shop/.well-known/openid-configuration',
    });
    expect(tenant.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(tenant.settings).toMatchObject({ access_token_ttl: 300, self_registration: true, scopes: { 'orders:read': { claims: ['orders'] } } });

    // Two clients: a web app and a machine client.
    const web = ok(await local('--json', 'client', 'create', '--tenant', 'shop', '--name', 'web', '--redirect-uri', 'https://shop.example/cb', '--scope', 'openid', '--scope', 'orders:read'));
    expect(web).not.toHaveProperty('client');
    expect(Object.keys(web)).toEqual(expect.arrayContaining(['client_id', 'tenant', 'name', 'client_secret']));
    expect(web).toMatchObject({ tenant: 'shop', name: 'web', type: 'confidential', redirect_uris: ['https://shop.example/cb'], scopes: ['openid', 'orders:read'], grant_types: ['authorization_code', 'refresh_token'] });
    expect(web.client_secret).toMatch(CLIENT_SECRET);
    const worker = ok(await local('--json', 'client', 'create', '--tenant', 'shop', '--name', 'worker', '--grant', 'client_credentials', '--scope', 'orders:read', '--access-token-ttl', '120'));
    expect(worker).toMatchObject({ grant_types: ['client_credentials'], scopes: ['orders:read'], access_token_ttl: 120 });
    expect(worker.client_secret).toMatch(CLIENT_SECRET);

    const clients = ok(await local('--json', 'client', 'list', '--tenant', 'shop'));
    expect(clients.items.map((c: { name: string }) => c.name).sort()).toEqual(['web', 'worker']);
    expect(clients.next_cursor).toBeNull();

    const updated = ok(await local('--json', 'client', 'update', '--tenant', 'shop', '--redirect-uri', 'https://shop.example/cb', '--redirect-uri', 'http://127.0.0.1:3000/cb', '--first-party', '--', web.client_id));
    expect(updated).toMatchObject({ redirect_uris: ['https://shop.example/cb', 'http://127.0.0.1:3000/cb'], first_party: true });
    expect(updated.client_secret).toBeUndefined();

    // Signing keys: ES256 switched at once, RS256 with the tenant's delay.
    const keys0 = ok(await local('--json', 'key', 'list', '--tenant', 'shop')).items;
    expect(keys0.map((k: { alg: string; status: string }) => `${k.alg}:${k.status}`).sort()).toEqual(['ES256:active', 'RS256:active']);
    const oldEs = keys0.find((k: { alg: string }) => k.alg === 'ES256');
    const es = ok(await local('--json', 'key', 'rotate', '--tenant', 'shop', '--alg', 'ES256', '--delay', '0'));
    expect(es.key).toMatchObject({ alg: 'ES256', status: 'active', use: 'sig' });
    expect(es.retiring).toMatchObject({ kid: oldEs.kid });
    const rs = ok(await local('--json', 'key', 'rotate', '--tenant', 'shop', '--alg', 'RS256'));
    expect(rs.key).toMatchObject({ alg: 'RS256', status: 'next' });
    expect(Date.parse(rs.key.activates_at) - Date.parse(rs.key.created_at)).toBe(3600_000);
    // A second pending rotation is a conflict.
    expectExit(await local('key', 'rotate', '--tenant', 'shop', '--alg', 'RS256'), 4);
    // Retiring the current RS256 key promotes the pending one now.
    const retired = ok(await local('--json', '--yes', 'key', 'retire', '--tenant', 'shop', '--', rs.retiring.kid));
    expect(retired).toMatchObject({ kid: rs.retiring.kid, status: 'retired' });
    const keys1 = ok(await local('--json', 'key', 'list', '--tenant', 'shop')).items;
    const statusOf = Object.fromEntries(keys1.map((k: { kid: string; status: string }) => [k.kid, k.status]));
    expect(statusOf[rs.key.kid]).toBe('active');
    expect(statusOf[es.key.kid]).toBe('active');
    // The last active key of an alg cannot be retired.
    expectExit(await local('--yes', 'key', 'retire', '--tenant', 'shop', '--', rs.key.kid), 6);

    // Client secret rotation with grace.
    const rotated = ok(await local('--json', 'client', 'rotate-secret', '--tenant', 'shop', '--grace', '600', '--', worker.client_id));
    expect(rotated.client_secret).toMatch(CLIENT_SECRET);
    expect(rotated.client_secret).not.toBe(worker.client_secret);
    expect(Date.parse(rotated.previous_secret_expires_at) - Date.parse(rotated.updated_at)).toBe(600_000);

    // A tenant API key; its token is printed once, never listed.
    const key = ok(await local('--json', 'apikey', 'create', '--name', 'shop-ci', '--tenant', 'shop', '--scope', 'clients:read', '--expires-in', '3600'));
    expect(key.token).toMatch(API_TOKEN);
    expect(key).toMatchObject({ name: 'shop-ci', tenant: 'shop', scopes: ['clients:read'], revoked_at: null });
    const keyList = await local('--json', 'apikey', 'list', '--tenant', 'shop');
    expect(ok(keyList).items.map((k: { id: string }) => k.id)).toEqual([key.id]);
    expect(keyList.stdout).not.toContain(key.token);
    // The key works against the server, and only for what its scopes allow.
    expect(ok(await remoteAs(key.token, '--json', 'client', 'list', '--tenant', 'shop')).items).toHaveLength(2);
    expectExit(await remoteAs(key.token, 'client', 'create', '--tenant', 'shop', '--name', 'nope', '--grant', 'client_credentials'), 6);
    const revoked = ok(await local('--json', '--yes', 'apikey', 'revoke', key.key_id));
    expect(revoked.revoked_at).not.toBeNull();

    // Gone with the tenant: clients, keys and API keys.
    expect(ok(await local('--json', '--yes', 'tenant', 'delete', 'shop'))).toEqual({ deleted: 'shop' });
    expectExit(await local('tenant', 'show', 'shop'), 3);
  });

  it('AUTHFLOW_TENANT stands in for --tenant; without either it is a usage error', async () => {
    ok(await local('--json', 'tenant', 'create', 'envt'));
    const viaEnv = await runCli(['--data-dir', t.dataDir, '--json', 'client', 'create', '--name', 'app', '--grant', 'client_credentials'], { env: { AUTHFLOW_TENANT: 'envt' } });
    expect(ok(viaEnv).tenant).toBe('envt');
    const r = await local('client', 'list');
    expectExit(r, 2);
    expect(r.stderr).toContain('--tenant');
    expect(r.stderr).toContain('AUTHFLOW_TENANT');
  });

  // ---------------------------------------------------------------- secrets

  describe.each(['local', 'remote'] as const)('secrets are printed once (%s)', (mode) => {
    it('client create prints the secret once; show, list and update never do', async () => {
      const run = modes[mode];
      const slug = `${mode.slice(0, 3)}-sec`;
      ok(await local('--json', 'tenant', 'create', slug));
      const json = await run('--json', 'client', 'create', '--tenant', slug, '--name', 'json', '--grant', 'client_credentials');
      const { client_secret, ...client } = ok(json);
      expect(client_secret).toMatch(CLIENT_SECRET);
      expect(json.stdout.split(client_secret).length - 1).toBe(1);

      const human = await run('client', 'create', '--tenant', slug, '--name', 'human', '--grant', 'client_credentials');
      expectExit(human, 0);
      const secrets = human.stdout.match(/af_cs_[A-Za-z0-9_-]{43}/g) ?? [];
      expect(secrets).toHaveLength(1);
      expect(human.stdout).toMatch(/will not be shown again/);

      for (const argv of [['client', 'show', '--tenant', slug, '--', client.client_id], ['client', 'list', '--tenant', slug], ['client', 'update', '--tenant', slug, '--name', 'json2', '--', client.client_id]]) {
        for (const out of [await run(...argv), await run('--json', ...argv)]) {
          expectExit(out, 0);
          expect(out.stdout).not.toContain(client_secret);
          expect(out.stdout).not.toContain(secrets[0]);
          expect(out.stdout).not.toMatch(/client_secret"?:/);
        }
      }
      // A public client has no secret at all.
      const spa = ok(await run('--json', 'client', 'create', '--tenant', slug, '--name', 'spa', '--type', 'public', '--redirect-uri', 'https://spa.example/cb'));
      expect(spa).not.toHaveProperty('client_secret');
      expect(spa.token_endpoint_auth_method).toBe('none');
    });
  });

  // ---------------------------------------------------------------- refusals, with the same exit codes locally and remotely

  it('a duplicate tenant slug or client name is a conflict (exit 4), locally and remotely alike', async () => {
    ok(await local('--json', 'tenant', 'create', 'dup'));
    ok(await local('--json', 'client', 'create', '--tenant', 'dup', '--name', 'web', '--grant', 'client_credentials'));
    for (const argv of [['tenant', 'create', 'dup'], ['client', 'create', '--tenant', 'dup', '--name', 'web', '--grant', 'client_credentials']]) {
      const l = await local(...argv);
      const r = await remote(...argv);
      expectExit(l, 4);
      expect(plain(r)).toEqual(plain(l));
      const lj = await local('--json', ...argv);
      expect(lj.code).toBe(4);
      expect(lj.errorJson().error.code).toBe('conflict');
      expect(plain(await remote('--json', ...argv))).toEqual(plain(lj));
    }
  });

  it.each([
    ['an invalid redirect URI', ['--redirect-uri', 'http://app.example/cb'], '--redirect-uri'],
    ['a redirect URI with a fragment', ['--redirect-uri', 'https://app.example/cb#x'], '--redirect-uri'],
    ['an unknown grant', ['--grant', 'implicit'], '--grant'],
    ['an undefined scope', ['--grant', 'client_credentials', '--scope', 'orders:write'], '--scope'],
    ['an unknown auth method', ['--grant', 'client_credentials', '--auth-method', 'tls_client_auth'], '--auth-method'],
  ])('%s is a validation failure (exit 5) naming the flag as typed, locally and remotely alike', async (_what, flags, field) => {
    await ensureTenant('val', '--set', `scopes=${SCOPES}`);
    const argv = ['client', 'create', '--tenant', 'val', '--name', 'app', ...flags];
    const l = await local(...argv);
    expectExit(l, 5);
    expect(l.stderr).toContain(field);
    expect(plain(await remote(...argv))).toEqual(plain(l));
    const lj = await local('--json', ...argv);
    expect(lj.errorJson().error).toMatchObject({ code: 'validation_failed' });
    expect(lj.errorJson().error.message).toMatch(new RegExp(`^${field}: `));
    expect(lj.errorJson().error.message).not.toMatch(/Invalid option|expected .* received|Too small/);
    expect(plain(await remote('--json', ...argv))).toEqual(plain(lj));
    // Nothing was created.
    expect(ok(await local('--json', 'client', 'list', '--tenant', 'val')).items).toEqual([]);
  });

  it('flags the CLI cannot read are usage errors (exit 2), also as the --json error document', async () => {
    expectExit(await local('client', 'create', '--tenant', 'main', '--name', 'x', '--access-token-ttl', 'soon'), 2);
    expectExit(await local('tenant', 'create', 'x', '--set', 'novalue'), 2);
    expectExit(await local('tenant', 'list', '--limit', '0'), 2);
    const r = await local('--json', 'client', 'create', '--tenant', 'main');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.errorJson().error.code).toBe('usage');
    expect(r.errorJson().error.message).toContain('--name');
  });

  it('an id that starts with "-" works after "--"; without it the usage error says so', async () => {
    const id = '-1qKwtY4ZgjlBXqnlykK';
    const r = await local('client', 'show', '--tenant', 'main', id);
    expect(plain(r)).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain(`after "--": … --tenant T -- ${id}`);
    const j = await local('--json', 'client', 'show', '--tenant', 'main', id);
    expect(j.errorJson().error).toMatchObject({ code: 'usage', message: expect.stringContaining('"--"') });
    const after = await local('client', 'show', '--tenant', 'main', '--', id);
    expectExit(after, 3);
    expect(after.stderr).toContain(`no client "${id}"`);
    expect(plain(await remote('client', 'show', '--tenant', 'main', '--', id))).toEqual(plain(after));
  });

  it.each([
    ['tenant', 'show', 'ghost'],
    ['tenant', 'update', 'ghost', '--name', 'G'],
    ['--yes', 'tenant', 'delete', 'ghost'],
    ['client', 'list', '--tenant', 'ghost'],
    ['client', 'show', '--tenant', 'main', 'no-such-client'],
    ['key', 'list', '--tenant', 'ghost'],
    ['--yes', 'key', 'retire', '--tenant', 'main', 'no-such-kid'],
    ['apikey', 'list', '--tenant', 'ghost'],
    ['--yes', 'apikey', 'revoke', 'no-such-key'],
  ])('%j: not found (exit 3), locally and remotely alike', async (...argv) => {
    const l = await local(...argv);
    expectExit(l, 3);
    expect(plain(await remote(...argv))).toEqual(plain(l));
  });

  // ---------------------------------------------------------------- destructive actions

  it('tenant delete without --yes and without a terminal is a usage error (exit 2) that deletes nothing', async () => {
    ok(await local('--json', 'tenant', 'create', 'keep'));
    const c = ok(await local('--json', 'client', 'create', '--tenant', 'keep', '--name', 'web', '--grant', 'client_credentials'));
    for (const run of [local, remote]) {
      const r = await run('tenant', 'delete', 'keep');
      expectExit(r, 2);
      expect(r.stderr).toContain('--yes');
      const j = await run('--json', 'tenant', 'delete', 'keep');
      expect(j.code).toBe(2);
      expect(j.errorJson().error.code).toBe('usage');
    }
    expect(ok(await local('--json', 'tenant', 'show', 'keep')).slug).toBe('keep');
    expect(ok(await local('--json', 'client', 'show', '--tenant', 'keep', '--', c.client_id)).name).toBe('web');
    expectExit(await local('client', 'delete', '--tenant', 'keep', '--', c.client_id), 2);
    expectExit(await local('key', 'retire', '--tenant', 'keep', '--', ok(await local('--json', 'key', 'list', '--tenant', 'keep')).items[0].kid), 2);
    expectExit(await local('apikey', 'revoke', adminTokenId()), 2);
  });

  it('tenant delete --yes removes the tenant with its clients, keys and API keys', async () => {
    ok(await local('--json', 'tenant', 'create', 'doomed'));
    const c = ok(await local('--json', 'client', 'create', '--tenant', 'doomed', '--name', 'web', '--grant', 'client_credentials'));
    const k = ok(await local('--json', 'apikey', 'create', '--name', 'doomed-key', '--tenant', 'doomed', '--scope', 'clients:read'));
    const r = await local('--yes', 'tenant', 'delete', 'doomed');
    expectExit(r, 0);
    expect(r.stdout).toBe('Deleted tenant doomed with its clients, signing keys and API keys.\n');
    expectExit(await local('tenant', 'show', 'doomed'), 3);
    expectExit(await local('client', 'show', '--tenant', 'doomed', '--', c.client_id), 3);
    expectExit(await local('key', 'list', '--tenant', 'doomed'), 3);
    expect(await t.af.repo.clients.byClientId(c.client_id)).toBeUndefined();
    expect(await t.af.repo.signingKeys.listByTenant(ok(await local('--json', 'tenant', 'show', 'main')).id)).not.toHaveLength(0);
    const allKeys = ok(await local('--json', 'apikey', 'list', '--all')).items.map((x: { id: string }) => x.id);
    expect(allKeys).not.toContain(k.id);
    // The server learns of the deletion through the database's change feed.
    await expect.poll(async () => (await remoteAs(k.token, 'client', 'list', '--tenant', 'doomed')).code, { timeout: 10_000 }).toBe(6);
  });

  it('on a terminal, destructive actions ask first: "n" keeps, "y" goes ahead', async () => {
    ok(await local('--json', 'tenant', 'create', 'asked'));
    const c = ok(await local('--json', 'client', 'create', '--tenant', 'asked', '--name', 'web', '--grant', 'client_credentials'));
    const answer = async (text: string) => {
      const stdin = new PassThrough();
      const stdout = new TextSink();
      const stderr = new TextSink();
      const pending = main(['--data-dir', t.dataDir, 'client', 'delete', '--tenant', 'asked', '--', c.client_id], { stdout, stderr, stdin, stdinIsTTY: true }, { ...TEST_ENV });
      await expect.poll(() => stderr.text, { timeout: 10_000 }).toContain('Delete client "web"');
      stdin.write(`${text}\n`);
      return { code: await pending, stdout: stdout.text, stderr: stderr.text };
    };
    const no = await answer('n');
    expect(no.code).toBe(1);
    expect(no.stdout).toBe('');
    expect(no.stderr).toContain('cancelled');
    ok(await local('--json', 'client', 'show', '--tenant', 'asked', '--', c.client_id));
    const yes = await answer('y');
    expect(yes.code).toBe(0);
    expect(yes.stdout).toBe(`Deleted client ${c.client_id} from tenant asked.\n`);
    expectExit(await local('client', 'show', '--tenant', 'asked', '--', c.client_id), 3);
  });

  // ---------------------------------------------------------------- remote mode: same output as local

  describe('remote mode prints what local mode prints', () => {
    /** Runs the same command in both modes on `loc-…`/`rem-…` resources; outputs must match but for ids, secrets and times. */
    async function same(argvOf: (p: 'loc' | 'rem') => string[], code = 0): Promise<{ loc: CliResult; rem: CliResult }> {
      const loc = await local(...argvOf('loc'));
      const rem = await remote(...argvOf('rem'));
      expect(loc.code, loc.stderr).toBe(code);
      expect({ code: rem.code, stdout: normalize(rem.stdout), stderr: normalize(rem.stderr) }).toEqual({ code: loc.code, stdout: normalize(loc.stdout), stderr: normalize(loc.stderr) });
      return { loc, rem };
    }
    /** Runs the same read in both modes on the same resources: byte-identical output. */
    async function identical(...argv: string[]): Promise<CliResult> {
      const l = await local(...argv);
      const r = await remote(...argv);
      expect(l.code, l.stderr).toBe(0);
      expect(plain(r)).toEqual(plain(l));
      const lj = await local('--json', ...argv);
      expect(plain(await remote('--json', ...argv))).toEqual(plain(lj));
      return l;
    }

    it('tenant create, list, show, update, delete', async () => {
      await same((p) => ['--json', 'tenant', 'create', `${p}-a`, '--name', 'A', '--set', 'access_token_ttl=300', '--set', `scopes=${SCOPES}`]);
      await same((p) => ['tenant', 'create', `${p}-b`, '--custom-domain', `${p}-b.example.com`]);
      await identical('tenant', 'show', 'loc-a');
      await identical('tenant', 'show', 'rem-b');
      await identical('tenant', 'list', '--all');
      await identical('tenant', 'list', '--limit', '2');
      const cursor = ok(await local('--json', 'tenant', 'list', '--limit', '2')).next_cursor;
      expect(cursor).toEqual(expect.any(String));
      await identical('tenant', 'list', '--limit', '2', '--cursor', cursor);
      await same((p) => ['tenant', 'update', `${p}-a`, '--name', 'A2', '--set', 'self_registration=true', '--unset', 'access_token_ttl']);
      await same((p) => ['--json', 'tenant', 'update', `${p}-b`, '--no-custom-domain', '--set', 'password_policy={"min_length":12}']);
      expect(ok(await local('--json', 'tenant', 'show', 'rem-b'))).toMatchObject({ custom_domain: null, issuer: 'http://localhost:8080/t/rem-b', settings: { password_policy: { min_length: 12 } } });
      expect(ok(await remote('--json', 'tenant', 'show', 'loc-a')).settings).toMatchObject({ access_token_ttl: 600, self_registration: true });
      await same((p) => ['--yes', 'tenant', 'delete', `${p}-a`]);
      await same((p) => ['--json', '--yes', 'tenant', 'delete', `${p}-b`]);
      await same((p) => ['tenant', 'show', `${p}-a`], 3);
    });

    it('client create, list, show, update, rotate-secret, delete', async () => {
      ok(await local('--json', 'tenant', 'create', 'apps', '--set', `scopes=${SCOPES}`));
      const created = await same((p) => ['client', 'create', '--tenant', 'apps', '--name', `${p}-web`, '--redirect-uri', 'https://app.example/cb', '--scope', 'openid', '--scope', 'orders:read', '--cors-origin', 'https://app.example']);
      const id = (r: CliResult) => /^client_id:\s+(\S+)$/m.exec(r.stdout)![1]!;
      const ids = { loc: id(created.loc), rem: id(created.rem) };
      const json = await same((p) => ['--json', 'client', 'create', '--tenant', 'apps', '--name', `${p}-m2m`, '--grant', 'client_credentials', '--audience', 'https://api.example']);
      const m2m = { loc: json.loc.json().client_id as string, rem: json.rem.json().client_id as string };
      await identical('client', 'list', '--tenant', 'apps');
      await identical('client', 'list', '--tenant', 'apps', '--all');
      await identical('client', 'show', '--tenant', 'apps', '--', ids.loc);
      await identical('client', 'show', '--tenant', 'apps', '--', m2m.rem);
      await same((p) => ['client', 'update', '--tenant', 'apps', '--first-party', '--no-cors-origin', '--access-token-ttl', '300', '--', ids[p]]);
      await same((p) => ['--json', 'client', 'update', '--tenant', 'apps', '--no-audience', '--', m2m[p]]);
      await same((p) => ['client', 'rotate-secret', '--tenant', 'apps', '--grace', '60', '--', m2m[p]]);
      await same((p) => ['--json', 'client', 'rotate-secret', '--tenant', 'apps', '--', ids[p]]);
      await same((p) => ['--yes', 'client', 'delete', '--tenant', 'apps', '--', ids[p]]);
      await same((p) => ['--json', '--yes', 'client', 'delete', '--tenant', 'apps', '--', m2m[p]]);
      await identical('client', 'list', '--tenant', 'apps');
    });

    it('key list, rotate, retire', async () => {
      ok(await local('--json', 'tenant', 'create', 'loc-keys'));
      ok(await local('--json', 'tenant', 'create', 'rem-keys'));
      await identical('key', 'list', '--tenant', 'loc-keys');
      await same((p) => ['key', 'rotate', '--tenant', `${p}-keys`, '--alg', 'ES256', '--delay', '0']);
      await same((p) => ['--json', 'key', 'rotate', '--tenant', `${p}-keys`, '--alg', 'RS256', '--delay', '120']);
      await same((p) => ['key', 'rotate', '--tenant', `${p}-keys`, '--alg', 'EdDSA']);
      await same((p) => ['key', 'rotate', '--tenant', `${p}-keys`, '--alg', 'RS256'], 4);
      await same((p) => ['key', 'rotate', '--tenant', `${p}-keys`, '--alg', 'HS256'], 5);
      await identical('key', 'list', '--tenant', 'rem-keys');
      const kidOf = async (p: string, alg: string, status: string) =>
        ok(await local('--json', 'key', 'list', '--tenant', `${p}-keys`)).items.find((k: { alg: string; status: string }) => k.alg === alg && k.status === status).kid as string;
      const active = { loc: await kidOf('loc', 'RS256', 'active'), rem: await kidOf('rem', 'RS256', 'active') };
      await same((p) => ['--yes', 'key', 'retire', '--tenant', `${p}-keys`, '--', active[p]]);
      const eddsa = { loc: await kidOf('loc', 'EdDSA', 'active'), rem: await kidOf('rem', 'EdDSA', 'active') };
      await same((p) => ['--json', '--yes', 'key', 'retire', '--tenant', `${p}-keys`, '--', eddsa[p]], 6);
      await identical('key', 'list', '--tenant', 'loc-keys');
    });

    it('apikey create, list, revoke', async () => {
      ok(await local('--json', 'tenant', 'create', 'ops'));
      const human = await same((p) => ['apikey', 'create', '--name', `${p}-deploy`, '--tenant', 'ops', '--scope', 'clients:write', '--scope', 'keys:read', '--expires-in', '86400']);
      expect(human.rem.stdout).toMatch(/^token: af_live_/m);
      const json = await same((p) => ['--json', 'apikey', 'create', '--name', `${p}-ci`, '--tenant', 'ops', '--scope', 'clients:read', '--env', 'test']);
      expect(json.rem.json().token).toMatch(/^af_test_/);
      await identical('apikey', 'list', '--tenant', 'ops');
      await identical('apikey', 'list', '--tenant', 'ops', '--limit', '1');
      const ids = { loc: json.loc.json().id as string, rem: json.rem.json().id as string };
      await same((p) => ['--yes', 'apikey', 'revoke', ids[p]]);
      await same((p) => ['--json', '--yes', 'apikey', 'revoke', ids[p]]);
      await identical('apikey', 'list', '--tenant', 'ops', '--all');
      await same((p) => ['apikey', 'create', '--name', `${p}-x`, '--tenant', 'ops', '--scope', 'nope:read'], 5);
    });
  });

  // ---------------------------------------------------------------- remote mode: who may do what

  describe('remote mode authentication', () => {
    it('a revoked API key is refused: exit 6', async () => {
      const k = ok(await remote('--json', 'apikey', 'create', '--name', 'short-lived', '--instance', '--scope', 'tenants:read'));
      expectExit(await remoteAs(k.token, 'tenant', 'show', 'main'), 0);
      ok(await remote('--json', '--yes', 'apikey', 'revoke', k.id));
      const r = await remoteAs(k.token, 'tenant', 'show', 'main');
      expectExit(r, 6);
      expect(r.stderr).toContain('the API key was refused');
      const j = await remoteAs(k.token, '--json', 'tenant', 'show', 'main');
      expect(j.code).toBe(6);
      expect(j.errorJson().error.code).toBe('not_permitted');
      expectExit(await remoteAs('af_live_AAAAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'tenant', 'list'), 6);
    });

    it('a tenant-scoped key sees its tenant only: another tenant is not found (exit 3)', async () => {
      ok(await local('--json', 'tenant', 'create', 'mine'));
      ok(await local('--json', 'tenant', 'create', 'theirs'));
      const theirs = ok(await local('--json', 'client', 'create', '--tenant', 'theirs', '--name', 'web', '--grant', 'client_credentials'));
      const k = ok(await local('--json', 'apikey', 'create', '--name', 'mine-admin', '--tenant', 'mine', '--scope', 'tenants:write', '--scope', 'clients:write', '--scope', 'keys:write', '--scope', 'apikeys:write'));
      const as = (...argv: string[]) => remoteAs(k.token, ...argv);
      expect(ok(await as('--json', 'tenant', 'list')).items.map((x: { slug: string }) => x.slug)).toEqual(['mine']);
      ok(await as('--json', 'client', 'create', '--tenant', 'mine', '--name', 'web', '--grant', 'client_credentials'));
      for (const argv of [
        ['tenant', 'show', 'theirs'],
        ['tenant', 'update', 'theirs', '--name', 'X'],
        ['client', 'list', '--tenant', 'theirs'],
        ['client', 'show', '--tenant', 'theirs', '--', theirs.client_id],
        ['client', 'create', '--tenant', 'theirs', '--name', 'evil', '--grant', 'client_credentials'],
        ['client', 'rotate-secret', '--tenant', 'theirs', '--', theirs.client_id],
        ['key', 'list', '--tenant', 'theirs'],
        ['key', 'rotate', '--tenant', 'theirs', '--alg', 'ES256'],
        ['apikey', 'list', '--tenant', 'theirs'],
        ['apikey', 'create', '--name', 'evil', '--tenant', 'theirs', '--scope', 'clients:read'],
        ['--yes', 'apikey', 'revoke', adminTokenId()],
      ]) {
        const r = await as(...argv);
        expect({ argv, code: r.code }).toEqual({ argv, code: 3 });
        expect(r.stdout).toBe('');
      }
      // Instance-level actions need an instance key.
      expectExit(await as('tenant', 'create', 'other'), 6);
      expectExit(await as('--yes', 'tenant', 'delete', 'mine'), 6);
      expectExit(await as('apikey', 'create', '--name', 'root', '--instance', '--scope', '*'), 6);
      // Nothing changed in the other tenant.
      expect(ok(await local('--json', 'client', 'list', '--tenant', 'theirs')).items.map((c: { name: string }) => c.name)).toEqual(['web']);
    });

    it('--url without an API key is a usage error (exit 2); AUTHFLOW_URL and AUTHFLOW_API_KEY_FILE work too', async () => {
      const r = await remoteAs(undefined, 'tenant', 'list');
      expectExit(r, 2);
      expect(r.stderr).toContain('AUTHFLOW_API_KEY');
      const viaEnv = await runCli(['--json', 'tenant', 'show', 'main'], { env: { AUTHFLOW_URL: serving.url, AUTHFLOW_API_KEY: adminToken } });
      expect(ok(viaEnv).slug).toBe('main');
      expectExit(await runCli(['--url', 'ftp://example.com', 'tenant', 'list'], { env: { AUTHFLOW_API_KEY: adminToken } }), 2);
    });

    it('an unreachable server fails with exit 1 and one sentence, within seconds', async () => {
      const started = Date.now();
      const r = await runCli(['--url', 'http://127.0.0.1:1', 'tenant', 'list'], { env: { AUTHFLOW_API_KEY: adminToken } });
      expectExit(r, 1);
      expect(r.stderr).toContain('cannot reach the authflow server at http://127.0.0.1:1');
      const j = await runCli(['--url', 'http://127.0.0.1:1', '--json', 'tenant', 'list'], { env: { AUTHFLOW_API_KEY: adminToken } });
      expect(j.errorJson().error.code).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('a server that does not speak the management API is reported, not misread (exit 1)', async () => {
      const r = await runCli(['--url', `${serving.url}/healthz`, 'tenant', 'list'], { env: { AUTHFLOW_API_KEY: adminToken } });
      expectExit(r, 1);
      expect(r.stderr).toContain('does not serve this authflow management API');
    });
  });

  /** Creates a tenant unless an earlier test did. */
  async function ensureTenant(slug: string, ...flags: string[]): Promise<void> {
    if ((await local('tenant', 'show', slug)).code === 3) ok(await local('--json', 'tenant', 'create', slug, ...flags));
  }

  /** The id of the instance admin key the tests run with. */
  function adminTokenId(): string {
    return adminToken.split('_')[2]!;
  }
});
