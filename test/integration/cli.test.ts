// The CLI contract users script against (docs/cli.md CLI): `--version`, `init`,
// `db migrate|status`, `doctor`, `serve`'s start-up refusals, exit codes,
// one-sentence errors and the `--json` documents. Real files, real SQLite,
// real Postgres when AUTHFLOW_TEST_DATABASE_URL is set; the CLI runs in-process.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { openDatabase } from '../../src/db/index.ts';
import { migrations as pgMigrations } from '../../src/db/migrations/pg.gen.ts';
import { migrations as sqliteMigrations } from '../../src/db/migrations/sqlite.gen.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { createPgDatabase, PG_URL, tempDir } from '../helpers/db.ts';

const API_KEY = /^af_live_[A-Za-z0-9]+_[A-Za-z0-9_-]{43}$/;
const SQLITE_TAGS = sqliteMigrations.map((m) => m.tag);
const PG_TAGS = pgMigrations.map((m) => m.tag);
const PACKAGE_VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A data dir path inside a fresh private temp dir; the data dir itself does not exist yet. */
function newDataDir(): string {
  const tmp = tempDir();
  cleanups.push(() => {
    // Tests chmod things; make sure the cleanup can always remove them.
    if (existsSync(tmp.path)) chmodSync(tmp.path, 0o700);
    tmp.cleanup();
  });
  return join(tmp.path, 'data');
}

/** `authflow init --non-interactive --json` in a new data dir; fails the test unless it succeeds. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function install(...flags: string[]): Promise<{ dataDir: string; doc: any; result: CliResult }> {
  const dataDir = newDataDir();
  const result = await runCli(['--data-dir', dataDir, 'init', '--non-interactive', '--json', ...flags]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return { dataDir, doc: result.json(), result };
}

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** Every file and folder under `dir`, with its mode and bytes. */
function snapshot(dir: string): Record<string, { mode: number; bytes?: Buffer }> {
  const out: Record<string, { mode: number; bytes?: Buffer }> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        out[`${relative(dir, p)}/`] = { mode: modeOf(p) };
        walk(p);
      } else out[relative(dir, p)] = { mode: modeOf(p), bytes: readFileSync(p) };
    }
  };
  walk(dir);
  return out;
}

/** One sentence on stderr, `authflow: …`, nothing on stdout. */
function expectHumanError(r: CliResult, code: number): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^authflow: \S.*\n$/);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

/** The `--json` error document: exactly {"error":{"code","message"}} on stderr, nothing on stdout. */
function expectJsonError(r: CliResult, exit: number, code: string): string {
  expect(r.code).toBe(exit);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  const doc = r.errorJson();
  expect(Object.keys(doc)).toEqual(['error']);
  expect(Object.keys(doc.error).sort()).toEqual(['code', 'message']);
  expect(doc.error.code).toBe(code);
  expect(typeof doc.error.message).toBe('string');
  expect(doc.error.message.length).toBeGreaterThan(0);
  expect(doc.error.message).not.toMatch(/^authflow:/);
  return doc.error.message;
}

function writeConfig(dataDir: string, text: string): string {
  const file = join(dataDir, 'authflow.yaml');
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

// ------------------------------------------------------------------ --version

describe('--version', () => {
  it.each(['--version', '-V'])('%s prints "authflow <version> (commit …, node …)" on stdout and exits 0', async (flag) => {
    const r = await runCli([flag]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`authflow ${PACKAGE_VERSION} (commit dev, node ${process.version})\n`);
  });
});

// ------------------------------------------------------------------ init

describe('init', () => {
  it('--non-interactive --json prints the install document and creates a private data dir', async () => {
    const { dataDir, doc, result } = await install(
      '--public-url', 'https://id.example.com/',
      '--admin-email', 'ops@example.com',
      '--tenant', 'acme',
      '--host', '127.0.0.1',
      '--port', '0',
    );
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['data_dir', 'config_file', 'database', 'tenant', 'signing_keys', 'admin_api_key', 'credentials_file']));
    expect(doc.data_dir).toBe(dataDir);
    expect(doc.config_file).toBe(join(dataDir, 'authflow.yaml'));
    expect(doc.database).toBe('sqlite');
    expect(doc.tenant).toMatchObject({
      slug: 'acme',
      issuer: 'https://id.example.com/t/acme',
      discovery_url: 'https://id.example.com/t/acme/.well-known/openid-configuration',
    });
    expect(typeof doc.tenant.id).toBe('string');
    expect(doc.tenant.id).not.toMatch(/^\d+$/); // docs/architecture.md: never sequential numbers on the wire
    // ID tokens RS256 by default, access tokens ES256 (docs/security.md).
    expect(doc.signing_keys.map((k: { alg: string }) => k.alg)).toEqual(expect.arrayContaining(['RS256', 'ES256']));
    const kids = doc.signing_keys.map((k: { kid: string }) => k.kid);
    for (const kid of kids) expect(kid).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    expect(new Set(kids).size).toBe(kids.length);
    expect(doc.admin_api_key).toMatch(API_KEY);
    expect(doc.credentials_file).toBe(join(dataDir, 'initial-admin-credentials.txt'));

    // One JSON document on stdout, nothing else.
    expect(result.stdout.trim().startsWith('{')).toBe(true);
    expect(result.stdout.trim().endsWith('}')).toBe(true);

    // Modes: the data dir is private, every secret-bearing file 0600.
    expect(modeOf(dataDir)).toBe(0o700);
    for (const f of ['master.key', 'authflow.yaml', 'initial-admin-credentials.txt', 'authflow.db']) expect(modeOf(join(dataDir, f)), f).toBe(0o600);
    expect(readdirSync(dataDir).filter((f) => f.startsWith('.init-'))).toEqual([]); // no staging leftovers

    // The credentials file holds the key shown once; the master key never reaches stdout.
    expect(readFileSync(doc.credentials_file, 'utf8')).toContain(doc.admin_api_key);
    const masterKey = readFileSync(join(dataDir, 'master.key'), 'utf8').trim();
    expect(masterKey.length).toBeGreaterThan(0);
    expect(result.stdout).not.toContain(masterKey);
    expect(readFileSync(join(dataDir, 'authflow.yaml'), 'utf8')).not.toContain(masterKey);

    // docs/security.md: API keys are stored only as SHA-256; neither the token nor its secret is in the database.
    const secret = doc.admin_api_key.slice(-43);
    for (const f of readdirSync(dataDir).filter((n) => n.startsWith('authflow.db'))) {
      const bytes = readFileSync(join(dataDir, f));
      expect(bytes.includes(secret), f).toBe(false);
    }

    // The config written is the one `serve` will read.
    const config = loadConfig({ dataDir, env: {} });
    expect(config).toMatchObject({ publicUrl: 'https://id.example.com', host: '127.0.0.1', port: 0, adminEmail: 'ops@example.com', database: { kind: 'sqlite', path: join(dataDir, 'authflow.db') } });
  });

  it('defaults: tenant "main" under http://localhost:8080, and a human summary without --json', async () => {
    const dataDir = newDataDir();
    const r = await runCli(['--data-dir', dataDir, 'init', '--non-interactive']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`Initialised authflow in ${dataDir}`);
    expect(r.stdout).toContain('http://localhost:8080/t/main');
    // The key goes to the 0600 file, not to a terminal's scrollback.
    expect(r.stdout).not.toMatch(/af_live_/);
    expect(readFileSync(join(dataDir, 'initial-admin-credentials.txt'), 'utf8')).toMatch(/^af_live_\S+$/m);
  });

  it('refuses to overwrite an install: exit 4, and every file stays byte-identical', async () => {
    const { dataDir } = await install();
    const before = snapshot(dataDir);
    const human = await runCli(['--data-dir', dataDir, 'init', '--non-interactive', '--tenant', 'other', '--public-url', 'https://x.example.com']);
    expectHumanError(human, 4);
    expect(human.stderr).toContain(dataDir);
    const json = await runCli(['--data-dir', dataDir, '--json', 'init', '--non-interactive']);
    expectJsonError(json, 4, 'conflict');
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('rejects an invalid tenant slug with exit 5 and leaves no data dir behind', async () => {
    const dataDir = newDataDir();
    const r = await runCli(['--data-dir', dataDir, 'init', '--non-interactive', '--tenant', 'Admin!']);
    expectHumanError(r, 5);
    expect(r.stderr).toMatch(/slug/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('rejects a reserved slug ("api") with exit 5, naming it reserved', async () => {
    const dataDir = newDataDir();
    const r = await runCli(['--data-dir', dataDir, 'init', '--non-interactive', '--tenant', 'api']);
    expectHumanError(r, 5);
    expect(r.stderr).toMatch(/"api" is reserved/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a failed init in an existing empty dir leaves it existing and empty', async () => {
    const dataDir = newDataDir();
    mkdirSync(dataDir, { mode: 0o700 });
    const r = await runCli(['--data-dir', dataDir, 'init', '--non-interactive', '--tenant', '-bad-']);
    expect(r.code).toBe(5);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('fails with exit 1 within seconds on an unreachable PostgreSQL, naming host:port but never the password, and leaves no data dir', async () => {
    const dataDir = newDataDir();
    const started = performance.now();
    const r = await runCli(['--data-dir', dataDir, '--database-url', 'postgres://u:s3cretpw@127.0.0.1:1/none', 'init', '--non-interactive']);
    expect(performance.now() - started).toBeLessThan(8000);
    expectHumanError(r, 1);
    expect(r.stderr).toContain('127.0.0.1:1');
    expect(r.stderr).not.toContain('s3cretpw');
    expect(existsSync(dataDir)).toBe(false);

    const json = await runCli(['--data-dir', dataDir, '--json', '--database-url', 'postgres://u:s3cretpw@127.0.0.1:1/none', 'init', '--non-interactive']);
    const message = expectJsonError(json, 1, 'unavailable');
    expect(message).toContain('127.0.0.1:1');
    expect(json.stderr).not.toContain('s3cretpw');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('rejects a --public-url that is not a URL with exit 5 naming the setting, leaving no data dir', async () => {
    const dataDir = newDataDir();
    const r = await runCli(['--data-dir', dataDir, 'init', '--non-interactive', '--public-url', 'notaurl']);
    expect(existsSync(dataDir)).toBe(false);
    expectHumanError(r, 5);
    expect(r.stderr).toMatch(/public[_-]url/);
  });

  it('names the bad flag, not a staging file, when --admin-email is invalid', async () => {
    const dataDir = newDataDir();
    const r = await runCli(['--data-dir', dataDir, 'init', '--non-interactive', '--admin-email', 'not-an-email']);
    expectHumanError(r, 5);
    expect(existsSync(dataDir)).toBe(false);
    expect(r.stderr).not.toContain('.init-');
    expect(r.stderr).toMatch(/admin[_-]email/);
  });

  it('never leaves an install that serve refuses: an existing 0755 dir ends up 0700 (or init refuses)', async () => {
    const dataDir = newDataDir();
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const r = await runCli(['--data-dir', dataDir, 'init', '--non-interactive']);
    if (r.code === 0) expect(modeOf(dataDir)).toBe(0o700);
    else expect(readdirSync(dataDir)).toEqual([]);
  });
});

// ------------------------------------------------------------------ db

describe('db status / db migrate', () => {
  it('on a fresh install: status is up to date (exit 0), migrate applies nothing', async () => {
    const { dataDir } = await install();
    const status = await runCli(['--data-dir', dataDir, 'db', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(status.stderr).toBe('');
    expect(status.json()).toEqual({ database: 'sqlite', up_to_date: true, applied: SQLITE_TAGS, pending: [], unknown: [] });

    const migrate = await runCli(['--json', '--data-dir', dataDir, 'db', 'migrate']);
    expect(migrate.code).toBe(0);
    expect(migrate.json()).toEqual({ database: 'sqlite', applied: [], current: SQLITE_TAGS.length, pending: 0 });

    const human = await runCli(['--data-dir', dataDir, 'db', 'status']);
    expect(human.code).toBe(0);
    for (const tag of SQLITE_TAGS) expect(human.stdout).toMatch(new RegExp(`${tag}\\s+applied`));
    expect(human.stdout).toContain('up to date');
  });

  it('on an unmigrated database: status exits 5 listing what is pending; migrate applies it all', async () => {
    const dataDir = newDataDir();
    mkdirSync(dataDir, { mode: 0o700 });
    const empty = await openDatabase({ kind: 'sqlite', path: join(dataDir, 'authflow.db') }, { create: true });
    await empty.close();

    const before = await runCli(['--data-dir', dataDir, '--json', 'db', 'status']);
    expect(before.code).toBe(5);
    expect(before.json()).toEqual({ database: 'sqlite', up_to_date: false, applied: [], pending: SQLITE_TAGS, unknown: [] });

    const migrate = await runCli(['--data-dir', dataDir, '--json', 'db', 'migrate']);
    expect(migrate.code).toBe(0);
    expect(migrate.json()).toEqual({ database: 'sqlite', applied: SQLITE_TAGS, current: SQLITE_TAGS.length, pending: 0 });

    const after = await runCli(['--data-dir', dataDir, '--json', 'db', 'status']);
    expect(after.code).toBe(0);
    expect(after.json().up_to_date).toBe(true);
  });

  it('db status on a data dir that does not exist is "not found" (exit 3) and creates nothing', async () => {
    const dataDir = newDataDir();
    const r = await runCli(['--data-dir', dataDir, 'db', 'status']);
    expect(existsSync(dataDir)).toBe(false);
    expectHumanError(r, 3);
  });
});

// ------------------------------------------------------------------ doctor

describe('doctor', () => {
  it('--json on a fresh install: ok, every check ok except the three expected warnings, no secrets', async () => {
    const { dataDir, doc } = await install();
    const r = await runCli(['--data-dir', dataDir, 'doctor', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const report = r.json();
    expect(report.ok).toBe(true);
    const names = report.checks.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(['permissions', 'config', 'master key', 'database', 'migrations', 'public url', 'clock']));
    const notOk = report.checks.filter((c: { status: string }) => c.status !== 'ok');
    expect(notOk.map((c: { name: string; status: string }) => `${c.status} ${c.name}`).sort()).toEqual(['warn credentials file', 'warn listen', 'warn public url']);
    for (const c of notOk) expect(c.fix).toBeTruthy();

    const masterKey = readFileSync(join(dataDir, 'master.key'), 'utf8').trim();
    const human = await runCli(['--data-dir', dataDir, 'doctor']);
    expect(human.code).toBe(0);
    for (const out of [r.stdout, human.stdout]) {
      expect(out).not.toContain(masterKey);
      expect(out).not.toContain(doc.admin_api_key);
    }
  });

  it('with an https public URL and the credentials file deleted, every check is ok but the one about no server answering', async () => {
    const { dataDir, doc } = await install('--public-url', 'https://id.invalid');
    rmSync(doc.credentials_file);
    const r = await runCli(['--data-dir', dataDir, 'doctor', '--json']);
    expect(r.code).toBe(0);
    expect(r.json().checks.filter((c: { status: string }) => c.status !== 'ok')).toEqual([expect.objectContaining({ name: 'listen', status: 'warn', detail: expect.stringContaining('is "authflow serve" running?') })]);
  });

  it('fails (exit 5) on a world-readable data dir and says the chmod that fixes it', async () => {
    const { dataDir } = await install();
    chmodSync(dataDir, 0o755);
    const r = await runCli(['--data-dir', dataDir, 'doctor', '--json']);
    expect(r.code).toBe(5);
    const report = r.json();
    expect(report.ok).toBe(false);
    const perm = report.checks.find((c: { name: string }) => c.name === 'permissions');
    expect(perm.status).toBe('fail');
    expect(`${perm.detail} ${perm.fix}`).toContain(`chmod 700 ${dataDir}`);

    const human = await runCli(['--data-dir', dataDir, 'doctor']);
    expect(human.code).toBe(5);
    expect(human.stdout).toContain(`chmod 700 ${dataDir}`);
  });

  it('fails (exit 5) on a master key readable by others, with chmod 600', async () => {
    const { dataDir } = await install();
    const key = join(dataDir, 'master.key');
    chmodSync(key, 0o644);
    const r = await runCli(['--data-dir', dataDir, 'doctor', '--json']);
    expect(r.code).toBe(5);
    const perm = r.json().checks.find((c: { name: string }) => c.name === 'permissions');
    expect(perm.status).toBe('fail');
    expect(perm.detail).toContain(`chmod 600 ${key}`);
  });

  it('on a data dir that does not exist, fails and creates nothing', async () => {
    const dataDir = newDataDir();
    const r = await runCli(['--data-dir', dataDir, 'doctor', '--json']);
    expect(r.code).toBe(5);
    expect(existsSync(dataDir)).toBe(false);
  });
});

// ------------------------------------------------------------------ serve (refusals only: it blocks until SIGTERM)

describe('serve refuses to start', () => {
  it('on a world-readable data dir: exit 6, naming chmod 700', async () => {
    const { dataDir } = await install();
    chmodSync(dataDir, 0o755);
    const r = await runCli(['--data-dir', dataDir, 'serve', '--port', '0']);
    expectHumanError(r, 6);
    expect(r.stderr).toContain(`chmod 700 ${dataDir}`);
  });

  it('on a master key readable by others: exit 6, naming chmod 600', async () => {
    const { dataDir } = await install();
    chmodSync(join(dataDir, 'master.key'), 0o640);
    const r = await runCli(['--data-dir', dataDir, 'serve', '--port', '0']);
    expectHumanError(r, 6);
    expect(r.stderr).toContain(`chmod 600 ${join(dataDir, 'master.key')}`);
  });

  it('without an install: exit 3, pointing at "authflow init", creating nothing', async () => {
    const dataDir = newDataDir();
    const r = await runCli(['--data-dir', dataDir, 'serve', '--port', '0']);
    expectHumanError(r, 3);
    expect(r.stderr).toContain('authflow init');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('on a bad flag value (--port abc): exit 2, naming the flag', async () => {
    const { dataDir } = await install();
    const r = await runCli(['--data-dir', dataDir, 'serve', '--port', 'abc']);
    expectHumanError(r, 2);
    expect(r.stderr).toContain('--port');
  });
});

// ------------------------------------------------------------------ usage errors

describe('usage errors (exit 2)', () => {
  it.each([
    [['serv'], 'Did you mean serve?'],
    [['db', 'stauts'], 'Did you mean status?'],
    [['--jsn', 'doctor'], 'Did you mean --json?'],
  ])('%j suggests the closest command or option', async (argv, suggestion) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(suggestion);
  });

  it('init --port abc: exit 2', async () => {
    const dataDir = newDataDir();
    const r = await runCli(['--data-dir', dataDir, 'init', '--non-interactive', '--port', 'abc']);
    expectHumanError(r, 2);
    expect(existsSync(dataDir)).toBe(false);
  });

  // Commander's own errors (unknown command/option, missing argument) too (docs/cli.md).
  it('with --json, an unknown command is reported as the JSON error document', async () => {
    const r = await runCli(['--json', 'serv']);
    expectJsonError(r, 2, 'usage');
  });
});

// ------------------------------------------------------------------ configuration errors (exit 5)

describe('configuration errors', () => {
  it('malformed authflow.yaml: exit 5 naming the file and the line', async () => {
    const { dataDir } = await install();
    const file = writeConfig(dataDir, '# authflow configuration\npublic_url: http://localhost:8080\nport: [\n');
    const r = await runCli(['--data-dir', dataDir, 'db', 'status']);
    expectHumanError(r, 5);
    expect(r.stderr).toContain(file);
    // The flow sequence opens on line 3; the parser notices at the end of the file.
    expect(r.stderr).toMatch(/ line [34]\b/);

    const doctor = await runCli(['--data-dir', dataDir, 'doctor', '--json']);
    expect(doctor.code).toBe(5);
    expect(doctor.json().checks[0]).toMatchObject({ name: 'config', status: 'fail' });
  });

  it('a bad value on line 3 (port: 99999): exit 5 naming the file, line 3 and port', async () => {
    const { dataDir } = await install();
    const file = writeConfig(dataDir, '# authflow configuration\npublic_url: http://localhost:8080\nport: 99999\n');
    const r = await runCli(['--data-dir', dataDir, 'db', 'status']);
    expectHumanError(r, 5);
    expect(r.stderr).toContain(`${file} line 3`);
    expect(r.stderr).toMatch(/\bport\b/);
  });

  it('an unknown setting: exit 5 naming it and its line', async () => {
    const { dataDir } = await install();
    writeConfig(dataDir, '# authflow configuration\npublic_url: http://localhost:8080\nprot: 8080\n');
    const r = await runCli(['--data-dir', dataDir, 'db', 'status']);
    expectHumanError(r, 5);
    expect(r.stderr).toMatch(/line 3\b.*prot/);
  });

  it('a bad environment override (AUTHFLOW_PORT=notanumber): exit 5 naming the variable', async () => {
    const { dataDir } = await install();
    const r = await runCli(['--data-dir', dataDir, 'db', 'status'], { env: { AUTHFLOW_PORT: 'notanumber' } });
    expectHumanError(r, 5);
    expect(r.stderr).toContain('AUTHFLOW_PORT');
    const serve = await runCli(['--data-dir', dataDir, 'serve'], { env: { AUTHFLOW_PORT: 'notanumber' } });
    expectHumanError(serve, 5);
    expect(serve.stderr).toContain('AUTHFLOW_PORT');
  });

  it('a public URL that is not a URL in the environment: exit 5 naming AUTHFLOW_PUBLIC_URL', async () => {
    const { dataDir } = await install();
    const r = await runCli(['--data-dir', dataDir, 'db', 'status'], { env: { AUTHFLOW_PUBLIC_URL: 'notaurl' } });
    expectHumanError(r, 5);
    expect(r.stderr).toContain('AUTHFLOW_PUBLIC_URL');
  });
});

// ------------------------------------------------------------------ --json errors

describe('--json error document', () => {
  const cases: [string, number, string, (dataDir: string) => Promise<string[]>][] = [
    ['conflict', 4, 'conflict', async (d) => (await seed(d), ['init', '--non-interactive'])],
    ['invalid slug', 5, 'validation_failed', async () => ['init', '--non-interactive', '--tenant', 'Admin!']],
    ['no install', 3, 'not_found', async () => ['serve', '--port', '0']],
    ['unsafe permissions', 6, 'not_permitted', async (d) => (await seed(d), chmodSync(d, 0o755), ['serve', '--port', '0'])],
    ['bad config file', 5, 'invalid_config', async (d) => (await seed(d), writeConfig(d, 'port: 99999\n'), ['db', 'status'])],
    ['bad flag value', 2, 'usage', async (d) => (await seed(d), ['serve', '--port', 'abc'])],
    ['unreachable database', 1, 'unavailable', async () => ['--database-url', 'postgres://u:s3cretpw@127.0.0.1:1/none', 'init', '--non-interactive']],
  ];

  async function seed(dataDir: string): Promise<void> {
    const r = await runCli(['--data-dir', dataDir, 'init', '--non-interactive', '--json']);
    expect(r.code).toBe(0);
  }

  it.each(cases)('%s: exit %i, {"error":{"code":"%s","message"}} on stderr only', async (_name, exit, code, setup) => {
    const dataDir = newDataDir();
    const argv = await setup(dataDir);
    const r = await runCli(['--json', '--data-dir', dataDir, ...argv]);
    const message = expectJsonError(r, exit, code);
    expect(message).not.toContain('s3cretpw');
  });
});

// ------------------------------------------------------------------ PostgreSQL

describe.skipIf(!PG_URL)('on PostgreSQL (AUTHFLOW_TEST_DATABASE_URL)', () => {
  async function freshDatabase(): Promise<string> {
    const db = await createPgDatabase();
    cleanups.push(() => db.drop());
    return db.url;
  }

  it('init --database-url, then db status and doctor against PostgreSQL', async () => {
    const url = await freshDatabase();
    const { dataDir, doc } = await install('--database-url', url);
    expect(doc.database).toBe('postgres');
    expect(doc.admin_api_key).toMatch(API_KEY);
    expect(existsSync(join(dataDir, 'authflow.db'))).toBe(false);
    expect(modeOf(join(dataDir, 'authflow.yaml'))).toBe(0o600);

    // No --database-url from here on: init recorded it in the config.
    const status = await runCli(['--data-dir', dataDir, '--json', 'db', 'status']);
    expect(status.code).toBe(0);
    expect(status.json()).toEqual({ database: 'postgres', up_to_date: true, applied: PG_TAGS, pending: [], unknown: [] });

    const migrate = await runCli(['--data-dir', dataDir, '--json', 'db', 'migrate']);
    expect(migrate.code).toBe(0);
    expect(migrate.json()).toEqual({ database: 'postgres', applied: [], current: PG_TAGS.length, pending: 0 });

    const doctor = await runCli(['--data-dir', dataDir, 'doctor', '--json']);
    expect(doctor.code).toBe(0);
    const report = doctor.json();
    expect(report.ok).toBe(true);
    const byName = Object.fromEntries(report.checks.map((c: { name: string }) => [c.name, c]));
    expect(byName.database).toMatchObject({ status: 'ok' });
    expect(byName.database.detail).toMatch(/^PostgreSQL /);
    expect(byName.migrations).toMatchObject({ status: 'ok' });
    expect(byName.clock.status).toBe('ok');
    expect(byName.clock.detail).toContain('database server');
  });

  it('a second init in another data dir against the same database is refused (exit 4) and leaves that dir absent', async () => {
    const url = await freshDatabase();
    const first = await install('--database-url', url);
    const before = snapshot(first.dataDir);

    const second = newDataDir();
    const r = await runCli(['--data-dir', second, '--database-url', url, 'init', '--non-interactive']);
    expectHumanError(r, 4);
    expect(existsSync(second)).toBe(false);

    const json = await runCli(['--data-dir', second, '--json', '--database-url', url, 'init', '--non-interactive']);
    expectJsonError(json, 4, 'conflict');
    expect(existsSync(second)).toBe(false);

    // The first install is untouched and still works.
    expect(snapshot(first.dataDir)).toEqual(before);
    expect((await runCli(['--data-dir', first.dataDir, 'db', 'status'])).code).toBe(0);
  });
});
