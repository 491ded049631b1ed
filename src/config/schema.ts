import { isIP } from 'node:net';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://id.example.com', abort: true })
  .refine((u) => URL.canParse(u) && !new URL(u).search && !new URL(u).hash, 'must not carry a query or fragment')
  .transform((u) => u.replace(/\/+$/, ''));

/** true/false from YAML, or the strings an environment variable carries. */
const flag = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'must be true or false' }).transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
]);

const port = z.coerce
  .number({ error: 'must be a port number from 0 to 65535' })
  .int('must be a port number from 0 to 65535')
  .min(0, 'must be a port number from 0 to 65535')
  .max(65535, 'must be a port number from 0 to 65535');

/** `host:port`, `[v6]:port` or `:port` (all addresses' default host, 127.0.0.1). */
export const listenAddress = z
  .string({ error: 'must be host:port, e.g. 127.0.0.1:8080' })
  .regex(/^(?:\[[0-9A-Fa-f:.]+\]|[^\s:[\]]*):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:8080')
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, 'must end in a port number from 0 to 65535')
  .transform((v) => {
    const colon = v.lastIndexOf(':');
    return { host: v.slice(0, colon).replace(/^\[|\]$/g, '') || undefined, port: Number(v.slice(colon + 1)) };
  });

const databaseUrl = z
  .string()
  .refine((u) => /^(postgres|postgresql):\/\//.test(u) || /^(sqlite|file):/.test(u), 'must be a postgres:// URL or a sqlite: path');

const ms = (max: number) => z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(1, 'must be at least 1 ms').max(max, `must be at most ${max} ms`);

/** An IPv4/IPv6 address or CIDR block (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`). */
const cidr = z.string().trim().refine((s) => {
  const [address, bits, extra] = s.split('/');
  if (extra !== undefined || !address) return false;
  const v = isIP(address);
  if (!v) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (v === 4 ? 32 : 128));
}, 'must be an IP address or a CIDR block such as 10.0.0.0/8 or fd00::/8');

/** Hosts for which plaintext SMTP (`security: none`) is acceptable without `allow_insecure`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Outgoing mail. Without `host` mail stays in the outbox (`authflow mail list`).
 * `security`: `starttls` (required, default), `tls` (implicit, port 465) or
 * `none` (loopback relays only, unless `allow_insecure`). The password never
 * comes from the config file: AUTHFLOW_SMTP_PASSWORD(_FILE) or `password_file`.
 */
const smtpSchema = z
  .strictObject({
    host: z.string().trim().min(1, 'must be a host name').optional(),
    port: z.coerce.number({ error: 'must be a port number from 1 to 65535' }).int('must be a port number from 1 to 65535').min(1, 'must be a port number from 1 to 65535').max(65535, 'must be a port number from 1 to 65535').optional(),
    security: z.enum(['starttls', 'tls', 'none'], { error: 'must be starttls, tls or none' }).default('starttls'),
    allow_insecure: flag.default(false),
    user: z.string().min(1, 'must not be empty').optional(),
    password: z.string().min(1, 'must not be empty').optional(),
    password_file: z.string().min(1, 'must be a file path').optional(),
    from: z.string().trim().regex(/^(?:[^<>@]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, 'must be an address such as no-reply@example.com or "Acme <no-reply@example.com>"').optional(),
    tls_ca_file: z.string().min(1, 'must be a file path').optional(),
    connect_timeout_ms: ms(600_000).default(10_000),
    send_timeout_ms: ms(600_000).default(30_000),
  })
  .superRefine((s, ctx) => {
    const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    if (!s.host) {
      if (s.user || s.password || s.from) issue('host', 'is required when other smtp settings are given');
      return;
    }
    if (!s.from) issue('from', 'is required when smtp.host is set (e.g. "Acme <no-reply@example.com>")');
    if (s.user && !s.password && !s.password_file) issue('password', 'is required when smtp.user is set (AUTHFLOW_SMTP_PASSWORD, AUTHFLOW_SMTP_PASSWORD_FILE or smtp.password_file)');
    if ((s.password || s.password_file) && !s.user) issue('user', 'is required when an SMTP password is set');
    if (s.security === 'none' && !s.allow_insecure && !isLoopbackHost(s.host)) issue('security', `none sends mail and the password in clear: only allowed for a loopback host unless smtp.allow_insecure is true`);
  });

/**
 * The whole configuration, as written in `<data-dir>/authflow.yaml` (snake_case),
 * set by `AUTHFLOW_<NAME>` variables, or given as flags. Secrets are never
 * defaulted; they come from the data dir, the environment or `*_FILE` paths.
 */
export const configSchema = z
  .object({
    public_url: httpUrl.optional(),
    // Where serve listens: `listen` (host:port) or host and port apart. Unset, the port follows an http public_url's.
    listen: listenAddress.optional(),
    host: z.string().min(1, 'must be a host name or address').optional(),
    port: port.optional(),
    database_url: databaseUrl.optional(),
    log_level: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    log_format: z.enum(['json', 'pretty', 'auto'], { error: 'must be json, pretty or auto' }).default('auto'),
    admin_email: z.email({ error: 'must be an email address such as ops@example.com' }).optional(),
    /** Deprecated: true trusts the loopback and private ranges (see trusted_proxies). */
    trust_proxy: flag.default(false),
    /** Proxies whose X-Forwarded-For / Forwarded headers name the client (CIDRs or addresses); a comma-separated list in the environment. */
    trusted_proxies: z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(cidr).max(100, 'must list at most 100 entries')).default([]),
    shutdown_timeout_ms: z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(0, 'must be 0 or more').max(600_000, 'must be at most 600000 (10 minutes)').default(10_000),
    // `authflow serve` processes sharing the port; 1 serves from the one process.
    workers: z.coerce.number({ error: 'must be a number of processes from 1 to 64' }).int('must be a whole number of processes').min(1, 'must be at least 1').max(64, 'must be at most 64').optional(),
    log: z
      .strictObject({
        // The access log: every request (true), none (false), or only failed (5xx) and slow ones (errors).
        access: z.union([z.boolean(), z.enum(['true', 'false', 'errors'], { error: 'must be true, false or errors' })]).transform((v) => (v === true || v === 'true' ? 'all' : v === false || v === 'false' ? 'none' : 'errors')).default('errors'),
        // A request that takes longer than this is logged under `access: errors`.
        slow_ms: ms(600_000).default(1000),
      })
      .prefault({}),
    /** An instance license read from this file (instead of `authflow license install`); re-read when it changes. */
    license_file: z.string().min(1, 'must be a file path').optional(),
    argon2: z
      .strictObject({
        memory_cost: z.coerce.number().int().min(8).max(4_194_304).default(19456),
        time_cost: z.coerce.number().int().min(1).max(100).default(2),
        parallelism: z.coerce.number().int().min(1).max(16).default(1),
      })
      .prefault({}),
    smtp: smtpSchema.prefault({}),
    /**
     * Prometheus metrics: `listen` is host:port of a listener of their own (e.g. 127.0.0.1:9464), or `main`
     * for /metrics on the main listener (only where nothing outside may reach it). Unset: not served.
     */
    metrics: z
      .strictObject({ listen: z.union([z.literal('main'), listenAddress], { error: 'must be host:port (e.g. 127.0.0.1:9464) or main' }).optional() })
      .prefault({}),
  })
  .strict();

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;

/** Keys that may be set through the environment as AUTHFLOW_<KEY> (and the secret ones as AUTHFLOW_<KEY>_FILE). */
export const ENV_KEYS = ['public_url', 'listen', 'host', 'port', 'database_url', 'log_level', 'log_format', 'admin_email', 'trust_proxy', 'trusted_proxies', 'shutdown_timeout_ms', 'workers', 'license_file'] as const;
/** `log.<key>` settable as AUTHFLOW_LOG_<KEY>. */
export const LOG_ENV_KEYS = ['access', 'slow_ms'] as const;
export const SECRET_ENV_KEYS = ['database_url', 'master_key'] as const;
/** `smtp.<key>` settable as AUTHFLOW_SMTP_<KEY>; the password also as AUTHFLOW_SMTP_PASSWORD_FILE. */
export const SMTP_ENV_KEYS = ['host', 'port', 'security', 'allow_insecure', 'user', 'password', 'from', 'tls_ca_file', 'connect_timeout_ms', 'send_timeout_ms'] as const;

/** What is wrong with one top-level setting's value, in the words start-up would use; undefined when it is fine. */
export function settingProblem(key: keyof typeof configSchema.shape, value: unknown): string | undefined {
  const parsed = configSchema.shape[key].safeParse(value);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
}
