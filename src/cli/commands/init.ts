import { Option, type Command } from 'commander';
import type { InitAnswers, InitResult } from '../../app/index.ts';
import { actionOf, type CommandContext, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { promptStreams } from '../io.ts';

interface InitFlags {
  nonInteractive?: boolean;
  publicUrl?: string;
  adminEmail?: string;
  tenant?: string;
  host?: string;
  port?: string;
}

export const DEFAULT_TENANT_SLUG = 'main';

export function registerInit(program: Command, run: RunEnv): void {
  program
    .command('init')
    .description('create a new install: data dir, config, master key, database, first tenant and its signing keys')
    .option('--non-interactive', 'take every answer from flags and defaults; never prompt')
    .option('--public-url <url>', 'URL users and apps reach this server at (default http://localhost:8080)')
    .option('--admin-email <email>', "the instance administrator's email")
    .option('--tenant <slug>', `first tenant's slug (default "${DEFAULT_TENANT_SLUG}")`)
    .option('--host <host>', 'address serve listens on (default 127.0.0.1)')
    .addOption(new Option('--port <port>', 'port serve listens on (default 8080)'))
    .addHelpText('after', '\nExample:\n  authflow init --non-interactive --public-url https://id.example.com --admin-email ops@example.com\n')
    .action(actionOf(run, async (ctx, flags) => {
      const answers = await collectAnswers(ctx, flags as InitFlags);
      const result = await runInit(ctx, answers);
      ctx.io.result(initJson(result), () => initSummary(result));
    }));
}

/** Runs init and returns its result; also used by `serve --init`. */
export async function runInit(_ctx: CommandContext, answers: InitAnswers): Promise<InitResult> {
  const { initialize } = await import('../../app/index.ts');
  return initialize(answers);
}

export async function collectAnswers(ctx: CommandContext, flags: InitFlags): Promise<InitAnswers> {
  const { resolveDataDir } = await import('../../config/index.ts');
  const dataDir = resolveDataDir(ctx.globals.dataDir, ctx.env);
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port must be a number from 0 to 65535, not "${flags.port}"`);
  const defaults = {
    publicUrl: flags.publicUrl ?? ctx.env.AUTHFLOW_PUBLIC_URL ?? `http://localhost:${port ?? 8080}`,
    adminEmail: flags.adminEmail ?? ctx.env.AUTHFLOW_ADMIN_EMAIL,
    tenantSlug: flags.tenant ?? DEFAULT_TENANT_SLUG,
    databaseUrl: ctx.globals.databaseUrl ?? ctx.env.AUTHFLOW_DATABASE_URL,
  };
  const interactive = !flags.nonInteractive && ctx.io.stdinIsTTY && !ctx.io.json;
  const base = { dataDir, host: flags.host, port };
  if (!interactive) return { ...base, ...defaults };

  // Each answer is checked as it is typed, by the rules init applies later, so nothing is asked twice.
  const { input, select } = await import('@inquirer/prompts');
  const { settingProblem } = await import('../../config/index.ts');
  const { slugProblem } = await import('../../core/tenants/tenant.ts');
  // A fresh pair per prompt: the prompt library ends its output when it is done.
  const prompts = () => promptStreams(ctx);
  const publicUrl = await input({ message: 'Public URL of this server', default: defaults.publicUrl, validate: (v) => settingProblem('public_url', v) ?? true }, prompts());
  const adminEmail = await input({ message: "Administrator's email (optional)", default: defaults.adminEmail, validate: (v) => (v === '' || !settingProblem('admin_email', v) ? true : 'an email address such as ops@example.com, or nothing') }, prompts());
  const tenantSlug = await input({ message: 'First tenant slug', default: defaults.tenantSlug, validate: (v) => slugProblem(v) ?? true }, prompts());
  const kind = await select(
    {
      message: 'Database',
      choices: [
        { name: `Embedded SQLite (${dataDir}/authflow.db)`, value: 'sqlite' },
        { name: 'PostgreSQL', value: 'postgres' },
      ],
      default: defaults.databaseUrl ? 'postgres' : 'sqlite',
    },
    prompts(),
  );
  const databaseUrl = kind === 'postgres' ? await input({ message: 'PostgreSQL URL', default: defaults.databaseUrl, validate: (v) => (/^postgres(ql)?:\/\/[^/\s]+/.test(v) ? true : 'a URL such as postgres://user:password@host:5432/db') }, prompts()) : undefined;
  return { ...base, publicUrl, adminEmail: adminEmail || undefined, tenantSlug, databaseUrl };
}

export function initJson(r: InitResult) {
  return {
    data_dir: r.dataDir,
    config_file: r.configFile,
    database: r.database,
    tenant: r.tenant,
    signing_keys: r.signingKeys,
    admin_api_key: r.adminApiKey,
    credentials_file: r.credentialsFile,
  };
}

export function initSummary(r: InitResult): string {
  return [
    `Initialised authflow in ${r.dataDir} (${r.database === 'sqlite' ? 'embedded SQLite' : 'PostgreSQL'}).`,
    `  first tenant   ${r.tenant.slug}`,
    `  issuer         ${r.tenant.issuer}`,
    `  discovery      ${r.tenant.discovery_url}`,
    `  signing keys   ${r.signingKeys.map((k) => `${k.alg} ${k.kid}`).join(', ')}`,
    `  admin API key  written once to ${r.credentialsFile} (mode 0600): store it, then delete the file`,
    '',
    `Next: authflow serve --data-dir ${r.dataDir}`,
  ].join('\n');
}
