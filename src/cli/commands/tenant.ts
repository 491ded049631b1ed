import type { Command } from 'commander';
import type { TenantView } from '../../core/admin/index.ts';
import { actionOf, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { fields, table, text } from '../io.ts';
import { withInstall } from '../local.ts';
import { examples, listPages, morePages, pageOptions, repeatable, settingsOf, type PageFlags } from '../options.ts';

interface TenantFlags {
  name?: string;
  customDomain?: string | false;
  set?: string[];
  unset?: string[];
  license?: string;
  plan?: string | false;
}

const SET_HELP = 'a tenant setting, key=value; the value is read as JSON when it parses (repeatable)';

export function registerTenant(program: Command, run: RunEnv): void {
  const tenant = program
    .command('tenant')
    .description('tenants: each is an OpenID Connect issuer with its own clients, keys, users and settings')
    .addHelpText('after', examples(
      'authflow tenant create acme --name "Acme Inc" --set access_token_ttl=300',
      'authflow tenant list --json | jq -r ".items[].slug"',
      'authflow --url https://id.example.com tenant show acme   # through the management API (AUTHFLOW_API_KEY)',
    ));

  tenant
    .command('create')
    .description('create a tenant with its first signing keys (RS256 and ES256)')
    .argument('<slug>', 'lower-case DNS label used in the issuer URL: {public_url}/t/{slug}')
    .option('--name <name>', 'display name (default: the slug)')
    .option('--custom-domain <domain>', 'serve this tenant at https://{domain} (its issuer becomes that URL)')
    .option('--set <key=value>', SET_HELP, repeatable)
    .addHelpText('after', examples(
      'authflow tenant create acme --name "Acme Inc"',
      'authflow tenant create shop --set access_token_ttl=300 --set self_registration=true \\',
      '    --set \'scopes={"orders:read":{"claims":["orders"]}}\'',
      'authflow tenant create acme --json | jq -r .discovery_url',
    ))
    .action(actionOf(run, async (ctx, slug, rawFlags) => {
      const flags = rawFlags as TenantFlags;
      const body = { slug: slug as string, name: flags.name, custom_domain: flags.customDomain || undefined, settings: settingsOf(flags.set) };
      const view = await ctx.withAdmin((admin) => admin.tenants.create(body));
      ctx.io.result(view, () => `Created tenant ${view.slug}.\n${tenantBlock(view)}`);
    }));

  pageOptions(tenant.command('list').description('list tenants (an API key bound to one tenant sees only its own)'), 'tenants')
    .addHelpText('after', examples('authflow tenant list', 'authflow tenant list --all --json'))
    .action(actionOf(run, async (ctx, rawFlags) => {
      const flags = rawFlags as PageFlags;
      const page = await ctx.withAdmin((admin) => listPages(flags, (q) => admin.tenants.list(q)));
      ctx.io.result(page, () =>
        page.items.length
          ? table([['SLUG', 'NAME', 'ISSUER', 'CREATED'], ...page.items.map((t) => [t.slug, t.name, t.issuer, text(t.created_at)])]) + morePages('authflow tenant list', page)
          : 'No tenants.',
      );
    }));

  tenant
    .command('show')
    .description("show a tenant's issuer, domain and effective settings (defaults included)")
    .argument('<tenant>', 'slug or id')
    .addHelpText('after', examples('authflow tenant show acme', 'authflow tenant show acme --json | jq .settings'))
    .action(actionOf(run, async (ctx, ref) => {
      const view = await ctx.withAdmin((admin) => admin.tenants.show(ref as string));
      ctx.io.result(view, () => tenantBlock(view));
    }));

  tenant
    .command('update')
    .description("change a tenant's name, custom domain or settings (settings not mentioned keep their values)")
    .argument('<tenant>', 'slug or id')
    .option('--name <name>', 'new display name')
    .option('--custom-domain <domain>', 'serve this tenant at https://{domain}')
    .option('--no-custom-domain', 'remove the custom domain (the issuer goes back to {public_url}/t/{slug})')
    .option('--set <key=value>', SET_HELP, repeatable)
    .option('--unset <key>', 'reset a setting to its default (repeatable)', repeatable)
    .option('--license <file>', "install a tenant license for this tenant (its entitlements are the instance's narrowed by it)")
    .option('--plan <name>', 'put the tenant on a plan (authflow plan list)')
    .option('--no-plan', 'take the tenant off its plan')
    .addHelpText('after', examples(
      'authflow tenant update acme --set access_token_ttl=900 --unset self_registration',
      'authflow tenant update acme --license acme.lic',
      'authflow tenant update acme --custom-domain id.acme.com',
      'authflow tenant update acme --no-custom-domain',
    ))
    .action(actionOf(run, async (ctx, ref, rawFlags) => {
      const flags = rawFlags as TenantFlags;
      const settings = { ...Object.fromEntries((flags.unset ?? []).map((k) => [k, null])), ...settingsOf(flags.set) };
      const body = {
        name: flags.name,
        custom_domain: flags.customDomain === false ? null : flags.customDomain,
        settings: Object.keys(settings).length ? settings : undefined,
      };
      if (flags.license !== undefined || flags.plan !== undefined) {
        const done = await withInstall(ctx, 'tenant update --license / --plan', async (af) => ({
          license: flags.license === undefined ? undefined : await (await import('../../app/licensing.ts')).tenantLicenseInstall(af, ref as string, flags.license),
          plan: flags.plan === undefined ? undefined : await (await import('../../app/plans.ts')).assignPlan(af, ref as string, flags.plan === false ? null : flags.plan),
        }));
        const said = [
          done.license ? `Installed license ${done.license.id} (plan ${done.license.plan}) for tenant ${done.license.tenant}.` : '',
          done.plan ? (done.plan.plan ? `Tenant ${done.plan.tenant} is on plan ${done.plan.plan}.` : `Tenant ${done.plan.tenant} is on no plan.`) : '',
        ].filter(Boolean).join('\n');
        if (Object.values(body).every((v) => v === undefined)) return ctx.io.result({ tenant: ref, ...(done.license ? { license: done.license } : {}), ...(done.plan ? { plan: done.plan.plan } : {}) }, said);
        ctx.io.note(said);
      }
      if (Object.values(body).every((v) => v === undefined)) throw new UsageError('nothing to update: pass --name, --custom-domain, --no-custom-domain, --set, --unset, --license or --plan');
      const view = await ctx.withAdmin((admin) => admin.tenants.update(ref as string, body));
      ctx.io.result(view, () => `Updated tenant ${view.slug}.\n${tenantBlock(view)}`);
    }));

  tenant
    .command('delete')
    .description('delete a tenant with all its clients, signing keys and API keys (asks first unless --yes)')
    .argument('<tenant>', 'slug or id')
    .addHelpText('after', examples('authflow tenant delete acme', 'authflow --yes tenant delete acme   # in scripts'))
    .action(actionOf(run, async (ctx, ref) => {
      const result = await ctx.withAdmin(async (admin) => {
        // Resolve first, so a typo is "not found" rather than a question.
        const view = await admin.tenants.show(ref as string);
        await ctx.confirm(`Delete tenant ${view.slug} (${view.issuer}) with all its clients, signing keys and API keys? This cannot be undone.`, `delete tenant ${view.slug}`);
        return admin.tenants.delete(view.id);
      });
      ctx.io.result(result, `Deleted tenant ${result.deleted} with its clients, signing keys and API keys.`);
    }));
}

function tenantBlock(t: TenantView): string {
  // Settings as --set takes them: JSON values.
  const settings = fields(Object.entries(t.settings).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as const));
  const main = fields([
    ['slug', t.slug],
    ['id', t.id],
    ['name', t.name],
    ['custom_domain', t.custom_domain],
    ['issuer', t.issuer],
    ['discovery_url', t.discovery_url],
    ['created_at', t.created_at],
    ['updated_at', t.updated_at],
  ]);
  return `${main}\nsettings:\n${settings.replace(/^/gm, '  ')}`;
}
