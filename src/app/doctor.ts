import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ConfigError, loadConfig, type Config } from '../config/index.ts';
import { createPasswordHasher } from '../crypto/index.ts';
import { openDatabase } from '../db/index.ts';
import { dataDirProblems } from './data-dir.ts';
import { ADMIN_CREDENTIALS_FILE } from './init.ts';
import { loadKeyRing } from './key-ring.ts';
import { createSmtpTransport } from './smtp.ts';

export interface Check {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
  /** What to do about it, when it is not ok. */
  readonly fix?: string;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** Checks an install the way an operator would, and says what to fix. Never prints secrets. */
export async function diagnose(options: { dataDir?: string; env: NodeJS.ProcessEnv; flags?: Record<string, unknown>; buildTime: number }): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);

  let config: Config;
  try {
    config = loadConfig({ dataDir: options.dataDir, env: options.env, flags: options.flags });
  } catch (e) {
    add({ name: 'config', status: 'fail', detail: (e as ConfigError).message, fix: 'correct the named setting' });
    return checks;
  }

  if (!existsSync(config.dataDir)) {
    add({ name: 'data dir', status: 'fail', detail: `${config.dataDir} does not exist`, fix: 'run "authflow init" or pass --data-dir' });
  } else {
    const problems = dataDirProblems(config.dataDir);
    add(problems.length ? { name: 'permissions', status: 'fail', detail: problems.join('; '), fix: 'apply the chmod commands above' } : { name: 'permissions', status: 'ok', detail: `${config.dataDir} and master key are private to their owner` });
  }
  add(existsSync(config.configFile) ? { name: 'config', status: 'ok', detail: config.configFile } : { name: 'config', status: 'warn', detail: `no ${config.configFile}; using environment and defaults`, fix: 'run "authflow init" to write one' });

  try {
    const ring = loadKeyRing(config);
    add({ name: 'master key', status: 'ok', detail: `${ring.ids.length} key(s) from ${config.masterKey.source}, active "${ring.activeId}"` });
  } catch (e) {
    add({ name: 'master key', status: 'fail', detail: (e as Error).message, fix: 'restore the master key from your backup, or set AUTHFLOW_MASTER_KEY_FILE' });
  }

  let dbTime: number | undefined;
  try {
    const database = await openDatabase(config.database, { connectTimeoutMs: 3000 });
    try {
      await database.ping();
      add({ name: 'database', status: 'ok', detail: config.database.kind === 'sqlite' ? `SQLite ${config.database.path}` : `PostgreSQL ${new URL(config.database.url).host}` });
      const m = await database.migrationStatus();
      if (m.unknown.length) add({ name: 'migrations', status: 'fail', detail: `the database has migrations this build does not know (${m.unknown.join(', ')})`, fix: 'upgrade authflow to the version that wrote them' });
      else if (m.pending.length) add({ name: 'migrations', status: 'fail', detail: `${m.pending.length} pending`, fix: 'run "authflow db migrate"' });
      else add({ name: 'migrations', status: 'ok', detail: `${m.applied.length} applied, none pending` });
      dbTime = await database.serverTime();
    } finally {
      await database.close();
    }
  } catch (e) {
    add({ name: 'database', status: 'fail', detail: (e as Error).message, fix: config.database.kind === 'postgres' ? 'check the database URL, that PostgreSQL runs, and that this host may connect' : 'check the path and its permissions' });
  }

  const url = new URL(config.publicUrl);
  if (url.protocol === 'https:') add({ name: 'public url', status: 'ok', detail: config.publicUrl });
  else if (LOOPBACK.test(url.hostname)) add({ name: 'public url', status: 'warn', detail: `${config.publicUrl} is plain http on loopback: fine for trying authflow, not for users`, fix: 'set public_url to the https URL users reach' });
  else add({ name: 'public url', status: 'fail', detail: `${config.publicUrl} is plain http: cookies and tokens would cross the network in clear`, fix: 'serve behind TLS and set public_url to https://…' });

  add(await answersCheck(config));

  // One password hash at the configured cost: proves the argon2 module loads and shows what a login costs.
  try {
    const hasher = createPasswordHasher(config.argon2);
    const started = performance.now();
    const encoded = await hasher.hash('authflow-doctor');
    const ms = Math.round(performance.now() - started);
    if (!(await hasher.verify(encoded, 'authflow-doctor'))) throw new Error('a fresh hash did not verify');
    const { memoryCost: m, timeCost: t, parallelism: p } = config.argon2;
    add({ name: 'password hashing', status: ms > 1000 ? 'warn' : 'ok', detail: `argon2id m=${m} t=${t} p=${p}: ${ms} ms per hash`, ...(ms > 1000 ? { fix: 'lower argon2.memory_cost/time_cost or give the machine more CPU: logins will be slow' } : {}) });
  } catch (e) {
    add({ name: 'password hashing', status: 'fail', detail: (e as Error).message, fix: 'reinstall the binary; the argon2 module did not load' });
  }

  const now = Date.now();
  if (options.buildTime && now < options.buildTime) add({ name: 'clock', status: 'fail', detail: 'the system clock is earlier than this build was made', fix: 'synchronise the clock (NTP)' });
  else if (dbTime !== undefined && Math.abs(dbTime - now) > 30_000) add({ name: 'clock', status: 'fail', detail: `the system clock is ${Math.round((now - dbTime) / 1000)} s away from the database server's`, fix: 'synchronise both clocks (NTP): tokens carry times' });
  else add({ name: 'clock', status: 'ok', detail: new Date(now).toISOString() + (dbTime !== undefined ? ' (agrees with the database server)' : '') });

  add(await smtpCheck(config));

  if (existsSync(join(config.dataDir, ADMIN_CREDENTIALS_FILE))) {
    add({ name: 'credentials file', status: 'warn', detail: `${join(config.dataDir, ADMIN_CREDENTIALS_FILE)} still holds the initial admin key`, fix: 'store the key in your secret manager, then delete the file' });
  }
  return checks;
}

/**
 * Whether the server answers at its public URL. A public URL that nothing answers on is what users and apps
 * are given (it is every tenant's issuer), so it must be the address serve is reached at.
 */
async function answersCheck(config: Config): Promise<Check> {
  const listen = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  const local = config.host === '0.0.0.0' || config.host === '::' ? `http://127.0.0.1:${config.port}` : listen;
  const url = new URL(config.publicUrl);
  const pointsElsewhere = url.protocol === 'http:' && LOOPBACK.test(url.hostname) && Number(url.port || 80) !== config.port;
  const fix = `serve listens on ${listen} (listen, host and port in ${config.configFile}): make the public URL reach it`;
  if (pointsElsewhere) return { name: 'listen', status: 'fail', detail: `public_url ${config.publicUrl} names port ${url.port || 80}, but serve listens on ${listen}`, fix };
  const [atPublic, atListen] = await Promise.all([answers(`${config.publicUrl}/healthz`), answers(`${local}/healthz`)]);
  if (atPublic) return { name: 'listen', status: 'ok', detail: `the server answers at ${config.publicUrl}` };
  if (atListen) return { name: 'listen', status: 'fail', detail: `the server answers on ${listen} but not at its public URL ${config.publicUrl}`, fix };
  return { name: 'listen', status: 'warn', detail: `nothing answers at ${config.publicUrl} (nor on ${listen}): is "authflow serve" running?`, fix: 'start it, then run doctor again to check the public URL' };
}

/** True when `url` answers 200 within two seconds. */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Connects to the SMTP server, negotiates TLS and authenticates as `serve` would (nodemailer verify: EHLO, STARTTLS, AUTH). */
async function smtpCheck(config: Config): Promise<Check> {
  const smtp = config.smtp;
  if (!smtp) return { name: 'smtp', status: 'ok', detail: 'no SMTP configured: mail stays in the outbox (read it with "authflow mail list")' };
  const where = `${smtp.host}:${smtp.port} (${smtp.security}${smtp.user ? `, as ${smtp.user}` : ''})`;
  const transport = createSmtpTransport(smtp, { maxConnections: 1 });
  try {
    await transport.verify();
    return { name: 'smtp', status: 'ok', detail: `${where} accepts connections` };
  } catch (e) {
    return { name: 'smtp', status: 'fail', detail: `${where}: ${(e as Error).message}`, fix: 'check smtp.host, smtp.port, smtp.security, the credentials and smtp.tls_ca_file' };
  } finally {
    transport.close();
  }
}
