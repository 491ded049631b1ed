import type { Command } from 'commander';
import type { Authflow } from '../../app/index.ts';
import type * as Plans from '../../app/plans.ts';
import type { PlanInput, PlanView } from '../../app/plans.ts';
import { actionOf, type CommandContext, type RunEnv } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { fields, table } from '../io.ts';
import { withInstall } from '../local.ts';
import { examples, repeatable } from '../options.ts';

interface PlanFlags {
  description?: string;
  entitle?: string[];
  mau?: string;
  tenants?: string;
  clients?: string;
  unset?: string[];
}

function count(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

function inputOf(f: PlanFlags, name?: string): PlanInput {
  const limits: Record<string, number | null> = {};
  for (const k of ['mau', 'tenants', 'clients'] as const) {
    const v = count(`--${k}`, f[k]);
    if (v !== undefined) limits[k] = v;
  }
  for (const k of f.unset ?? []) limits[k] = null;
  return { name, description: f.description, entitlements: f.entitle, limits };
}

function planOptions(cmd: Command): Command {
  return cmd
    .option('--description <text>', 'what the plan is, for operators')
    .option('--entitle <feature>', 'a feature of the plan (repeatable; replaces the list on update)', repeatable)
    .option('--mau <n>', "monthly active users per tenant on the plan")
    .option('--clients <n>', 'clients (a tenant limit)')
    .option('--tenants <n>', 'kept for symmetry with licenses; a plan applies to one tenant');
}

function planBlock(p: PlanView & { tenants?: string[] }): string {
  return fields([
    ['name', p.name],
    ['description', p.description],
    ['entitlements', p.entitlements.join(', ') || 'none'],
    ['limits', Object.entries(p.limits).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'],
    ...(p.tenants ? [['tenants', p.tenants.join(', ') || 'none'] as const] : []),
    ['created_at', p.created_at],
    ['updated_at', p.updated_at],
  ]);
}

export function registerPlan(program: Command, run: RunEnv): void {
  const plan = program
    .command('plan')
    .description("plans: the tiers a hosting operator sells to tenants (a tenant's entitlements are the instance's ∩ its plan's)")
    .addHelpText('after', examples('authflow plan create pro --entitle branding --mau 5000', 'authflow tenant update acme --plan pro', 'authflow plan list'));
  const local = <T>(ctx: CommandContext, what: string, fn: (m: typeof Plans, af: Authflow) => Promise<T>) => withInstall(ctx, what, async (af) => fn(await import('../../app/plans.ts'), af));

  planOptions(plan.command('create').description('define a plan').argument('<name>', 'lower-case name, e.g. pro')).action(
    actionOf(run, async (ctx, name, f) => {
      const v = await local(ctx, 'plan create', (m, af) => m.createPlan(af, inputOf(f as PlanFlags, name as string)));
      ctx.io.result(v, () => `Created plan ${v.name}.\n${planBlock(v)}`);
    }),
  );
  plan.command('list').description('list plans').action(
    actionOf(run, async (ctx) => {
      const items = await local(ctx, 'plan list', (m, af) => m.listPlans(af));
      ctx.io.result({ items }, () => (items.length ? table([['NAME', 'ENTITLEMENTS', 'LIMITS'], ...items.map((p) => [p.name, p.entitlements.join(',') || '-', Object.entries(p.limits).map(([k, v]) => `${k}=${v}`).join(',') || '-'])]) : 'No plans.'));
    }),
  );
  plan.command('show').description('show a plan and the tenants on it').argument('<name>').action(
    actionOf(run, async (ctx, name) => {
      const v = await local(ctx, 'plan show', (m, af) => m.showPlan(af, name as string));
      ctx.io.result(v, () => planBlock(v));
    }),
  );
  planOptions(plan.command('update').description('change a plan (tenants on it get the change within seconds)').argument('<name>'))
    .option('--unset <limit>', 'remove a limit (repeatable)', repeatable)
    .action(
      actionOf(run, async (ctx, name, f) => {
        const v = await local(ctx, 'plan update', (m, af) => m.updatePlan(af, name as string, inputOf(f as PlanFlags)));
        ctx.io.result(v, () => `Updated plan ${v.name}.\n${planBlock(v)}`);
      }),
    );
  plan.command('delete').description('delete a plan no tenant is on (asks first unless --yes)').argument('<name>').action(
    actionOf(run, async (ctx, name) => {
      const r = await local(ctx, 'plan delete', async (m, af) => {
        await ctx.confirm(`Delete plan ${name as string}?`, `delete plan ${name as string}`);
        return m.deletePlan(af, name as string);
      });
      ctx.io.result(r, `Deleted plan ${r.deleted}.`);
    }),
  );
}
