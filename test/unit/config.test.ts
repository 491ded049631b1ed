import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, databaseTarget, loadConfig, PRIVATE_NETWORKS, resolveDataDir, type Config, type RawConfig } from '../../src/config/index.ts';
import { tempDir } from '../helpers/db.ts';

let dir: { path: string; cleanup(): void };
beforeEach(() => {
  dir = tempDir('authflow-config-');
});
afterEach(() => dir.cleanup());

const writeYaml = (text: string) => writeFileSync(join(dir.path, 'authflow.yaml'), text);
const writeFile = (name: string, text: string) => {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
};
const load = (env: NodeJS.ProcessEnv = {}, flags: RawConfig = {}): Config => loadConfig({ dataDir: dir.path, env, flags });

/** The ConfigError that `fn` throws. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: defaults', () => {
  it('works with no file and no environment, and has no default secrets (docs/security.md)', () => {
    const c = load();
    expect(c).toMatchObject({
      dataDir: dir.path,
      configFile: join(dir.path, 'authflow.yaml'),
      host: '127.0.0.1',
      port: 8080,
      publicUrl: 'http://127.0.0.1:8080',
      database: { kind: 'sqlite', path: join(dir.path, 'authflow.db') },
      logLevel: 'info',
      logFormat: 'auto',
      adminEmail: undefined,
      trustedProxies: [],
      shutdownTimeoutMs: 10_000,
      workers: availableParallelism(),
      log: { access: 'errors', slowMs: 1000 },
      argon2: { memoryCost: 19456, timeCost: 2, parallelism: 1 },
    });
    expect(c.masterKey).toEqual({ text: undefined, source: join(dir.path, 'master.key') });
  });

  it('derives the public URL from host and port, bracketing IPv6', () => {
    expect(load({}, { host: '0.0.0.0', port: 9000 }).publicUrl).toBe('http://0.0.0.0:9000');
    expect(load({}, { host: '::1', port: 9000 }).publicUrl).toBe('http://[::1]:9000');
  });

  it('returns a deeply frozen object', () => {
    const c = load();
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.argon2)).toBe(true);
    expect(Object.isFrozen(c.database)).toBe(true);
    expect(Object.isFrozen(c.masterKey)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (c.argon2 as { memoryCost: number }).memoryCost = 1;
    }).toThrow(TypeError);
  });
});

describe('loadConfig: precedence flags > env > file > defaults', () => {
  it('takes each value from the highest source that sets it', () => {
    writeYaml('host: file.example\nport: 1111\nlog_level: debug\nadmin_email: file@example.com\n');
    const c = load({ AUTHFLOW_PORT: '2222', AUTHFLOW_LOG_LEVEL: 'warn' }, { log_level: 'error' });
    expect(c.host).toBe('file.example'); // file only
    expect(c.port).toBe(2222); // env over file
    expect(c.logLevel).toBe('error'); // flag over env over file
    expect(c.adminEmail).toBe('file@example.com');
    expect(c.logFormat).toBe('auto'); // default
  });

  it('ignores empty environment variables and undefined flags', () => {
    writeYaml('port: 1111\n');
    expect(load({ AUTHFLOW_PORT: '' }, { port: undefined }).port).toBe(1111);
  });

  it('reads every documented AUTHFLOW_* variable', () => {
    const c = load({
      AUTHFLOW_PUBLIC_URL: 'https://id.example.com/',
      AUTHFLOW_HOST: '0.0.0.0',
      AUTHFLOW_PORT: '8443',
      AUTHFLOW_DATABASE_URL: 'postgres://u@db.example/authflow',
      AUTHFLOW_LOG_LEVEL: 'debug',
      AUTHFLOW_LOG_FORMAT: 'json',
      AUTHFLOW_ADMIN_EMAIL: 'admin@example.com',
      AUTHFLOW_TRUST_PROXY: 'true',
      AUTHFLOW_SHUTDOWN_TIMEOUT_MS: '2500',
      AUTHFLOW_ARGON2_MEMORY_COST: '1024',
      AUTHFLOW_ARGON2_TIME_COST: '1',
      AUTHFLOW_ARGON2_PARALLELISM: '2',
    });
    expect(c).toMatchObject({
      publicUrl: 'https://id.example.com',
      host: '0.0.0.0',
      port: 8443,
      database: { kind: 'postgres', url: 'postgres://u@db.example/authflow' },
      logLevel: 'debug',
      logFormat: 'json',
      adminEmail: 'admin@example.com',
      trustedProxies: [...PRIVATE_NETWORKS],
      shutdownTimeoutMs: 2500,
      argon2: { memoryCost: 1024, timeCost: 1, parallelism: 2 },
    });
  });

  it('reads workers and the access log settings from the file, the environment and flags', () => {
    writeYaml('workers: 3\nlog:\n  access: true\n  slow_ms: 250\n');
    expect(load()).toMatchObject({ workers: 3, log: { access: 'all', slowMs: 250 } });
    expect(load({ AUTHFLOW_WORKERS: '1', AUTHFLOW_LOG_ACCESS: 'false' })).toMatchObject({ workers: 1, log: { access: 'none', slowMs: 250 } });
    expect(load({ AUTHFLOW_LOG_ACCESS: 'errors' }, { workers: 2 })).toMatchObject({ workers: 2, log: { access: 'errors', slowMs: 250 } });
  });

  it.each([
    ['workers: 0\n', 'workers'],
    ['workers: 2.5\n', 'workers'],
    ['log:\n  access: some\n', 'log.access'],
    ['log:\n  slow_ms: 0\n', 'log.slow_ms'],
    ['log:\n  level: info\n', 'log.level'],
  ])('refuses %j, naming %s', (yaml, field) => {
    writeYaml(yaml);
    expect(configError(() => load()).field).toBe(field);
  });

  it('fills argon2 settings left unset from the defaults', () => {
    expect(load({ AUTHFLOW_ARGON2_MEMORY_COST: '1024' }).argon2).toEqual({ memoryCost: 1024, timeCost: 2, parallelism: 1 });
    writeYaml('argon2:\n  time_cost: 3\n');
    expect(load().argon2).toEqual({ memoryCost: 19456, timeCost: 3, parallelism: 1 });
  });

  // docs/architecture.md swaps argon2 cost through config ("Slow parts are swapped through
  // config"): AUTHFLOW_ARGON2_* must win over the file, like every other setting.
  it('lets AUTHFLOW_ARGON2_* and flags override argon2 settings in the file', () => {
    writeYaml('argon2:\n  memory_cost: 4096\n  time_cost: 3\n');
    expect(load({ AUTHFLOW_ARGON2_MEMORY_COST: '1024' }).argon2).toEqual({ memoryCost: 1024, timeCost: 3, parallelism: 1 });
    expect(load({}, { argon2: { memory_cost: 2048 } }).argon2.memoryCost).toBe(2048);
  });

  it('reads the deprecated trust_proxy true/false from the file: true trusts loopback and private networks', () => {
    writeYaml('trust_proxy: true\n');
    expect(load().trustedProxies).toEqual(['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']);
    writeYaml('trust_proxy: false\n');
    expect(load().trustedProxies).toEqual([]);
  });

  it('reads trusted_proxies as a list in the file and comma-separated in the environment; refuses what is not a CIDR, and trust_proxy beside it', () => {
    writeYaml('trusted_proxies:\n  - 10.0.0.0/8\n  - 2001:db8::/32\n  - 192.0.2.7\n');
    expect(load().trustedProxies).toEqual(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
    expect(load({ AUTHFLOW_TRUSTED_PROXIES: '127.0.0.1, fd00::/8' }).trustedProxies).toEqual(['127.0.0.1', 'fd00::/8']);
    expect(() => load({ AUTHFLOW_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/AUTHFLOW_TRUSTED_PROXIES: trusted_proxies\.0 must be an IP address or a CIDR block/);
    writeYaml('trusted_proxies: [proxy.example.com]\n');
    expect(() => load()).toThrow(/line 1: trusted_proxies\.0: must be an IP address or a CIDR block/);
    writeYaml('trust_proxy: true\ntrusted_proxies: [10.0.0.1]\n');
    expect(() => load()).toThrow(/trust_proxy: replaced by trusted_proxies/);
  });

  // Boolean("false") is true: a naive coercion would turn proxy trust ON and make
  // X-Forwarded-For from any client believed.
  it('reads AUTHFLOW_TRUST_PROXY=false (and 0) as false', () => {
    expect(load({ AUTHFLOW_TRUST_PROXY: 'false' }).trustedProxies).toEqual([]);
    expect(load({ AUTHFLOW_TRUST_PROXY: '0' }).trustedProxies).toEqual([]);
  });
});

describe('loadConfig: secrets', () => {
  it('reads database_url from AUTHFLOW_DATABASE_URL_FILE, trimmed', () => {
    const path = writeFile('db-url', 'postgres://u:pw@db.example:5433/af\n');
    expect(load({ AUTHFLOW_DATABASE_URL_FILE: path }).database).toEqual({ kind: 'postgres', url: 'postgres://u:pw@db.example:5433/af' });
  });

  it('prefers AUTHFLOW_DATABASE_URL over its _FILE, and a flag over both', () => {
    const path = writeFile('db-url', 'postgres://from-file/af');
    expect(load({ AUTHFLOW_DATABASE_URL_FILE: path, AUTHFLOW_DATABASE_URL: 'postgres://from-env/af' }).database).toEqual({ kind: 'postgres', url: 'postgres://from-env/af' });
    expect(load({ AUTHFLOW_DATABASE_URL_FILE: path }, { database_url: 'postgres://from-flag/af' }).database).toEqual({ kind: 'postgres', url: 'postgres://from-flag/af' });
  });

  it('names the variable when a _FILE cannot be read', () => {
    const e = configError(() => load({ AUTHFLOW_DATABASE_URL_FILE: join(dir.path, 'missing') }));
    expect(e.message).toMatch(/^AUTHFLOW_DATABASE_URL_FILE: cannot read/);
    expect(e.field).toBe('AUTHFLOW_DATABASE_URL_FILE');
  });

  it('takes the master key from AUTHFLOW_MASTER_KEY, then AUTHFLOW_MASTER_KEY_FILE, then <data-dir>/master.key', () => {
    writeFile('master.key', 'dir:key\n');
    const file = writeFile('mk', ' file:key \n');
    expect(load({ AUTHFLOW_MASTER_KEY: 'env:key', AUTHFLOW_MASTER_KEY_FILE: file }).masterKey).toEqual({ text: 'env:key', source: 'AUTHFLOW_MASTER_KEY' });
    expect(load({ AUTHFLOW_MASTER_KEY_FILE: file }).masterKey).toEqual({ text: 'file:key', source: file });
    expect(load().masterKey).toEqual({ text: 'dir:key', source: join(dir.path, 'master.key') });
  });

  it('fails clearly when AUTHFLOW_MASTER_KEY_FILE is unreadable', () => {
    expect(configError(() => load({ AUTHFLOW_MASTER_KEY_FILE: join(dir.path, 'nope') })).message).toMatch(/^AUTHFLOW_MASTER_KEY_FILE: cannot read/);
  });

  it('does not accept master_key as a setting in the file (secrets stay out of the config file)', () => {
    writeYaml('master_key: abc:def\n');
    expect(configError(() => load()).message).toMatch(/line 1: master_key: unknown setting "master_key"/);
  });
});

describe('loadConfig: errors name the field and, for the file, the line', () => {
  it('a bad value in the file', () => {
    writeYaml('host: 0.0.0.0\n\nport: 99999\n');
    const e = configError(() => load());
    expect(e.message).toBe(`${join(dir.path, 'authflow.yaml')} line 3: port: must be a port number from 0 to 65535`);
    expect(e).toMatchObject({ field: 'port', file: join(dir.path, 'authflow.yaml'), line: 3 });
  });

  it('a bad nested value in the file', () => {
    writeYaml('port: 80\nargon2:\n  memory_cost: 1\n');
    const e = configError(() => load());
    expect(e.message).toMatch(/authflow\.yaml line 3: argon2\.memory_cost: /);
    expect(e).toMatchObject({ field: 'argon2.memory_cost', line: 3 });
  });

  it.each([
    ['public_url: ftp://example.com\n', 'public_url', /http/],
    ['public_url: https://example.com/?a=1\n', 'public_url', /query or fragment/],
    ['log_level: loud\n', 'log_level', /./],
    ['log_format: xml\n', 'log_format', /./],
    ['admin_email: not-an-email\n', 'admin_email', /./],
    ['database_url: mysql://x/y\n', 'database_url', /postgres:\/\/ URL or a sqlite: path/],
    ['shutdown_timeout_ms: -1\n', 'shutdown_timeout_ms', /./],
    ['host: ""\n', 'host', /./],
  ])('rejects %j', (yaml, field, message) => {
    writeYaml(`# comment\n${yaml}`);
    const e = configError(() => load());
    expect(e.field).toBe(field);
    expect(e.line).toBe(2);
    expect(e.message).toContain(`line 2: ${field}: `);
    expect(e.message).toMatch(message);
  });

  it('rejects unknown keys in the file, top level and nested, naming them and their line', () => {
    writeYaml('host: x\nprot: 8080\n');
    expect(configError(() => load()).message).toBe(`${join(dir.path, 'authflow.yaml')} line 2: prot: unknown setting "prot"`);
    writeYaml('host: x\nargon2:\n  memory: 1024\n');
    const e = configError(() => load());
    expect(e.message).toMatch(/line 3: argon2\.memory: unknown setting "memory"/);
    expect(e.line).toBe(3);
  });

  it('reports YAML syntax errors with their line', () => {
    writeYaml('host: a\nport: 1\nhost: b\n');
    const e = configError(() => load());
    expect(e.message).toMatch(/authflow\.yaml line 3: /);
    expect(e.line).toBe(3);
  });

  it('rejects a file that is not a mapping', () => {
    writeYaml('- a\n- b\n');
    expect(configError(() => load()).message).toMatch(/line 1: the file must be a mapping/);
  });

  it('accepts an empty file', () => {
    writeYaml('# nothing set yet\n');
    expect(load().port).toBe(8080);
  });

  it('a bad environment variable is named as such', () => {
    writeYaml('port: 80\n');
    const e = configError(() => load({ AUTHFLOW_PORT: 'eighty' }));
    expect(e.message).toMatch(/^AUTHFLOW_PORT: port /);
    expect(e.field).toBe('port');
    const a = configError(() => load({ AUTHFLOW_ARGON2_MEMORY_COST: '1' }));
    expect(a.message).toMatch(/^AUTHFLOW_ARGON2_\*: argon2\.memory_cost /);
  });

  it('a bad flag is named as the flag', () => {
    writeYaml('port: 80\n');
    const e = configError(() => load({}, { shutdown_timeout_ms: -5 }));
    expect(e.message).toMatch(/^--shutdown-timeout-ms: /);
    expect(e.field).toBe('shutdown_timeout_ms');
  });

  // An undefined flag is "not given" (it does not override the file), so an
  // error in the file must still point at the file and its line.
  it('blames the file, not an unset flag, for a bad value in the file', () => {
    writeYaml('port: 99999\n');
    const e = configError(() => load({}, { port: undefined }));
    expect(e.message).toMatch(/authflow\.yaml line 1: port: /);
  });
});

describe('database targets', () => {
  it('maps URLs to a dialect and resolves SQLite paths against the data dir', () => {
    expect(databaseTarget(undefined, '/data')).toEqual({ kind: 'sqlite', path: '/data/authflow.db' });
    expect(databaseTarget('postgres://h/db', '/data')).toEqual({ kind: 'postgres', url: 'postgres://h/db' });
    expect(databaseTarget('postgresql://h/db', '/data')).toEqual({ kind: 'postgres', url: 'postgresql://h/db' });
    expect(databaseTarget('sqlite:other.db', '/data')).toEqual({ kind: 'sqlite', path: '/data/other.db' });
    expect(databaseTarget('sqlite:///var/lib/af.db', '/data')).toEqual({ kind: 'sqlite', path: '/var/lib/af.db' });
    expect(databaseTarget('file:/var/lib/af.db', '/data')).toEqual({ kind: 'sqlite', path: '/var/lib/af.db' });
    expect(() => databaseTarget('sqlite:', '/data')).toThrow(ConfigError);
  });

  it('a sqlite: path in the file is relative to the data dir, not the working directory', () => {
    writeYaml('database_url: sqlite:sub/af.db\n');
    expect(loadConfig({ dataDir: dir.path, env: {}, cwd: '/' }).database).toEqual({ kind: 'sqlite', path: join(dir.path, 'sub/af.db') });
  });

  it('resolveDataDir: flag, then AUTHFLOW_DATA_DIR, then ./authflow-data', () => {
    expect(resolveDataDir('/flag', { AUTHFLOW_DATA_DIR: '/env' }, '/cwd')).toBe('/flag');
    expect(resolveDataDir(undefined, { AUTHFLOW_DATA_DIR: '/env' }, '/cwd')).toBe('/env');
    expect(resolveDataDir(undefined, {}, '/cwd')).toBe('/cwd/authflow-data');
    expect(resolveDataDir('rel', {}, '/cwd')).toBe('/cwd/rel');
    expect(loadConfig({ env: { AUTHFLOW_DATA_DIR: dir.path } }).dataDir).toBe(dir.path);
  });
});

describe('loadConfig: smtp', () => {
  const smtpFile = (lines: string) => writeYaml(`smtp:\n${lines.trim().split('\n').map((l) => `  ${l.trim()}`).join('\n')}\n`);

  it('is undefined without a host: mail stays in the outbox', () => {
    expect(load().smtp).toBeUndefined();
  });

  it('reads the file, with defaults: port 587, starttls, timeouts', () => {
    smtpFile('host: smtp.acme.test\nfrom: "Acme <no-reply@acme.test>"');
    expect(load().smtp).toEqual({ host: 'smtp.acme.test', port: 587, security: 'starttls', user: undefined, password: undefined, from: 'Acme <no-reply@acme.test>', tlsCa: undefined, connectTimeoutMs: 10_000, sendTimeoutMs: 30_000 });
  });

  it('defaults to port 465 for implicit TLS', () => {
    smtpFile('host: smtp.acme.test\nfrom: no-reply@acme.test\nsecurity: tls');
    expect(load().smtp).toMatchObject({ port: 465, security: 'tls' });
  });

  it('takes AUTHFLOW_SMTP_* over the file, field by field, and the password from AUTHFLOW_SMTP_PASSWORD_FILE', () => {
    smtpFile('host: file.acme.test\nport: 2525\nfrom: no-reply@acme.test\nuser: file-user');
    const pw = writeFile('smtp-pw', '  hunter2 hunter2\n');
    const c = load({ AUTHFLOW_SMTP_HOST: 'env.acme.test', AUTHFLOW_SMTP_USER: 'env-user', AUTHFLOW_SMTP_PASSWORD_FILE: pw, AUTHFLOW_SMTP_SEND_TIMEOUT_MS: '5000' });
    expect(c.smtp).toMatchObject({ host: 'env.acme.test', port: 2525, user: 'env-user', password: 'hunter2 hunter2', from: 'no-reply@acme.test', sendTimeoutMs: 5000 });
    expect(load({ AUTHFLOW_SMTP_PASSWORD: 'direct', AUTHFLOW_SMTP_PASSWORD_FILE: pw }).smtp?.password).toBe('direct');
  });

  it('reads smtp.password_file and smtp.tls_ca_file from the file', () => {
    const pw = writeFile('pw', 'from-file\n');
    const ca = writeFile('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    smtpFile(`host: smtp.acme.test\nfrom: no-reply@acme.test\nuser: u\npassword_file: ${pw}\ntls_ca_file: ${ca}`);
    expect(load().smtp).toMatchObject({ user: 'u', password: 'from-file', tlsCa: expect.stringContaining('BEGIN CERTIFICATE') });
  });

  it('keeps the password out of the config file (docs/security.md: no secrets in the file)', () => {
    smtpFile('host: smtp.acme.test\nfrom: no-reply@acme.test\nuser: u\npassword: inline');
    const e = configError(() => load());
    expect(e.field).toBe('smtp.password');
    expect(e.message).toContain('AUTHFLOW_SMTP_PASSWORD');
    expect(e.message).not.toContain('inline');
  });

  it('requires from when a host is set, and a host when anything else is', () => {
    smtpFile('host: smtp.acme.test');
    expect(configError(() => load()).field).toBe('smtp.from');
    writeYaml('');
    expect(configError(() => load({ AUTHFLOW_SMTP_FROM: 'no-reply@acme.test' })).field).toBe('smtp.host');
    expect(configError(() => load({ AUTHFLOW_SMTP_USER: 'u', AUTHFLOW_SMTP_PASSWORD: 'p' })).field).toBe('smtp.host');
  });

  it('requires a password with a user, and a user with a password', () => {
    const base = { AUTHFLOW_SMTP_HOST: 'smtp.acme.test', AUTHFLOW_SMTP_FROM: 'no-reply@acme.test' };
    expect(configError(() => load({ ...base, AUTHFLOW_SMTP_USER: 'u' })).field).toBe('smtp.password');
    expect(configError(() => load({ ...base, AUTHFLOW_SMTP_PASSWORD: 'p' })).field).toBe('smtp.user');
  });

  it('allows security none only for a loopback host unless allow_insecure', () => {
    const base = { AUTHFLOW_SMTP_FROM: 'no-reply@acme.test', AUTHFLOW_SMTP_SECURITY: 'none' };
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]']) expect(load({ ...base, AUTHFLOW_SMTP_HOST: host }).smtp?.security).toBe('none');
    const e = configError(() => load({ ...base, AUTHFLOW_SMTP_HOST: 'relay.acme.test' }));
    expect(e.field).toBe('smtp.security');
    expect(e.message).toContain('allow_insecure');
    expect(load({ ...base, AUTHFLOW_SMTP_HOST: 'relay.acme.test', AUTHFLOW_SMTP_ALLOW_INSECURE: 'true' }).smtp?.security).toBe('none');
  });

  it('names the field, and the variable or the file line, of a bad value', () => {
    const base = { AUTHFLOW_SMTP_HOST: 'smtp.acme.test', AUTHFLOW_SMTP_FROM: 'no-reply@acme.test' };
    const port = configError(() => load({ ...base, AUTHFLOW_SMTP_PORT: '99999' }));
    expect(port.field).toBe('smtp.port');
    expect(port.message).toMatch(/^AUTHFLOW_SMTP_PORT: smtp\.port must be a port number/);
    expect(configError(() => load({ ...base, AUTHFLOW_SMTP_SECURITY: 'ssl' })).message).toContain('must be starttls, tls or none');
    expect(configError(() => load({ ...base, AUTHFLOW_SMTP_FROM: 'not an address' })).field).toBe('smtp.from');
    smtpFile('host: smtp.acme.test\nfrom: no-reply@acme.test\nsecurity: ssl');
    const fromFile = configError(() => load());
    expect(fromFile).toMatchObject({ field: 'smtp.security', line: 4 });
    smtpFile('host: smtp.acme.test\nfrom: no-reply@acme.test\nsmarthost: x');
    expect(configError(() => load()).message).toContain('unknown setting "smarthost"');
  });

  it('names AUTHFLOW_SMTP_PASSWORD_FILE when it cannot be read', () => {
    const e = configError(() => load({ AUTHFLOW_SMTP_PASSWORD_FILE: join(dir.path, 'missing') }));
    expect(e.message).toContain('AUTHFLOW_SMTP_PASSWORD_FILE');
  });
});
