// `authflow user import` / `user export` on a live install: users arrive with
// hashes made elsewhere (bcrypt, argon2i, argon2id of other parameters,
// scrypt and PBKDF2 in PHC/passlib form) or a plain password, sign in on the
// real hosted login page over HTTP, and their hash becomes the tenant's
// argon2id at that first sign-in (docs/security.md "imported bcrypt/argon2 hashes
// verify and are upgraded on next login"). Re-imports are idempotent, a dry
// run writes nothing, bad rows are reported by line and the rest imported,
// and export → import round-trips into another tenant. SQLite, and Postgres
// when AUTHFLOW_TEST_DATABASE_URL is set.
import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { TEST_ENV, TextSink } from '../helpers/cli.ts';
import { tempDir } from '../helpers/db.ts';
import { authorizeUrl, consent, DATABASES, redirectParams, signIn, startSite, type Site } from './browser-fixture.ts';

/** The argon2id encoding prefix of TEST_ENV's parameters: what a hash looks like after the upgrade. */
const CURRENT = '$argon2id$v=19$m=1024,t=1,p=1$';
const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
const ab64 = (b: Buffer) => b64(b).replaceAll('+', '.');

/** One user per accepted format, each with its own password. */
async function legacyUsers(prefix: string): Promise<{ email: string; password: string; row: Record<string, unknown> }[]> {
  const pw = (k: string) => `${k}-${prefix}-Sesame-${randomBytes(3).toString('hex')}`;
  const salt = randomBytes(16);
  const p = { bcrypt: pw('bcrypt'), argon2i: pw('argon2i'), argon2id: pw('argon2id'), scrypt: pw('scrypt'), pbkdf2: pw('pbkdf2'), plain: pw('plain') };
  const rows: { email: string; password: string; row: Record<string, unknown> }[] = [
    { email: `bcrypt-${prefix}@example.com`, password: p.bcrypt, row: { password_hash: (await bcrypt.hash(p.bcrypt, 4)).replace(/^\$2b\$/, '$2y$'), external_id: `legacy-${prefix}-1` } },
    { email: `argon2i-${prefix}@example.com`, password: p.argon2i, row: { password_hash: await argon2Hash(p.argon2i, { algorithm: 1, memoryCost: 2048, timeCost: 2, parallelism: 1 }) } },
    { email: `argon2id-${prefix}@example.com`, password: p.argon2id, row: { password_hash: await argon2Hash(p.argon2id, { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 2 }) } },
    { email: `scrypt-${prefix}@example.com`, password: p.scrypt, row: { password_hash: `$scrypt$ln=10,r=8,p=1$${ab64(salt)}$${ab64(scryptSync(p.scrypt, salt, 32, { N: 1024, r: 8, p: 1 }))}` } },
    { email: `pbkdf2-${prefix}@example.com`, password: p.pbkdf2, row: { password_hash: `$pbkdf2-sha256$i=2000$${b64(salt)}$${b64(pbkdf2Sync(p.pbkdf2, salt, 2000, 32, 'sha256'))}` } },
    { email: `plain-${prefix}@example.com`, password: p.plain, row: { password: p.plain, name: 'Plain Text', attributes: { plan: 'pro', seats: 3 } } },
  ];
  return rows.map((r) => ({ ...r, row: { email: r.email, email_verified: true, ...r.row } }));
}

function csvOf(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => {
    if (v === undefined) return '';
    const t = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

describe.each(DATABASES)('user import / export (%s)', (database) => {
  let site: Site;
  let clientId: string;
  let dir: ReturnType<typeof tempDir>;
  let dbFlags: string[];

  beforeAll(async () => {
    site = await startSite({ database });
    clientId = (await site.client({ type: 'public', redirect_uris: ['http://127.0.0.1:9/callback'], first_party: true })).clientId;
    dir = tempDir('authflow-import-');
    dbFlags = ['--data-dir', site.af.config.dataDir, ...(site.af.config.database.kind === 'postgres' ? ['--database-url', site.af.config.database.url] : [])];
  });
  afterAll(async () => {
    await site?.stop();
    dir?.cleanup();
  });

  async function cli(argv: string[], stdin?: string) {
    const stdout = new TextSink();
    const stderr = new TextSink();
    const code = await main([...dbFlags, ...argv], { stdout, stderr, stdin: Readable.from(stdin === undefined ? [] : [stdin]), stdinIsTTY: false }, { ...TEST_ENV });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }
  const file = (name: string, text: string) => {
    const path = join(dir.path, name);
    writeFileSync(path, text);
    return path;
  };
  const tenantId = async (slug = 'main') => (await site.af.repo.tenants.bySlug(slug))!.id;
  const userOf = async (email: string, slug = 'main') => site.af.repo.users.byEmail(await tenantId(slug), email);
  const hashOf = async (email: string, slug = 'main') => {
    const u = (await userOf(email, slug))!;
    return (await site.af.repo.credentials.ofUser(u.tenantId, u.id, 'password'))[0]?.secret;
  };
  /** Signs in on the hosted login page; true when it went through to the app. */
  async function login(email: string, password: string, slug = 'main', client = clientId): Promise<boolean> {
    const b = site.browser();
    const res = await signIn(b, site, await b.get(authorizeUrl(site, client, {}, slug).url), email, password);
    if (res.status !== 303) return false;
    const next = new URL(res.headers.get('location')!, site.url);
    const final = next.pathname.includes('/consent') ? await consent(b, site, res) : res;
    return redirectParams(final).has('code');
  }

  let jsonl: { email: string; password: string; row: Record<string, unknown> }[];
  let jsonlFile: string;

  it('imports JSONL with bcrypt, argon2i, argon2id, scrypt and PBKDF2 hashes and a plain password; each user signs in and the hash becomes argon2id', async () => {
    jsonl = await legacyUsers('j');
    jsonlFile = file('users.jsonl', jsonl.map((u) => JSON.stringify(u.row)).join('\n') + '\n');
    const r = await cli(['--json', 'user', 'import', '--tenant', 'main', jsonlFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ created: 6, updated: 0, unchanged: 0, skipped: 0, failed: 0, dry_run: false });

    const plain = (await userOf('plain-j@example.com'))!;
    expect(plain).toMatchObject({ name: 'Plain Text', emailVerified: true, attributes: { plan: 'pro', seats: 3 } });
    expect(await hashOf('plain-j@example.com')).toMatch(/^\$argon2id\$/);
    expect((await userOf('bcrypt-j@example.com'))!.externalId).toBe('legacy-j-1');
    // Stored as given until the first sign-in.
    expect(await hashOf('bcrypt-j@example.com')).toMatch(/^\$2y\$04\$/);
    expect(await hashOf('scrypt-j@example.com')).toMatch(/^\$scrypt\$/);

    for (const u of jsonl) {
      expect(await login(u.email, `${u.password}x`), `${u.email} wrong password`).toBe(false);
      expect(await login(u.email, u.password), u.email).toBe(true);
      expect((await hashOf(u.email))!.startsWith(CURRENT), u.email).toBe(true);
      // The upgraded hash keeps working.
      expect(await login(u.email, u.password), `${u.email} again`).toBe(true);
    }
  });

  it('re-importing the same file is idempotent: nothing is duplicated, and the upgraded hashes are not put back', async () => {
    const before = await Promise.all(jsonl.map((u) => hashOf(u.email)));
    const r = await cli(['--json', 'user', 'import', '--tenant', 'main', jsonlFile]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: 0, updated: 0, unchanged: 6, failed: 0 });
    expect(await Promise.all(jsonl.map((u) => hashOf(u.email)))).toEqual(before);
    const all = await site.af.repo.users.list(await tenantId(), { limit: 1000 });
    expect(all.filter((u) => u.email.endsWith('-j@example.com'))).toHaveLength(6);

    // Matched by external_id first: a new email for legacy-j-1 updates that user.
    const moved = file('moved.jsonl', `${JSON.stringify({ external_id: 'legacy-j-1', email: 'bcrypt-moved@example.com', name: 'Moved' })}\n`);
    const m = await cli(['--json', 'user', 'import', '--tenant', 'main', moved]);
    expect(JSON.parse(m.stdout)).toMatchObject({ created: 0, updated: 1 });
    expect(await userOf('bcrypt-j@example.com')).toBeUndefined();
    expect(await userOf('bcrypt-moved@example.com')).toMatchObject({ externalId: 'legacy-j-1', name: 'Moved', emailVerified: false });

    // --on-conflict skip leaves existing users alone.
    const skip = file('skip.jsonl', `${JSON.stringify({ email: 'plain-j@example.com', name: 'Changed' })}\n`);
    const s = await cli(['--json', 'user', 'import', '--tenant', 'main', '--on-conflict', 'skip', skip]);
    expect(JSON.parse(s.stdout)).toMatchObject({ created: 0, updated: 0, skipped: 1 });
    expect((await userOf('plain-j@example.com'))!.name).toBe('Plain Text');
  });

  it('imports CSV (attributes as a JSON column, booleans as text) from standard input; the users sign in', async () => {
    const users = await legacyUsers('c');
    const columns = ['email', 'email_verified', 'name', 'external_id', 'attributes', 'password', 'password_hash'];
    const r = await cli(['--json', 'user', 'import', '--tenant', 'main', '--format', 'csv', '-'], csvOf(users.map((u) => u.row), columns));
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ created: 6, failed: 0 });
    expect(await userOf('plain-c@example.com')).toMatchObject({ emailVerified: true, name: 'Plain Text', attributes: { plan: 'pro', seats: 3 } });
    for (const u of users.filter((x) => /^(scrypt|pbkdf2|bcrypt)/.test(x.email))) {
      expect(await login(u.email, u.password), u.email).toBe(true);
      expect((await hashOf(u.email))!.startsWith(CURRENT)).toBe(true);
    }
  });

  it('--dry-run validates every row, counts what would happen and writes nothing', async () => {
    const t = await tenantId();
    const usersBefore = (await site.af.repo.users.list(t, { limit: 1000 })).length;
    const auditBefore = (await site.af.repo.audit.list(t, { limit: 1 }))[0]?.seq;
    const rows = [{ email: 'dry-1@example.com', password: 'dry-run-passphrase-1' }, { email: 'plain-j@example.com', name: 'Dry' }, { email: 'not-an-email' }];
    const r = await cli(['--json', 'user', 'import', '--tenant', 'main', '--dry-run', file('dry.jsonl', rows.map((x) => JSON.stringify(x)).join('\n'))]);
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout)).toEqual({ created: 1, updated: 1, unchanged: 0, skipped: 0, failed: 1, dry_run: true });
    expect((await site.af.repo.users.list(t, { limit: 1000 })).length).toBe(usersBefore);
    expect(await userOf('dry-1@example.com')).toBeUndefined();
    expect((await userOf('plain-j@example.com'))!.name).toBe('Plain Text');
    expect((await site.af.repo.audit.list(t, { limit: 1 }))[0]?.seq).toBe(auditBefore);
  });

  it('malformed rows are reported by line number with one reason each (never their secrets); the rest are imported; exit 5', async () => {
    const lines = [
      JSON.stringify({ email: 'good-1@example.com', password: 'a perfectly fine passphrase' }), // 1
      '{"email": "broken@example.com", ', // 2
      JSON.stringify({ email: 'not an email' }), // 3
      JSON.stringify({ email: 'common@example.com', password: 'iloveyou' }), // 4
      JSON.stringify({ email: 'md5@example.com', password_hash: '5f4dcc3b5aa765d61d8327deb882cf99' }), // 5
      JSON.stringify({ email: 'dos@example.com', password_hash: '$2b$20$abcdefghijklmnopqrstuuIkjsdhfkjshdfkjshdfkjshdfkjshdf' }), // 6
      JSON.stringify({ email: 'both@example.com', password: 'another fine passphrase', password_hash: '$2b$04$abcdefghijklmnopqrstuuIkjsdhfkjshdfkjshdfkjshdfkjshdf' }), // 7
      JSON.stringify({ email: 'extra@example.com', role: 'admin' }), // 8
      '', // 9: blank lines are skipped
      '[1, 2]', // 10
      JSON.stringify({ email: 'good-2@example.com', attributes: { team: 'blue' } }), // 11
    ];
    const path = file('bad.jsonl', lines.join('\n'));
    const r = await cli(['user', 'import', '--tenant', 'main', path]);
    expect(r.code).toBe(5);
    expect(r.stderr.trim().split('\n')).toEqual([
      'authflow: line 2: not valid JSON',
      'authflow: line 3: email: must be an email address such as ada@example.com',
      'authflow: line 4: password: is one of the most commonly used passwords; choose one that is harder to guess',
      'authflow: line 5: password_hash: is not in a supported format (argon2id, argon2i, bcrypt, scrypt or PBKDF2 in PHC/passlib form)',
      'authflow: line 6: password_hash: has a bcrypt cost of 20 (accepted: 4 to 15)',
      'authflow: line 7: password: give password or password_hash, not both',
      'authflow: line 8: role: is not a known field',
      'authflow: line 10: not a JSON object',
    ]);
    expect(r.stdout).toMatch(/created: +2/);
    expect(r.stdout).toMatch(/failed: +8/);
    expect(r.stderr).not.toMatch(/iloveyou|fine passphrase|5f4dcc3b/);
    expect(await userOf('good-1@example.com')).toBeDefined();
    expect((await userOf('good-2@example.com'))!.attributes).toEqual({ team: 'blue' });
    for (const e of ['common@example.com', 'md5@example.com', 'dos@example.com', 'both@example.com', 'extra@example.com']) expect(await userOf(e)).toBeUndefined();

    // --errors FILE: the same report as JSON lines, in a file only the owner reads.
    const errors = join(dir.path, 'errors.jsonl');
    const again = await cli(['--json', 'user', 'import', '--tenant', 'main', '--errors', errors, path]);
    expect(again.code).toBe(5);
    expect(again.stderr).toBe('');
    const report = readFileSync(errors, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(report.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 10]);
    expect(report[1]).toEqual({ line: 3, field: 'email', error: 'email: must be an email address such as ada@example.com' });
    expect(statSync(errors).mode & 0o777).toBe(0o600);

    // A CSV row with the wrong number of fields, or a bad boolean, is reported by its line too.
    const csv = 'email,email_verified,name\ncsv-ok@example.com,true,Ok\ncsv-short@example.com,true\ncsv-bool@example.com,maybe,X\n"csv-quoted@example.com",false,"Quoted, Name"\n';
    const c = await cli(['user', 'import', '--tenant', 'main', file('bad.csv', csv)]);
    expect(c.code).toBe(5);
    expect(c.stderr.trim().split('\n')).toEqual(['authflow: line 3: 2 fields where the header has 3', 'authflow: line 4: email_verified: must be true or false']);
    expect((await userOf('csv-quoted@example.com'))!.name).toBe('Quoted, Name');
    // An unknown column refuses the whole file up front.
    const h = await cli(['user', 'import', '--tenant', 'main', file('bad-header.csv', 'email,role\nx@example.com,admin\n')]);
    expect(h.code).toBe(5);
    expect(h.stderr).toMatch(/header: names an unknown column "role"/);
  });

  it('records one users.imported audit event per run, with the counts, by admin', async () => {
    const [event] = await site.af.repo.audit.list(await tenantId(), { limit: 1, action: 'users.imported' });
    expect(event).toMatchObject({ actor: 'admin', action: 'users.imported', data: { created: 2, updated: 0, unchanged: 0, skipped: 0, failed: 2 } });
    expect(JSON.stringify(event)).not.toContain('@example.com');
  });

  it('export → import round-trips into another tenant (hashes only with --include-password-hashes); the users sign in there', async () => {
    await site.af.admin.tenants.create(LOCAL_ADMIN, { slug: 'copy', name: 'Copy' });
    await site.af.admin.tenants.create(LOCAL_ADMIN, { slug: 'copycsv', name: 'Copy CSV' });
    const plainOut = await cli(['user', 'export', '--tenant', 'main']);
    expect(plainOut.code).toBe(0);
    expect(plainOut.stdout).not.toContain('password_hash');
    expect(plainOut.stdout).not.toMatch(/\$argon2|\$2[aby]\$|\$scrypt\$|\$pbkdf2/);

    const exportFile = join(dir.path, 'export.jsonl');
    const ex = await cli(['--json', 'user', 'export', '--tenant', 'main', '--include-password-hashes', exportFile]);
    expect(ex.code).toBe(0);
    const mainUsers = await site.af.repo.users.list(await tenantId(), { limit: 1000 });
    expect(JSON.parse(ex.stdout)).toMatchObject({ exported: mainUsers.length, format: 'jsonl', password_hashes: true });
    expect(statSync(exportFile).mode & 0o777).toBe(0o600);
    const imported = await cli(['--json', 'user', 'import', '--tenant', 'copy', exportFile]);
    expect(imported.stderr).toBe('');
    expect(JSON.parse(imported.stdout)).toMatchObject({ created: mainUsers.length, failed: 0 });
    // Same rows (users created in the same millisecond may list in another order: ids are UUIDv7).
    const sorted = (text: string) => text.split(/\r?\n/).sort();
    const again = await cli(['user', 'export', '--tenant', 'copy', '--include-password-hashes']);
    expect(sorted(again.stdout)).toEqual(sorted(readFileSync(exportFile, 'utf8')));

    // CSV through a pipe: export | import.
    const csv = await cli(['user', 'export', '--tenant', 'main', '--format', 'csv', '--include-password-hashes', '-']);
    expect(csv.stdout.split('\r\n')[0]).toBe('email,email_verified,name,given_name,family_name,phone,locale,picture,external_id,attributes,disabled,password_hash');
    const intoCsv = await cli(['--json', 'user', 'import', '--tenant', 'copycsv', '--format', 'csv', '-'], csv.stdout);
    expect(JSON.parse(intoCsv.stdout)).toMatchObject({ created: mainUsers.length, failed: 0 });
    expect(sorted((await cli(['user', 'export', '--tenant', 'copycsv', '--format', 'csv', '--include-password-hashes', '-'])).stdout)).toEqual(sorted(csv.stdout));

    // The copied (already upgraded) hash signs in in the other tenant; a CSV-copied user keeps attributes.
    const u = jsonl.find((x) => x.email.startsWith('scrypt'))!;
    const copyClient = (await site.client({ type: 'public', redirect_uris: ['http://127.0.0.1:9/callback'], first_party: true }, 'copy')).clientId;
    expect(await login(u.email, `${u.password}x`, 'copy', copyClient)).toBe(false);
    expect(await login(u.email, u.password, 'copy', copyClient)).toBe(true);
    expect((await userOf('plain-j@example.com', 'copycsv'))!.attributes).toEqual({ plan: 'pro', seats: 3 });
  });

  it.runIf(database === 'sqlite')('imports 20,000 rows in batches (bounded memory), then re-imports them as unchanged', async () => {
    const hash = await bcrypt.hash('twenty thousand users', 4);
    const path = join(dir.path, 'big.jsonl');
    writeFileSync(path, Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ email: `bulk-${i}@example.com`, external_id: `bulk-${i}`, name: `Bulk ${i}`, password_hash: hash })).join('\n'));
    const started = performance.now();
    const r = await cli(['--json', 'user', 'import', '--tenant', 'main', path]);
    const ms = performance.now() - started;
    expect(JSON.parse(r.stdout)).toMatchObject({ created: 20_000, failed: 0 });
    expect(await userOf('bulk-19999@example.com')).toMatchObject({ externalId: 'bulk-19999' });
    const re = await cli(['--json', 'user', 'import', '--tenant', 'main', path]);
    expect(JSON.parse(re.stdout)).toMatchObject({ created: 0, unchanged: 20_000 });
    console.log(`20,000-row import: ${Math.round(ms)} ms`);
  }, 120_000);
});
