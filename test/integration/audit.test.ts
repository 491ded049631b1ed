// The per-tenant hash-chained audit log (docs/security.md, audit): admin operations
// append to it in the transaction of the change; `authflow audit verify`
// finds an edited or deleted row by its seq; concurrent appends never fork the
// chain; list/tail/verify/export work on the database and through the
// management API (`audit:read`). On SQLite and Postgres.
import { spawn } from 'node:child_process';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, openAuthflow, type Authflow } from '../../src/app/index.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { recordAudit } from '../../src/core/audit/record.ts';
import type { DatabaseTarget } from '../../src/config/index.ts';
import { runCli, TEST_ENV } from '../helpers/cli.ts';
import { DATABASES, LogSink, openTestAuthflow, type TestAuthflow } from '../helpers/server.ts';
import { startApi, type ApiHarness } from './api-fixture.ts';

/** Raw SQL through the test's own connection (the tamperer's view of the database). */
async function rawSql(target: DatabaseTarget, sqlite: string, postgres: string, params: unknown[]): Promise<number> {
  if (target.kind === 'sqlite') {
    const db = new BetterSqlite3(target.path);
    try {
      db.pragma('busy_timeout = 5000');
      return db.prepare(sqlite).run(...(params as (string | number)[])).changes;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    return (await client.query(postgres, params)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

const tamperData = (target: DatabaseTarget, tenantId: string, seq: number) =>
  rawSql(target, `UPDATE audit_events SET data = '{"forged":true}' WHERE tenant_id = ? AND seq = ?`, `UPDATE audit_events SET data = '{"forged":true}'::jsonb WHERE tenant_id = $1 AND seq = $2`, [tenantId, seq]);
const deleteRow = (target: DatabaseTarget, tenantId: string, seq: number) =>
  rawSql(target, 'DELETE FROM audit_events WHERE tenant_id = ? AND seq = ?', 'DELETE FROM audit_events WHERE tenant_id = $1 AND seq = $2', [tenantId, seq]);

/** Appends `n` events to the tenant's chain, each in its own transaction, 50 at once (a pool's worth of waiting connections). */
async function appendMany(af: Authflow, tenantId: string, n: number, actor: string): Promise<void> {
  for (let from = 0; from < n; from += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - from) }, (_, i) => af.repo.transaction((s) => recordAudit(s, { tenantId, at: Date.now(), actor, action: 'test.appended', target: null, data: { i: from + i } }))),
    );
  }
}

describe.each(DATABASES)('audit log on the database (%s)', (database) => {
  let t: TestAuthflow;
  let slugs = 0;
  const cli = (...argv: string[]) => runCli(['--data-dir', t.dataDir, ...argv]);
  /** A fresh tenant per test: its chain starts with tenant.created (seq 1). */
  const freshTenant = async () => {
    const view = await t.af.admin.tenants.create(LOCAL_ADMIN, { slug: `audit-${++slugs}` });
    return { id: view.id, slug: view.slug };
  };
  beforeAll(async () => {
    t = await openTestAuthflow({ database });
  });
  afterAll(async () => t?.close());

  it('admin operations are recorded with actor "admin", in order, and the chain verifies', async () => {
    const tenant = await freshTenant();
    const a = t.af.admin;
    await a.tenants.update(LOCAL_ADMIN, tenant.slug, { name: 'Audited', settings: { access_token_ttl: 600 } });
    const client = await a.clients.create(LOCAL_ADMIN, tenant.slug, { name: 'Backend', redirect_uris: ['https://app.example/cb'] });
    await a.clients.update(LOCAL_ADMIN, tenant.slug, client.client_id, { name: 'Backend 2' });
    await a.clients.rotateSecret(LOCAL_ADMIN, tenant.slug, client.client_id, { grace_period: 60 });
    const rotated = await a.keys.rotate(LOCAL_ADMIN, tenant.slug, { alg: 'ES256', delay: 3600 });
    // Retiring the current key early promotes the pending one.
    await a.keys.retire(LOCAL_ADMIN, tenant.slug, rotated.retiring!.kid);
    const api_key = await a.apiKeys.create(LOCAL_ADMIN, { name: 'ci', tenant: tenant.slug, scopes: ['clients:read'] });
    await a.apiKeys.revoke(LOCAL_ADMIN, api_key.id);
    await a.clients.delete(LOCAL_ADMIN, tenant.slug, client.client_id);

    const page = await a.audit.list(LOCAL_ADMIN, tenant.slug, { limit: 200 });
    expect(page.items.map((e) => e.action).reverse()).toEqual([
      'tenant.created', 'tenant.updated', 'client.created', 'client.updated', 'client.secret_rotated', 'key.rotated', 'key.retired', 'api_key.created', 'api_key.revoked', 'client.deleted',
    ]);
    expect(page.items.map((e) => e.seq)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(new Set(page.items.map((e) => e.actor))).toEqual(new Set(['admin']));
    const byAction = Object.fromEntries(page.items.map((e) => [e.action, e]));
    expect(byAction['tenant.updated']!.data).toEqual({ changed: ['name', 'settings.access_token_ttl'] });
    expect(byAction['client.created']!.target).toBe(`client:${client.client_id}`);
    expect(byAction['api_key.created']!.target).toBe(`api_key:${api_key.id}`);
    // Never a secret in the log.
    expect(JSON.stringify(page)).not.toMatch(/cs_|af_live_/);

    expect(await a.audit.verify(LOCAL_ADMIN, tenant.slug)).toEqual({ tenant: tenant.slug, intact: true, events: 10, head: page.items[0]!.hash, broken_at: null, reason: null });
  });

  it('consent revocation is recorded against the user, by id (never the email)', async () => {
    const tenant = await freshTenant();
    const user = await t.af.admin.users.create(LOCAL_ADMIN, tenant.slug, { email: 'consenter@example.com' });
    const client = await t.af.admin.clients.create(LOCAL_ADMIN, tenant.slug, { name: 'App', redirect_uris: ['https://app.example/cb'] });
    await t.af.repo.grants.save({ id: crypto.randomUUID(), tenantId: tenant.id, userId: user.id, clientId: client.client_id, scopes: ['openid'], createdAt: Date.now(), updatedAt: Date.now(), revokedAt: null });
    await t.af.admin.consents.revoke(LOCAL_ADMIN, tenant.slug, user.id, client.client_id);
    const [event] = (await t.af.admin.audit.list(LOCAL_ADMIN, tenant.slug, { action: 'user.consent_revoked' })).items;
    expect(event).toMatchObject({ actor: 'admin', target: `user:${user.id}`, data: { client_ids: [client.client_id] } });
    expect(JSON.stringify(event)).not.toContain('consenter@example.com');
  });

  it('list filters by actor, action and target and pages newest first with a cursor', async () => {
    const tenant = await freshTenant();
    await appendMany(t.af, tenant.id, 7, 'system');
    await t.af.repo.transaction((s) => recordAudit(s, { tenantId: tenant.id, at: Date.now(), actor: 'user:u1', action: 'user.updated', target: 'user:u1' }));
    const first = await t.af.admin.audit.list(LOCAL_ADMIN, tenant.slug, { limit: 4 });
    expect(first.items.map((e) => e.seq)).toEqual([9, 8, 7, 6]);
    const second = await t.af.admin.audit.list(LOCAL_ADMIN, tenant.slug, { limit: 4, cursor: first.next_cursor! });
    expect(second.items.map((e) => e.seq)).toEqual([5, 4, 3, 2]);
    const last = await t.af.admin.audit.list(LOCAL_ADMIN, tenant.slug, { limit: 4, cursor: second.next_cursor! });
    expect(last).toMatchObject({ items: [{ seq: 1, action: 'tenant.created' }], next_cursor: null });
    expect((await t.af.admin.audit.list(LOCAL_ADMIN, tenant.slug, { target: 'user:u1' })).items.map((e) => e.seq)).toEqual([9]);
    expect((await t.af.admin.audit.list(LOCAL_ADMIN, tenant.slug, { actor: 'system' })).items).toHaveLength(7);
    expect((await t.af.admin.audit.list(LOCAL_ADMIN, tenant.slug, { action: 'tenant.created' })).items).toHaveLength(1);
    expect((await t.af.admin.audit.list(LOCAL_ADMIN, tenant.slug, { after: 7 })).items.map((e) => e.seq)).toEqual([8, 9]);
  });

  it('a row whose data was modified in the database: verify reports its seq and the CLI exits 1', async () => {
    const tenant = await freshTenant();
    await appendMany(t.af, tenant.id, 5, 'system');
    expect(await tamperData(t.config.database, tenant.id, 4)).toBe(1);
    expect(await t.af.admin.audit.verify(LOCAL_ADMIN, tenant.slug)).toMatchObject({ intact: false, broken_at: 4, events: 3, reason: expect.stringMatching(/modified/) });
    const r = await cli('audit', 'verify', '--tenant', tenant.slug);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('audit chain broken at seq 4: its content does not match its hash (the row was modified)\n');
    const j = await cli('--json', 'audit', 'verify', '--tenant', tenant.slug);
    expect(j.code).toBe(1);
    expect(j.json()).toMatchObject({ intact: false, broken_at: 4 });
  });

  it('a deleted row: verify reports the gap at its seq', async () => {
    const tenant = await freshTenant();
    await appendMany(t.af, tenant.id, 5, 'system');
    expect(await deleteRow(t.config.database, tenant.id, 3)).toBe(1);
    const r = await cli('audit', 'verify', '--tenant', tenant.slug);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('audit chain broken at seq 3: event 3 is missing (the next one is 4)\n');
  });

  it('100 appends in parallel transactions never fork the chain', async () => {
    const tenant = await freshTenant();
    await appendMany(t.af, tenant.id, 100, 'system');
    expect(await t.af.admin.audit.verify(LOCAL_ADMIN, tenant.slug)).toMatchObject({ intact: true, events: 101 });
  });

  it.runIf(database === 'postgres')('2×50 appends from two connection pools (two servers) in parallel never fork the chain', async () => {
    const tenant = await freshTenant();
    const other = await openAuthflow(t.config, { logger: createLogger({ logLevel: 'silent', logFormat: 'json' }, new LogSink()) });
    try {
      await Promise.all([appendMany(t.af, tenant.id, 50, 'system:a'), appendMany(other, tenant.id, 50, 'system:b')]);
    } finally {
      await other.close();
    }
    const report = await t.af.admin.audit.verify(LOCAL_ADMIN, tenant.slug);
    expect(report).toMatchObject({ intact: true, events: 101 });
    const all = await t.af.admin.audit.list(LOCAL_ADMIN, tenant.slug, { limit: 200 });
    expect(all.items.map((e) => e.seq)).toEqual(Array.from({ length: 101 }, (_, i) => 101 - i));
  });

  it('CLI: list (human and --json), verify, export (JSON lines, ascending, streamed) and tail', async () => {
    const tenant = await freshTenant();
    await appendMany(t.af, tenant.id, 450, 'system'); // more than two export pages
    const list = await cli('--json', 'audit', 'list', '--tenant', tenant.slug, '--limit', '3', '--action', 'test.appended');
    expect(list.code).toBe(0);
    expect(list.json().items.map((e: { seq: number }) => e.seq)).toEqual([451, 450, 449]);
    const more = await cli('--json', 'audit', 'list', '--tenant', tenant.slug, '--limit', '3', '--cursor', list.json().next_cursor);
    expect(more.json().items.map((e: { seq: number }) => e.seq)).toEqual([448, 447, 446]);
    const human = await cli('audit', 'list', '--tenant', tenant.slug, '--limit', '2');
    expect(human.stdout).toMatch(/^SEQ\s+AT\s+ACTOR\s+ACTION\s+TARGET\s+DATA\n451 /);
    expect(human.stdout).toContain(`More: authflow audit list --tenant ${tenant.slug} --cursor`);

    const verify = await cli('audit', 'verify', '--tenant', tenant.slug);
    const head = (await t.af.admin.audit.list(LOCAL_ADMIN, tenant.slug, { limit: 1 })).items[0]!.hash;
    expect(verify).toMatchObject({ code: 0, stdout: `chain intact: 451 events, head ${head}\n`, stderr: '' });

    const exported = await cli('audit', 'export', '--tenant', tenant.slug);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e.seq)).toEqual(Array.from({ length: 451 }, (_, i) => i + 1));
    expect(lines[0]).toMatchObject({ action: 'tenant.created', tenant_id: tenant.id, prev_hash: '0'.repeat(64) });
    expect(lines[450].hash).toBe(head);
    expect((await cli('audit', 'export', '--tenant', tenant.slug, '--format', 'csv')).code).toBe(2);

    const tail = await cli('audit', 'tail', '--tenant', tenant.slug, '-n', '3');
    expect(tail.code).toBe(0);
    expect(tail.stdout.trimEnd().split('\n').map((l) => /#(\d+)/.exec(l)![1])).toEqual(['449', '450', '451']);
    expect((await cli('audit', 'list', '--tenant', 'no-such-tenant')).code).toBe(3);
  });

  it('tail --follow (a real process) prints events as they are appended, and SIGINT ends it with exit 0', async () => {
    const tenant = await freshTenant();
    const child = spawn(process.execPath, ['bin/authflow.ts', '--data-dir', t.dataDir, '--json', 'audit', 'tail', '--tenant', tenant.slug, '--follow', '--interval', '0.1'], {
      env: { ...TEST_ENV, PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => void (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => out, { timeout: 15_000 }).toContain('"tenant.created"');
      await appendMany(t.af, tenant.id, 3, 'system');
      await expect.poll(() => out.trimEnd().split('\n').length, { timeout: 15_000 }).toBe(4);
      expect(out.trimEnd().split('\n').map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4]);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(err).toBe('');
  });
});

describe.each(DATABASES)('audit log through the management API (%s)', (database) => {
  let api: ApiHarness | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });

  it('GET …/audit needs audit:read (403), hides other tenants (404), records API-key actors, and verify finds tampering', async () => {
    api = await startApi('node:http', database);
    const a = api;
    const other = await a.request('POST', '/tenants', { json: { slug: 'other' } });
    expect(other.status).toBe(201);
    const writer = (await a.request('POST', '/api-keys', { json: { name: 'writer', tenant: 'main', scopes: ['clients:write'] } })).body;
    const reader = (await a.request('POST', '/api-keys', { json: { name: 'reader', tenant: 'main', scopes: ['audit:read'] } })).body;

    const refused = await a.request('GET', '/tenants/main/audit', { token: writer.token });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('insufficient_scope');
    expect((await a.request('GET', '/tenants/main/audit/verify', { token: writer.token })).status).toBe(403);
    expect((await a.request('GET', '/tenants/other/audit', { token: reader.token })).status).toBe(404);
    expect((await a.request('GET', '/tenants/other/audit/verify', { token: reader.token })).status).toBe(404);

    const created = await a.request('POST', '/tenants/main/clients', { token: writer.token, json: { name: 'Via API', redirect_uris: ['https://app.example/cb'] } });
    expect(created.status).toBe(201);
    const list = await a.request('GET', '/tenants/main/audit?action=client.created', { token: reader.token });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ actor: `api_key:${writer.id}`, target: `client:${created.body.client_id}` })]);
    const all = await a.request('GET', '/tenants/main/audit?limit=1', { token: reader.token });
    expect(all.body.items).toHaveLength(1);
    expect(all.headers.get('link')).toMatch(/rel="next"/);
    expect((await a.request('GET', '/tenants/main/audit?after=x', { token: reader.token })).status).toBe(422);

    const intact = await a.request('GET', '/tenants/main/audit/verify', { token: reader.token });
    expect(intact.body).toMatchObject({ tenant: 'main', intact: true, broken_at: null });
    const mainId = (await a.af.repo.tenants.bySlug('main'))!.id;
    await tamperData(a.af.config.database, mainId, 1);
    const broken = await a.request('GET', '/tenants/main/audit/verify', { token: reader.token });
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({ intact: false, broken_at: 1, events: 0 });
  });

  it('CLI remote (--url + AUTHFLOW_API_KEY): list, verify, export and tail answer as locally', async () => {
    api = await startApi('node:http', database);
    const a = api;
    const mainId = (await a.af.repo.tenants.bySlug('main'))!.id;
    await appendMany(a.af, mainId, 230, 'system');
    const remote = (...argv: string[]) => runCli(['--url', a.url!, ...argv], { env: { AUTHFLOW_API_KEY: a.adminKey } });

    const list = await remote('--json', 'audit', 'list', '--tenant', 'main', '--limit', '5');
    expect(list.code).toBe(0);
    expect(list.json().items.map((e: { seq: number }) => e.seq)).toEqual([230, 229, 228, 227, 226]);
    const verify = await remote('audit', 'verify', '--tenant', 'main');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^chain intact: 230 events, head [A-Za-z0-9_-]{43}\n$/);
    const exported = await remote('audit', 'export', '--tenant', 'main');
    expect(exported.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).seq)).toEqual(Array.from({ length: 230 }, (_, i) => i + 1));
    const tail = await remote('--json', 'audit', 'tail', '--tenant', 'main', '--lines', '2');
    expect(tail.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).seq)).toEqual([229, 230]);

    await deleteRow(a.af.config.database, mainId, 100);
    const broken = await remote('audit', 'verify', '--tenant', 'main');
    expect(broken).toMatchObject({ code: 1, stderr: 'audit chain broken at seq 100: event 100 is missing (the next one is 101)\n' });

    const noScope = (await a.request('POST', '/api-keys', { json: { name: 'ro', tenant: 'main', scopes: ['tenants:read'] } })).body.token as string;
    const denied = await runCli(['--url', a.url!, 'audit', 'list', '--tenant', 'main'], { env: { AUTHFLOW_API_KEY: noScope } });
    expect(denied.code).toBe(6);
  });
});
