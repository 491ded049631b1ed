import type { Command } from 'commander';
import type { KeyView } from '../../core/admin/index.ts';
import { actionOf, type RunEnv } from '../context.ts';
import { table, text } from '../io.ts';
import { examples, seconds } from '../options.ts';

const TENANT_HELP = 'tenant slug or id (default: AUTHFLOW_TENANT)';

export function registerKey(program: Command, run: RunEnv): void {
  const key = program
    .command('key')
    .description("a tenant's token signing keys: list, rotate, retire (states: next → active → retired → expired)")
    .addHelpText('after', examples('authflow key list --tenant acme', 'authflow key rotate --tenant acme --alg ES256', 'authflow --yes key retire --tenant acme 9Qw3…'));

  key
    .command('list')
    .description("list a tenant's signing keys and when each starts, stops signing and leaves the JWKS")
    .option('--tenant <tenant>', TENANT_HELP)
    .addHelpText('after', examples('authflow key list --tenant acme', 'authflow key list --tenant acme --json | jq -r \'.items[] | select(.status=="active") | .kid\''))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const tenant = ctx.tenant((rawFlags as { tenant?: string }).tenant);
      const items = await ctx.withAdmin((admin) => admin.keys.list(tenant));
      ctx.io.result({ items }, () => (items.length ? keyTable(items) : `No signing keys in tenant ${tenant}.`));
    }));

  key
    .command('rotate')
    .description('add a new key: published in the JWKS now, signing after --delay seconds, when the current key of that alg retires')
    .option('--tenant <tenant>', TENANT_HELP)
    .requiredOption('--alg <alg>', 'RS256, ES256 or EdDSA')
    .option('--delay <seconds>', "how long the new key is published before it signs (default: the tenant's key_rotation_delay; 0: now)")
    .addHelpText('after', examples('authflow key rotate --tenant acme --alg RS256', 'authflow key rotate --tenant acme --alg ES256 --delay 0   # compromised key: switch now'))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as { tenant?: string; alg: string; delay?: string };
      const tenant = ctx.tenant(flags.tenant);
      const delay = seconds('--delay', flags.delay);
      const result = await ctx.withAdmin((admin) => admin.keys.rotate(tenant, { alg: flags.alg, ...(delay === undefined ? {} : { delay }) }));
      ctx.io.result(result, () =>
        [
          `New ${result.key.alg} key ${result.key.kid}: ${result.key.status === 'active' ? 'signing now' : `published now, signing from ${result.key.activates_at}`}.`,
          result.retiring
            ? `Key ${result.retiring.kid} stops signing at ${result.retiring.retires_at} and stays published until ${result.retiring.expires_at}.`
            : `There was no ${result.key.alg} key to retire.`,
        ].join('\n'),
      );
    }));

  key
    .command('retire')
    .description('stop a key signing now (a pending key of the same alg takes over); it stays published until its tokens expire (asks unless --yes)')
    .argument('<kid>', 'the key id (one starting with "-" goes last, after "--")')
    .option('--tenant <tenant>', TENANT_HELP)
    .addHelpText('after', examples('authflow --yes key retire --tenant acme 9Qw3…', 'authflow --yes key retire --tenant acme -- -1qKw…   # a kid starting with "-"'))
    .action(actionOf(run, async (ctx, kid, rawFlags) => {
      const tenant = ctx.tenant((rawFlags as { tenant?: string }).tenant);
      const view = await ctx.withAdmin(async (admin) => {
        // An unknown kid is "not found" (from retire itself) rather than a question.
        const known = (await admin.keys.list(tenant)).some((k) => k.kid === kid);
        if (known) await ctx.confirm(`Retire signing key ${kid as string} of tenant ${tenant}? It stops signing now.`, `retire key ${kid as string}`);
        return admin.keys.retire(tenant, kid as string);
      });
      ctx.io.result(view, () => `Key ${view.kid} (${view.alg}) is ${view.status}; it stays in the JWKS until ${text(view.expires_at)}.`);
    }));
}

function keyTable(keys: readonly KeyView[]): string {
  return table([
    ['KID', 'ALG', 'STATUS', 'ACTIVATES_AT', 'RETIRES_AT', 'EXPIRES_AT'],
    ...keys.map((k) => [k.kid, k.alg, k.status, text(k.activates_at), text(k.retires_at), text(k.expires_at)]),
  ]);
}
