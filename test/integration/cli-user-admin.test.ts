// `authflow user update|disable|enable|delete|set-password|sessions|revoke-sessions|export-data`
// and the profile fields of `user create|list` on the install's database
// (docs/cli.md: exit codes 3 not found, 4 conflict, 5 validation; --json
// output; --yes for destructive actions). Every change is in the audit log,
// with `admin` as the actor and the user's id (never their email) as target.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import { sha256, uuidv7 } from '../../src/crypto/index.ts';
import { TEST_ENV, TextSink } from '../helpers/cli.ts';
import { DATABASES, openTestAuthflow, type TestAuthflow } from '../helpers/server.ts';

const PASSWORD = 'Tr0ub4dor&3-but-longer';
const HOUR = 3_600_000;

describe.each(DATABASES)('authflow user lifecycle (%s)', (database) => {
  let t: TestAuthflow;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await openTestAuthflow({ database });
    tenant = (await t.af.repo.tenants.bySlug('main'))!;
  });
  afterAll(async () => t?.close());

  async function cli(argv: string[], stdin?: string) {
    const stdout = new TextSink();
    const stderr = new TextSink();
    const code = await main(['--data-dir', t.dataDir, ...argv], { stdout, stderr, stdin: Readable.from(stdin === undefined ? [] : [stdin]), stdinIsTTY: false }, { ...TEST_ENV });
    return { code, stdout: stdout.text, stderr: stderr.text, json: () => JSON.parse(stdout.text), error: () => JSON.parse(stderr.text).error as { code: string; message: string } };
  }
  const create = async (email: string, ...flags: string[]) => {
    const r = await cli(['--json', 'user', 'create', '--tenant', 'main', '--email', email, ...flags]);
    expect(r.stderr).toBe('');
    return r.json();
  };
  /** A live session of the user, straight in the store (the browser flows have their own suites). */
  async function session(userId: string): Promise<string> {
    const now = Date.now();
    const id = uuidv7(now);
    await t.af.repo.sessions.insert({ id, tenantId: tenant.id, userId, secretHash: sha256(id), amr: ['pwd'], acr: null, authTime: now, userAgent: 'Mozilla/5.0 test', ip: '192.0.2.7', createdAt: now, lastSeenAt: now, idleExpiresAt: now + HOUR, expiresAt: now + 8 * HOUR, endedAt: null });
    return id;
  }
  const audit = async (userId: string) => (await t.af.repo.audit.list(tenant.id, { limit: 100, target: `user:${userId}` })).reverse();

  it('create takes the whole profile; --json prints it; list --search and cursor pages find users', async () => {
    const ada = await create('Ada@Example.com', '--name', 'Ada Lovelace', '--phone', '+442071234567', '--locale', 'en-gb', '--picture', 'https://img.example.com/ada.png', '--attributes', '{"plan":"pro"}', '--external-id', 'crm-7');
    expect(ada).toMatchObject({ email: 'ada@example.com', phone: '+442071234567', phone_verified: false, locale: 'en-GB', picture: 'https://img.example.com/ada.png', attributes: { plan: 'pro' }, external_id: 'crm-7' });
    await create('bob@example.com', '--name', 'Bob');
    await create('carol@example.org');
    const search = await cli(['--json', 'user', 'list', '--tenant', 'main', '--search', 'CRM-7']);
    expect(search.json().items.map((u: { email: string }) => u.email)).toEqual(['ada@example.com']);
    const page1 = (await cli(['--json', 'user', 'list', '--tenant', 'main', '--limit', '2'])).json();
    expect(page1.items).toHaveLength(2);
    const page2 = (await cli(['--json', 'user', 'list', '--tenant', 'main', '--limit', '2', '--cursor', page1.next_cursor])).json();
    expect(page2).toEqual({ items: [expect.objectContaining({ email: 'carol@example.org' })], next_cursor: null });
    const human = await cli(['user', 'list', '--tenant', 'main', '--limit', '1']);
    expect(human.stdout).toMatch(/^ID\s+EMAIL\s+NAME\s+VERIFIED\s+DISABLED/);
    expect(human.stdout).toContain('--cursor');
    expect((await audit(ada.id)).map((e) => [e.actor, e.action])).toEqual([['admin', 'user.created']]);
  });

  it('exit 4 on a taken email or external id; exit 5 naming the field for bad profile values; exit 2 for attributes that are not JSON', async () => {
    const dup = await cli(['--json', 'user', 'create', '--tenant', 'main', '--email', 'dan@example.com', '--external-id', 'crm-7']);
    expect([dup.code, dup.error().code]).toEqual([4, 'conflict']);
    expect(dup.error().message).toContain('external_id');
    expect((await cli(['user', 'create', '--tenant', 'main', '--email', 'ADA@example.com'])).code).toBe(4);
    const deep = JSON.stringify({ a: { b: { c: { d: { e: { f: 1 } } } } } });
    const many = JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])));
    const big = JSON.stringify({ blob: 'x'.repeat(17_000) });
    for (const [flags, field] of [
      [['--attributes', deep], 'attributes'],
      [['--attributes', many], 'attributes'],
      [['--attributes', big], 'attributes'],
      [['--picture', 'http://img.example.com/a.png'], 'picture'],
      [['--locale', 'english please'], 'locale'],
      [['--phone', '12345'], 'phone'],
    ] as const) {
      const r = await cli(['--json', 'user', 'create', '--tenant', 'main', '--email', 'dan@example.com', ...flags]);
      expect(r.code, flags.join(' ')).toBe(5);
      expect(r.error().message, flags.join(' ')).toMatch(new RegExp(`^--${field}: `));
    }
    expect((await cli(['user', 'create', '--tenant', 'main', '--email', 'dan@example.com', '--attributes', '{nope'])).code).toBe(2);
    expect((await cli(['--json', 'user', 'list', '--tenant', 'main', '--search', 'dan@'])).json().items).toEqual([]);
  });

  it('update: flags replace, --clear clears, --attributes merges; a new email is unverified unless --email-verified; exit 3/4/5/2', async () => {
    const u = await create('erin@example.com', '--email-verified', '--phone', '+14155550000', '--attributes', '{"plan":"free","trial":true}');
    const r = await cli(['--json', 'user', 'update', '--tenant', 'main', 'erin@example.com', '--name', 'Erin', '--clear', 'phone', '--attributes', '{"plan":"pro","trial":null}']);
    expect(r.stderr).toBe('');
    expect(r.json()).toMatchObject({ name: 'Erin', phone: null, email_verified: true, attributes: { plan: 'pro' } });
    expect(r.json().attributes).not.toHaveProperty('trial');
    expect((await cli(['--json', 'user', 'update', '--tenant', 'main', u.id, '--email', 'erin2@example.com'])).json()).toMatchObject({ email: 'erin2@example.com', email_verified: false });
    expect((await cli(['--json', 'user', 'update', '--tenant', 'main', u.id, '--email', 'erin@example.com', '--email-verified'])).json()).toMatchObject({ email: 'erin@example.com', email_verified: true });
    expect((await cli(['--json', 'user', 'update', '--tenant', 'main', u.id, '--no-email-verified'])).json().email_verified).toBe(false);
    expect((await cli(['user', 'update', '--tenant', 'main', u.id, '--email', 'ada@example.com'])).code).toBe(4);
    expect((await cli(['user', 'update', '--tenant', 'main', u.id, '--locale', '???'])).code).toBe(5);
    expect((await cli(['user', 'update', '--tenant', 'main', 'nobody@example.com', '--name', 'X'])).code).toBe(3);
    expect((await cli(['user', 'update', '--tenant', 'main', u.id])).code).toBe(2);
    expect((await cli(['user', 'update', '--tenant', 'main', u.id, '--clear', 'email'])).code).toBe(2);
    const events = await audit(u.id);
    expect(events.map((e) => e.action)).toEqual(['user.created', 'user.updated', 'user.updated', 'user.updated', 'user.updated']);
    expect(events[1]!.data).toEqual({ fields: ['phone', 'name', 'attributes'] });
    expect(JSON.stringify(events)).not.toContain('erin');
  });

  it('sessions lists live sessions; revoke-sessions --session ends one, without it all; set-password revokes unless --keep-sessions', async () => {
    const u = await create('gil@example.com');
    const s1 = await session(u.id);
    const s2 = await session(u.id);
    const listed = await cli(['--json', 'user', 'sessions', '--tenant', 'main', 'gil@example.com']);
    expect(listed.json()).toEqual({ tenant: 'main', user_id: u.id, items: expect.any(Array) });
    expect(listed.json().items.map((s: { id: string }) => s.id).sort()).toEqual([s1, s2].sort());
    expect(listed.json().items[0]).toEqual({ id: expect.any(String), created_at: expect.any(String), last_seen_at: expect.any(String), auth_time: expect.any(String), amr: ['pwd'], acr: null, user_agent: 'Mozilla/5.0 test', ip: '192.0.2.7', idle_expires_at: expect.any(String), expires_at: expect.any(String) });
    expect((await cli(['user', 'sessions', '--tenant', 'main', u.id])).stdout).toMatch(/^ID\s+CREATED\s+LAST SEEN/);
    const one = await cli(['--json', 'user', 'revoke-sessions', '--tenant', 'main', u.id, '--session', s1]);
    expect(one.json()).toEqual({ tenant: 'main', user_id: u.id, sessions_ended: 1, refresh_families_revoked: 0 });
    expect((await cli(['user', 'revoke-sessions', '--tenant', 'main', u.id, '--session', s1])).code).toBe(3);

    // set-password: argv is refused, policy applies, --keep-sessions keeps s2.
    expect((await cli(['user', 'set-password', '--tenant', 'main', u.id, '--password', PASSWORD])).code).toBe(2);
    expect((await cli(['user', 'set-password', '--tenant', 'main', u.id, '--password-stdin'], '')).code).toBe(2);
    const weak = await cli(['--json', 'user', 'set-password', '--tenant', 'main', u.id, '--password-stdin'], 'short');
    expect([weak.code, weak.error().message]).toEqual([5, expect.stringMatching(/^the password: /)]);
    const kept = await cli(['--json', 'user', 'set-password', '--tenant', 'main', u.id, '--password-stdin', '--keep-sessions'], `${PASSWORD}\n`);
    expect(kept.json()).toEqual({ tenant: 'main', user_id: u.id, sessions_ended: 0, refresh_families_revoked: 0 });
    const [cred] = await t.af.repo.credentials.ofUser(tenant.id, u.id, 'password');
    expect(cred!.secret).toMatch(/^\$argon2id\$/);
    expect(await t.af.passwords.verify(cred!.secret!, PASSWORD)).toBe(true);
    const again = await cli(['--json', 'user', 'set-password', '--tenant', 'main', u.id, '--password-stdin'], `${PASSWORD}-2`);
    expect(again.json().sessions_ended).toBe(1);
    const creds = await t.af.repo.credentials.ofUser(tenant.id, u.id, 'password');
    expect(creds).toHaveLength(1);
    expect(await t.af.passwords.verify(creds[0]!.secret!, PASSWORD)).toBe(false);
    for (const r of [kept, again, weak]) expect(r.stdout + r.stderr).not.toContain(PASSWORD);

    await session(u.id);
    const all = await cli(['--json', 'user', 'revoke-sessions', '--tenant', 'main', u.id]);
    expect(all.json().sessions_ended).toBe(1);
    expect((await cli(['user', 'sessions', '--tenant', 'main', u.id])).stdout).toContain('no live session');
    expect((await audit(u.id)).map((e) => e.action)).toEqual(['user.created', 'user.sessions_revoked', 'user.password_set', 'user.password_set', 'user.sessions_revoked']);
  });

  it('disable ends the sessions and enable clears the flag; both print the user with --json', async () => {
    const u = await create('hal@example.com');
    await session(u.id);
    const off = await cli(['--json', 'user', 'disable', '--tenant', 'main', 'hal@example.com']);
    expect(off.json()).toMatchObject({ id: u.id, disabled: true });
    expect((await cli(['--json', 'user', 'sessions', '--tenant', 'main', u.id])).json().items).toEqual([]);
    expect((await cli(['user', 'disable', '--tenant', 'main', u.id])).stdout).toContain('Disabled hal@example.com');
    const on = await cli(['--json', 'user', 'enable', '--tenant', 'main', u.id]);
    expect(on.json()).toMatchObject({ id: u.id, disabled: false });
    expect((await cli(['user', 'enable', '--tenant', 'nope', u.id])).code).toBe(3);
    const events = await audit(u.id);
    expect(events.map((e) => e.action)).toEqual(['user.created', 'user.disabled', 'user.enabled']);
    expect(events[1]!.data).toEqual({ sessions_ended: 1, refresh_families_revoked: 0 });
  });

  it('export-data prints everything held (no secrets); delete asks unless --yes, then erases the user and the cascade takes the rest', async () => {
    const id = (await cli(['--json', 'user', 'create', '--tenant', 'main', '--email', 'ivy@example.com', '--external-id', 'crm-ivy', '--password-stdin'], PASSWORD)).json().id as string;
    await session(id);
    await t.af.repo.terms.accept({ tenantId: tenant.id, userId: id, version: '2024-01', acceptedAt: Date.now() });
    const exported = await cli(['user', 'export-data', '--tenant', 'main', 'ivy@example.com']);
    expect(exported.code).toBe(0);
    const data = JSON.parse(exported.stdout);
    expect(data).toMatchObject({ format: 'authflow.user-data/1', tenant: 'main', profile: { id, email: 'ivy@example.com', external_id: 'crm-ivy' }, terms_acceptances: [{ version: '2024-01' }] });
    expect(data.sessions).toHaveLength(1);
    expect(data.credentials).toEqual([{ id: expect.any(String), kind: 'password', created_at: expect.any(String), last_used_at: null }]);
    expect(exported.stdout).not.toMatch(/argon2|secret/);
    expect((await cli(['--json', 'user', 'export-data', '--tenant', 'main', id])).json().profile.id).toBe(id);
    expect((await cli(['user', 'export-data', '--tenant', 'main', 'nobody@example.com'])).code).toBe(3);

    const unconfirmed = await cli(['user', 'delete', '--tenant', 'main', id]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    expect(await t.af.repo.users.byId(tenant.id, id)).toBeDefined();
    const deleted = await cli(['--yes', '--json', 'user', 'delete', '--tenant', 'main', 'ivy@example.com']);
    expect(deleted.json()).toEqual({ deleted: id });
    expect((await cli(['user', 'show', '--tenant', 'main', id])).code).toBe(3);
    expect((await cli(['--yes', 'user', 'delete', '--tenant', 'main', id])).code).toBe(3);
    expect(await t.af.repo.credentials.allOfUser(tenant.id, id)).toEqual([]);
    expect(await t.af.repo.terms.ofUser(tenant.id, id)).toEqual([]);
    expect(await t.af.repo.sessions.byId(tenant.id, (data.sessions[0] as { id: string }).id)).toBeUndefined();
    const events = await audit(id);
    expect(events.at(-1)).toMatchObject({ actor: 'admin', action: 'user.deleted', target: `user:${id}`, data: { sessions_ended: 1, refresh_families_revoked: 0 } });
    expect(JSON.stringify(events)).not.toContain('ivy');
  });
});
