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

const databaseUrl = z
  .string()
  .refine((u) => /^(postgres|postgresql):\/\//.test(u) || /^(sqlite|file):/.test(u), 'must be a postgres:// URL or a sqlite: path');

/**
 * The whole configuration, as written in `<data-dir>/authflow.yaml` (snake_case),
 * set by `AUTHFLOW_<NAME>` variables, or given as flags. Secrets are never
 * defaulted; they come from the data dir, the environment or `*_FILE` paths.
 */
export const configSchema = z
  .object({
    public_url: httpUrl.optional(),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number({ error: 'must be a port number from 0 to 65535' }).int('must be a port number from 0 to 65535').min(0, 'must be a port number from 0 to 65535').max(65535, 'must be a port number from 0 to 65535').default(8080),
    database_url: databaseUrl.optional(),
    log_level: z.enum(LOG_LEVELS).default('info'),
    log_format: z.enum(['json', 'pretty', 'auto']).default('auto'),
    admin_email: z.email().optional(),
    trust_proxy: flag.default(false),
    shutdown_timeout_ms: z.coerce.number().int().min(0).max(600_000).default(10_000),
    argon2: z
      .strictObject({
        memory_cost: z.coerce.number().int().min(8).max(4_194_304).default(19456),
        time_cost: z.coerce.number().int().min(1).max(100).default(2),
        parallelism: z.coerce.number().int().min(1).max(16).default(1),
      })
      .prefault({}),
  })
  .strict();

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;

/** Keys that may be set through the environment as AUTHFLOW_<KEY> (and the secret ones as AUTHFLOW_<KEY>_FILE). */
export const ENV_KEYS = ['public_url', 'host', 'port', 'database_url', 'log_level', 'log_format', 'admin_email', 'trust_proxy', 'shutdown_timeout_ms'] as const;
export const SECRET_ENV_KEYS = ['database_url', 'master_key'] as const;
