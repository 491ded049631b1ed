import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { DatabaseTarget } from '../db/driver.ts';
import { ConfigError } from './error.ts';
import { configSchema, ENV_KEYS, LOG_ENV_KEYS, SECRET_ENV_KEYS, SMTP_ENV_KEYS, type ParsedConfig, type RawConfig } from './schema.ts';

export const CONFIG_FILE_NAME = 'authflow.yaml';
export const MASTER_KEY_FILE_NAME = 'master.key';
export const DEFAULT_DATA_DIR = 'authflow-data';

// The database the driver opens is the driver's type (a type-only import: config still runs nothing of db).
export type { DatabaseTarget };

/** The frozen, fully resolved configuration every module receives. */
export interface Config {
  readonly dataDir: string;
  readonly configFile: string;
  readonly publicUrl: string;
  readonly host: string;
  readonly port: number;
  readonly database: DatabaseTarget;
  readonly logLevel: ParsedConfig['log_level'];
  readonly logFormat: ParsedConfig['log_format'];
  readonly adminEmail: string | undefined;
  /** CIDRs of the proxies whose forwarding headers name the client (docs/abuse.md); empty: the socket's address is the client's. */
  readonly trustedProxies: readonly string[];
  /** The instance license file (absolute path), when configured. */
  readonly licenseFile: string | undefined;
  readonly shutdownTimeoutMs: number;
  /** `serve` processes sharing the port (default: one per CPU the process may use). */
  readonly workers: number;
  /** The access log: `all` requests, `none`, or `errors` (5xx answers and requests slower than `slowMs`). */
  readonly log: { readonly access: 'all' | 'none' | 'errors'; readonly slowMs: number };
  readonly argon2: { readonly memoryCost: number; readonly timeCost: number; readonly parallelism: number };
  /** Where the master key ring comes from: its text (never logged) and a description of the source. */
  readonly masterKey: { readonly text: string | undefined; readonly source: string };
  /** Outgoing mail; undefined: mail stays in the outbox. */
  readonly smtp: SmtpConfig | undefined;
  /** Where /metrics is served: its own listener, the main one, or nowhere (undefined). */
  readonly metricsListen: 'main' | { readonly host: string; readonly port: number } | undefined;
}

/** A resolved `smtp` section (the password and CA already read from their files). */
export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  /** starttls: upgrade required; tls: implicit TLS; none: plaintext (loopback or allow_insecure only). */
  readonly security: 'starttls' | 'tls' | 'none';
  readonly user: string | undefined;
  /** Never logged. */
  readonly password: string | undefined;
  /** The From header, e.g. "Acme <no-reply@acme.test>". */
  readonly from: string;
  /** PEM of extra CAs to trust (smtp.tls_ca_file), else the system store. */
  readonly tlsCa: string | undefined;
  readonly connectTimeoutMs: number;
  readonly sendTimeoutMs: number;
}

export interface LoadOptions {
  /** Values from command-line flags (highest precedence). */
  readonly flags?: RawConfig;
  readonly dataDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Resolves the data dir: flag, then AUTHFLOW_DATA_DIR, then ./authflow-data. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, flag ?? env.AUTHFLOW_DATA_DIR ?? DEFAULT_DATA_DIR);
}

/** Loads flags > env > `<data-dir>/authflow.yaml` > defaults into one frozen Config. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const dataDir = resolveDataDir(options.dataDir, env, cwd);
  const configFile = join(dataDir, CONFIG_FILE_NAME);

  const file = readConfigFile(configFile);
  const fromEnv = readEnv(env);
  const flags = stripUndefined(options.flags ?? {});
  const merged: Record<string, unknown> = { ...file.values, ...fromEnv.values, ...flags };
  // Nested settings merge per field, with the same precedence.
  const nested = [file.values.argon2, fromEnv.values.argon2, flags.argon2].filter((v) => v && typeof v === 'object' && !Array.isArray(v));
  if (nested.length) merged.argon2 = Object.assign({}, ...nested);
  const metricsNested = [file.values.metrics, fromEnv.values.metrics, (flags as Record<string, unknown>).metrics].filter((v) => v && typeof v === 'object' && !Array.isArray(v));
  if (metricsNested.length) merged.metrics = Object.assign({}, ...metricsNested);
  const logNested = [file.values.log, fromEnv.values.log, flags.log].filter((v) => v && typeof v === 'object' && !Array.isArray(v));
  if (logNested.length) merged.log = Object.assign({}, ...logNested);
  const smtpNested = [file.values.smtp, fromEnv.values.smtp, flags.smtp].filter((v) => v && typeof v === 'object' && !Array.isArray(v));
  if (smtpNested.length) merged.smtp = Object.assign({}, ...smtpNested);
  if (file.values.smtp && typeof file.values.smtp === 'object' && 'password' in file.values.smtp) {
    throw new ConfigError(`${file.path}: smtp.password: secrets stay out of the config file; use AUTHFLOW_SMTP_PASSWORD, AUTHFLOW_SMTP_PASSWORD_FILE or smtp.password_file`, 'smtp.password', file.path);
  }

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw describeIssue(parsed.error.issues[0]!, file, fromEnv.origin, flags);
  const c = parsed.data;

  const masterKey = readMasterKey(env, dataDir);
  const { host, port } = listenOf(c);
  const publicUrl = c.public_url ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return deepFreeze({
    dataDir,
    configFile,
    publicUrl,
    host,
    port,
    database: databaseTarget(c.database_url, dataDir),
    logLevel: c.log_level,
    logFormat: c.log_format,
    adminEmail: c.admin_email,
    trustedProxies: trustedProxiesOf(c),
    licenseFile: c.license_file === undefined ? undefined : resolve(dataDir, c.license_file),
    shutdownTimeoutMs: c.shutdown_timeout_ms,
    workers: c.workers ?? availableParallelism(),
    log: { access: c.log.access, slowMs: c.log.slow_ms },
    argon2: { memoryCost: c.argon2.memory_cost, timeCost: c.argon2.time_cost, parallelism: c.argon2.parallelism },
    masterKey,
    smtp: smtpConfig(c.smtp),
    metricsListen: c.metrics.listen === 'main' ? 'main' : c.metrics.listen ? { host: c.metrics.listen.host ?? DEFAULT_HOST, port: c.metrics.listen.port } : undefined,
  });
}

/** What the deprecated `trust_proxy: true` meant for existing installs: the proxy runs on this host or a private network. */
export const PRIVATE_NETWORKS = ['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'] as const;

function trustedProxiesOf(c: ParsedConfig): readonly string[] {
  if (!c.trust_proxy) return c.trusted_proxies;
  if (c.trusted_proxies.length) throw new ConfigError('trust_proxy: replaced by trusted_proxies; remove trust_proxy and list the proxies there', 'trust_proxy');
  return [...PRIVATE_NETWORKS];
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

/**
 * Where serve listens. `host`/`port` win over `listen`; without either, the
 * port is the one an http public_url names, so that the URL in the issuer is
 * the one that answers (an https URL has a TLS proxy in front, which forwards
 * to the default port).
 */
function listenOf(c: ParsedConfig): { host: string; port: number } {
  const fromUrl = c.public_url && /^http:/.test(c.public_url) && new URL(c.public_url).port ? Number(new URL(c.public_url).port) : undefined;
  return { host: c.host ?? c.listen?.host ?? DEFAULT_HOST, port: c.port ?? c.listen?.port ?? fromUrl ?? DEFAULT_PORT };
}

function smtpConfig(s: ParsedConfig['smtp']): SmtpConfig | undefined {
  if (!s.host || !s.from) return undefined;
  return {
    host: s.host,
    port: s.port ?? (s.security === 'tls' ? 465 : 587),
    security: s.security,
    user: s.user,
    password: s.password ?? (s.password_file ? readSecretFile(s.password_file, 'smtp.password_file') : undefined),
    from: s.from,
    tlsCa: s.tls_ca_file ? readSecretFile(s.tls_ca_file, 'smtp.tls_ca_file') : undefined,
    connectTimeoutMs: s.connect_timeout_ms,
    sendTimeoutMs: s.send_timeout_ms,
  };
}

export function databaseTarget(url: string | undefined, dataDir: string): DatabaseTarget {
  if (!url) return { kind: 'sqlite', path: join(dataDir, 'authflow.db') };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  const path = url.replace(/^(sqlite|file):(\/\/)?/, '');
  if (!path) throw new ConfigError('database_url: a sqlite: URL needs a file path', 'database_url');
  return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(dataDir, path) };
}

interface FileValues {
  readonly values: Record<string, unknown>;
  readonly doc?: Document;
  readonly lines?: LineCounter;
  readonly path: string;
}

function readConfigFile(path: string): FileValues {
  if (!existsSync(path)) return { values: {}, path };
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(path, 'utf8'), { lineCounter: lines, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lines.linePos(yamlError.pos[0]).line;
    throw new ConfigError(`${path} line ${line}: ${yamlError.message.split('\n')[0]}`, undefined, path, line);
  }
  const values: unknown = doc.toJS() ?? {};
  if (typeof values !== 'object' || Array.isArray(values)) throw new ConfigError(`${path} line 1: the file must be a mapping of settings`, undefined, path, 1);
  return { values: values as Record<string, unknown>, doc, lines, path };
}

function readEnv(env: NodeJS.ProcessEnv): { values: Record<string, unknown>; origin: Map<string, string> } {
  const values: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  for (const key of ENV_KEYS) {
    const name = `AUTHFLOW_${key.toUpperCase()}`;
    const value = env[name];
    if (value !== undefined && value !== '') {
      values[key] = value;
      origin.set(key, name);
    }
  }
  for (const key of SECRET_ENV_KEYS) {
    if (key === 'master_key') continue;
    const name = `AUTHFLOW_${key.toUpperCase()}_FILE`;
    const path = env[name];
    if (path && values[key] === undefined) {
      values[key] = readSecretFile(path, name);
      origin.set(key, name);
    }
  }
  const argon2: Record<string, string> = {};
  for (const k of ['memory_cost', 'time_cost', 'parallelism']) {
    const v = env[`AUTHFLOW_ARGON2_${k.toUpperCase()}`];
    if (v) argon2[k] = v;
  }
  if (Object.keys(argon2).length) {
    values.argon2 = argon2;
    origin.set('argon2', 'AUTHFLOW_ARGON2_*');
  }
  const log: Record<string, string> = {};
  for (const k of LOG_ENV_KEYS) {
    const name = `AUTHFLOW_LOG_${k.toUpperCase()}`;
    const v = env[name];
    if (v) {
      log[k] = v;
      origin.set(`log.${k}`, name);
    }
  }
  if (Object.keys(log).length) values.log = log;
  const smtp: Record<string, string> = {};
  for (const k of SMTP_ENV_KEYS) {
    const name = `AUTHFLOW_SMTP_${k.toUpperCase()}`;
    const v = env[name];
    if (v) {
      smtp[k] = v;
      origin.set(`smtp.${k}`, name);
    }
  }
  if (!smtp.password && env.AUTHFLOW_SMTP_PASSWORD_FILE) {
    smtp.password = readSecretFile(env.AUTHFLOW_SMTP_PASSWORD_FILE, 'AUTHFLOW_SMTP_PASSWORD_FILE');
    origin.set('smtp.password', 'AUTHFLOW_SMTP_PASSWORD_FILE');
  }
  if (Object.keys(smtp).length) values.smtp = smtp;
  if (env.AUTHFLOW_METRICS_LISTEN) {
    values.metrics = { listen: env.AUTHFLOW_METRICS_LISTEN };
    origin.set('metrics.listen', 'AUTHFLOW_METRICS_LISTEN');
  }
  return { values, origin };
}

function readSecretFile(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    throw new ConfigError(`${name}: cannot read the file ${path}`, name);
  }
}

function readMasterKey(env: NodeJS.ProcessEnv, dataDir: string): Config['masterKey'] {
  if (env.AUTHFLOW_MASTER_KEY) return { text: env.AUTHFLOW_MASTER_KEY, source: 'AUTHFLOW_MASTER_KEY' };
  if (env.AUTHFLOW_MASTER_KEY_FILE) {
    return { text: readSecretFile(env.AUTHFLOW_MASTER_KEY_FILE, 'AUTHFLOW_MASTER_KEY_FILE'), source: env.AUTHFLOW_MASTER_KEY_FILE };
  }
  const path = join(dataDir, MASTER_KEY_FILE_NAME);
  return { text: existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined, source: path };
}

function describeIssue(issue: z.core.$ZodIssue, file: FileValues, envOrigin: Map<string, string>, flags: Partial<RawConfig>): ConfigError {
  const path = issue.path.map(String);
  const message = issue.code === 'unrecognized_keys' ? `unknown setting "${issue.keys.join('", "')}"` : issue.message;
  const fullField = issue.code === 'unrecognized_keys' && issue.keys[0] ? [...path, issue.keys[0]] : path;
  const field = fullField.join('.') || '(root)';
  const top = fullField[0];
  if (top && top in (flags as object)) return new ConfigError(`--${top.replaceAll('_', '-')}: ${message}`, field);
  if (envOrigin.has(field)) return new ConfigError(`${envOrigin.get(field)}: ${field} ${message}`, field);
  if (top && envOrigin.has(top)) return new ConfigError(`${envOrigin.get(top)}: ${field} ${message}`, field);
  if (file.doc && file.lines && (!top || file.doc.hasIn([top]))) {
    const node = file.doc.getIn(fullField, true) as { range?: [number, number, number] } | undefined;
    const pair = node?.range ? node.range[0] : findKeyOffset(file.doc, fullField);
    const line = pair !== undefined ? file.lines.linePos(pair).line : undefined;
    const where = line ? `${file.path} line ${line}` : file.path;
    return new ConfigError(`${where}: ${fullField.join('.')}: ${message}`, field, file.path, line);
  }
  return new ConfigError(`${field}: ${message}`, field);
}

function findKeyOffset(doc: Document, path: string[]): number | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const items = (parent as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | null)?.items;
  return items?.find((p) => p.key?.value === path.at(-1))?.key?.range?.[0];
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
