import type { Command } from 'commander';
import type { ApiKeyView } from '../../core/admin/index.ts';
import { actionOf, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { fields, table, text } from '../io.ts';
import { examples, listPages, morePages, pageOptions, repeatable, seconds, type PageFlags } from '../options.ts';

interface ApiKeyFlags extends PageFlags {
  name: string;
  tenant?: string;
  instance?: boolean;
  scope?: string[];
  expiresIn?: string;
  env?: string;
}

export function registerApiKey(program: Command, run: RunEnv): void {
  const apikey = program
    .command('apikey')
    .description('management API keys: bound to one tenant or instance-wide, with scopes')
    .addHelpText('after', examples(
      'authflow apikey create --name ci --tenant acme --scope clients:write --scope keys:read',
      'authflow apikey list',
      'authflow --yes apikey revoke 0197c1d2-…',
    ));

  apikey
    .command('create')
    .description('create an API key; the token is printed once (authflow keeps only its hash)')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--tenant <tenant>', 'bind the key to this tenant (default: AUTHFLOW_TENANT)')
    .option('--instance', 'an instance-admin key, not bound to a tenant')
    .option('--scope <scope>', 'tenants:read|write, clients:read|write, keys:read|write, apikeys:read|write, users:read|write, audit:read or * (repeatable; :write implies :read)', repeatable)
    .option('--expires-in <seconds>', 'lifetime in seconds (default: no expiry)')
    .option('--env <label>', 'label inside the token, af_<label>_… (default live)')
    .addHelpText('after', examples(
      'authflow apikey create --name deploy --tenant acme --scope clients:write --expires-in 2592000',
      'AUTHFLOW_API_KEY=$(authflow apikey create --name ops --instance --scope "*" --json | jq -r .token)',
    ))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as ApiKeyFlags;
      if (flags.instance && flags.tenant) throw new UsageError('pass --tenant or --instance, not both');
      const tenant = flags.instance ? undefined : (flags.tenant ?? (ctx.env.AUTHFLOW_TENANT || undefined));
      if (!flags.instance && !tenant) throw new UsageError('pass --tenant SLUG for a tenant key or --instance for an instance-admin key');
      if (!flags.scope?.length) throw new UsageError('pass at least one --scope, e.g. --scope clients:read');
      const expiresIn = seconds('--expires-in', flags.expiresIn);
      const body = { name: flags.name, ...(tenant ? { tenant } : {}), scopes: flags.scope, ...(flags.env ? { env: flags.env } : {}), ...(expiresIn === undefined ? {} : { expires_in: expiresIn }) };
      const result = await ctx.withAdmin((admin) => admin.apiKeys.create(body));
      ctx.io.result(result, () =>
        [
          `Created API key "${result.name}" (${result.tenant ? `tenant ${result.tenant}` : 'instance admin'}).`,
          apiKeyBlock(result),
          '',
          `token: ${result.token}`,
          'Store the token now: it will not be shown again (authflow keeps only its hash).',
        ].join('\n'),
      );
    }));

  pageOptions(apikey.command('list').description("list API keys (never their tokens): a tenant's, or all of them").option('--tenant <tenant>', 'only this tenant\'s keys (default: AUTHFLOW_TENANT; unset: every key)'), 'keys')
    .addHelpText('after', examples('authflow apikey list --tenant acme', 'authflow apikey list --all --json | jq -r \'.items[] | select(.revoked_at==null) | .id\''))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as ApiKeyFlags;
      const tenant = flags.tenant ?? (ctx.env.AUTHFLOW_TENANT || undefined);
      const page = await ctx.withAdmin((admin) => listPages(flags, (q) => admin.apiKeys.list(tenant, q)));
      const now = Date.now();
      ctx.io.result(page, () =>
        page.items.length
          ? table([
              ['ID', 'KEY_ID', 'NAME', 'TENANT', 'SCOPES', 'STATE', 'EXPIRES_AT', 'LAST_USED_AT'],
              ...page.items.map((k) => [k.id, k.key_id, k.name, k.tenant ?? '(instance)', k.scopes.join(','), stateOf(k, now), text(k.expires_at), text(k.last_used_at)]),
            ]) + morePages(`authflow apikey list${tenant ? ` --tenant ${tenant}` : ''}`, page)
          : 'No API keys.',
      );
    }));

  apikey
    .command('revoke')
    .description('revoke an API key at once (asks unless --yes)')
    .argument('<id>', 'the key\'s id, or the key id inside its token (af_live_<key id>_…)')
    .addHelpText('after', examples('authflow --yes apikey revoke 0197c1d2-…'))
    .action(actionOf(run, async (ctx, id) => {
      const view = await ctx.withAdmin(async (admin) => {
        await ctx.confirm(`Revoke API key ${id as string}? Anything using it loses access now.`, `revoke API key ${id as string}`);
        return admin.apiKeys.revoke(id as string);
      });
      ctx.io.result(view, () => `Revoked API key "${view.name}" (${view.id}) at ${text(view.revoked_at)}.`);
    }));
}

function stateOf(k: ApiKeyView, now: number): string {
  if (k.revoked_at) return 'revoked';
  if (k.expires_at && Date.parse(k.expires_at) <= now) return 'expired';
  return 'active';
}

function apiKeyBlock(k: ApiKeyView): string {
  return fields([
    ['id', k.id],
    ['key_id', k.key_id],
    ['name', k.name],
    ['tenant', k.tenant ?? '(instance)'],
    ['scopes', k.scopes],
    ['expires_at', k.expires_at ?? 'never'],
    ['created_at', k.created_at],
  ]);
}
