// `authflow user create|list|show` on the install's database: the password
// comes only from standard input (or a hidden prompt), is checked against the
// tenant's password policy, never printed and never accepted on the command
// line; the user it creates can then sign in on the hosted login page.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../src/app/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { main } from '../../src/cli/main.ts';
import { runCli, TEST_ENV, TextSink } from '../helpers/cli.ts';
import { DATABASES, openTestAuthflow, type TestAuthflow } from '../helpers/server.ts';
import { authorizeUrl, Browser, REDIRECT_URI, redirectParams, signIn, type Site } from './browser-fixture.ts';

const PASSWORD = 'Tr0ub4dor&3-but-longer';

describe.each(DATABASES)('authflow user (%s)', (database) => {
  let t: TestAuthflow;
  beforeAll(async () => {
    t = await openTestAuthflow({ database });
  });
  afterAll(async () => t?.close());

  /** Runs the CLI with `stdin` as standard input. */
  async function cli(argv: string[], stdin?: string) {
    const stdout = new TextSink();
    const stderr = new TextSink();
    const code = await main(['--data-dir', t.dataDir, ...argv], { stdout, stderr, stdin: Readable.from(stdin === undefined ? [] : [stdin]), stdinIsTTY: false }, { ...TEST_ENV });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it('create --password-stdin --json prints the user without any secret; the password is stored as argon2id only', async () => {
    const r = await cli(['--json', 'user', 'create', '--tenant', 'main', '--email', '  Ada@Example.COM ', '--name', 'Ada Lovelace', '--given-name', 'Ada', '--family-name', 'Lovelace', '--email-verified', '--password-stdin'], `${PASSWORD}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout);
    expect(view).toMatchObject({ tenant: 'main', email: 'ada@example.com', email_verified: true, name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', disabled: false });
    expect(Object.keys(view).sort()).toEqual(['attributes', 'created_at', 'disabled', 'email', 'email_verified', 'external_id', 'family_name', 'given_name', 'id', 'last_login_at', 'locale', 'name', 'phone', 'phone_verified', 'picture', 'tenant', 'updated_at']);
    expect(r.stdout).not.toContain(PASSWORD);
    expect(r.stdout).not.toContain('argon2');
    const [cred] = await t.af.repo.credentials.ofUser((await t.af.repo.tenants.bySlug('main'))!.id, view.id, 'password');
    expect(cred!.secret).toMatch(/^\$argon2id\$/);
    expect(cred!.secret).not.toContain(PASSWORD);
  });

  it('a second user with the same email (any case) exits 4; a short password exits 5; neither prints the password', async () => {
    const dup = await cli(['user', 'create', '--tenant', 'main', '--email', 'ADA@example.com', '--password-stdin'], PASSWORD);
    expect(dup.code).toBe(4);
    expect(dup.stderr).toMatch(/^authflow: .*already exists/);
    const short = await cli(['--json', 'user', 'create', '--tenant', 'main', '--email', 'short@example.com', '--password-stdin'], 'seven77');
    expect(short.code).toBe(5);
    expect(JSON.parse(short.stderr).error.code).toBe('validation_failed');
    expect(short.stderr).toContain('password_policy.min_length');
    for (const r of [dup, short]) expect(r.stdout + r.stderr).not.toMatch(new RegExp(`${PASSWORD}|seven77`));
  });

  it("the tenant's password_policy.min_length applies", async () => {
    await t.af.admin.tenants.update(LOCAL_ADMIN, 'main', { settings: { password_policy: { min_length: 30 } } });
    try {
      expect((await cli(['user', 'create', '--tenant', 'main', '--email', 'policy@example.com', '--password-stdin'], PASSWORD)).code).toBe(5);
    } finally {
      await t.af.admin.tenants.update(LOCAL_ADMIN, 'main', { settings: { password_policy: null } });
    }
  });

  it('a password is never taken from the command line; an empty stdin or both sources are usage errors', async () => {
    const argv = await cli(['user', 'create', '--tenant', 'main', '--email', 'argv@example.com', '--password', 'hunter2-hunter2']);
    expect(argv.code).toBe(2);
    expect(argv.stderr).not.toContain('hunter2');
    expect((await cli(['user', 'create', '--tenant', 'main', '--email', 'empty@example.com', '--password-stdin'], '')).code).toBe(2);
    expect((await cli(['user', 'create', '--tenant', 'main', '--email', 'both@example.com', '--password-stdin', '--password-prompt'], PASSWORD)).code).toBe(2);
    // No terminal to prompt on.
    expect((await cli(['user', 'create', '--tenant', 'main', '--email', 'tty@example.com', '--password-prompt'])).code).toBe(2);
    expect((await t.af.repo.users.byEmail((await t.af.repo.tenants.bySlug('main'))!.id, 'argv@example.com'))).toBeUndefined();
  });

  it('list and show (by id, or by email in any case); unknown → exit 3', async () => {
    await cli(['user', 'create', '--tenant', 'main', '--email', 'nopass@example.com']);
    const list = await runCli(['--data-dir', t.dataDir, '--json', 'user', 'list', '--tenant', 'main']);
    expect(list.code).toBe(0);
    const emails = list.json().items.map((u: { email: string }) => u.email);
    expect(emails).toEqual(expect.arrayContaining(['ada@example.com', 'nopass@example.com']));
    const human = await runCli(['--data-dir', t.dataDir, 'user', 'list', '--tenant', 'main']);
    expect(human.stdout).toMatch(/^ID\s+EMAIL/);
    const byEmail = await runCli(['--data-dir', t.dataDir, '--json', 'user', 'show', '--tenant', 'main', 'ADA@EXAMPLE.com']);
    expect(byEmail.json().email).toBe('ada@example.com');
    const byId = await runCli(['--data-dir', t.dataDir, '--json', 'user', 'show', '--tenant', 'main', byEmail.json().id]);
    expect(byId.json()).toEqual(byEmail.json());
    expect((await runCli(['--data-dir', t.dataDir, 'user', 'show', '--tenant', 'main', 'nobody@example.com'])).code).toBe(3);
    expect((await runCli(['--data-dir', t.dataDir, 'user', 'list', '--tenant', 'nope'])).code).toBe(3);
  });

  it('the user created from the shell signs in on the hosted login page with that password', async () => {
    const app = buildHttpApp(t.af);
    const fetcher = async (u: string, init?: RequestInit) => app.fetch(new Request(u, init));
    const client = (await t.af.admin.clients.create(LOCAL_ADMIN, 'main', { name: 'cli-login', type: 'public', redirect_uris: [REDIRECT_URI], first_party: true })).client_id;
    const site = { url: t.config.publicUrl, issuer: (slug = 'main') => `${t.config.publicUrl}/t/${slug}` } as unknown as Site;
    const b = new Browser(fetcher);
    const done = await signIn(b, site, await b.get(authorizeUrl(site, client).url), 'ada@example.com', PASSWORD);
    expect(redirectParams(done).get('code')).toMatch(/^af_ac_/);
    // Nothing logged carries the password.
    expect(t.logs.text).not.toContain(PASSWORD);
  });
});
