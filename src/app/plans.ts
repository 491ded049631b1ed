import { uuidv7 } from '../crypto/index.ts';
import { NotFound, ValidationFailed } from '../core/errors.ts';
import { ENTITLEMENTS, isEntitlement, isLimitName, LIMITS } from '../core/licensing/catalogue.ts';
import type { Plan } from '../core/ports.ts';
import type { Authflow } from './open.ts';

// The plan catalogue a hosting operator sells to tenants: named sets of
// entitlements and limits. A tenant on a plan gets the instance's
// entitlements narrowed by the plan (see docs/licensing.md).

export interface PlanView {
  readonly name: string;
  readonly description: string | null;
  readonly entitlements: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface PlanInput {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  readonly entitlements?: readonly string[] | undefined;
  readonly limits?: Readonly<Record<string, number | null>> | undefined;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function view(p: Plan): PlanView {
  return { name: p.name, description: p.description, entitlements: p.entitlements, limits: p.limits, created_at: new Date(p.createdAt).toISOString(), updated_at: new Date(p.updatedAt).toISOString() };
}

function checked(input: PlanInput, base?: Plan): Pick<Plan, 'name' | 'description' | 'entitlements' | 'limits'> {
  const name = input.name ?? base?.name;
  if (!name || !NAME.test(name)) throw new ValidationFailed('name', 'must be 1–63 lower-case letters, digits, "-" or "_", starting with a letter or digit');
  const entitlements = input.entitlements ?? base?.entitlements ?? [];
  for (const e of entitlements) if (!isEntitlement(e)) throw new ValidationFailed('--entitle', `${e} is not a feature; the features are ${ENTITLEMENTS.join(', ')}`);
  const limits: Record<string, number> = { ...(base?.limits ?? {}) };
  for (const [k, v] of Object.entries(input.limits ?? {})) {
    if (!isLimitName(k)) throw new ValidationFailed(k, `is not a limit; the limits are ${LIMITS.join(', ')}`);
    if (v === null) delete limits[k];
    else if (!Number.isInteger(v) || v < 0) throw new ValidationFailed(`--${k}`, 'must be a whole number, 0 or more');
    else limits[k] = v;
  }
  return { name, description: input.description === undefined ? (base?.description ?? null) : input.description, entitlements: [...new Set(entitlements)], limits };
}

async function find(af: Authflow, name: string): Promise<Plan> {
  const plan = await af.repo.plans.byName(name);
  if (!plan) throw new NotFound(`no plan "${name}" (authflow plan list shows them)`);
  return plan;
}

export async function createPlan(af: Authflow, input: PlanInput): Promise<PlanView> {
  const now = af.clock.now();
  const plan: Plan = { id: uuidv7(now), ...checked(input), createdAt: now, updatedAt: now };
  await af.repo.plans.insert(plan);
  return view(plan);
}

export async function listPlans(af: Authflow): Promise<PlanView[]> {
  return (await af.repo.plans.list()).map(view);
}

export async function showPlan(af: Authflow, name: string): Promise<PlanView & { tenants: string[] }> {
  const plan = await find(af, name);
  const tenants: string[] = [];
  for (const r of await af.repo.licenses.all()) if (r.planId === plan.id && r.tenantId) tenants.push((await af.repo.tenants.byId(r.tenantId))?.slug ?? r.tenantId);
  return { ...view(plan), tenants: tenants.sort() };
}

export async function updatePlan(af: Authflow, name: string, input: PlanInput): Promise<PlanView> {
  const base = await find(af, name);
  const plan: Plan = { ...base, ...checked(input, base), updatedAt: af.clock.now() };
  await af.repo.plans.update(plan);
  return view(plan);
}

export async function deletePlan(af: Authflow, name: string): Promise<{ deleted: string }> {
  const plan = await find(af, name);
  await af.repo.plans.delete(plan.id);
  return { deleted: plan.name };
}

/** `tenant update T --plan NAME` (or null: off any plan). The tenant's own license, if any, stays. */
export async function assignPlan(af: Authflow, tenantRef: string, name: string | null): Promise<{ tenant: string; plan: string | null }> {
  const tenant = (await af.repo.tenants.bySlug(tenantRef)) ?? (await af.repo.tenants.byId(tenantRef));
  if (!tenant) throw new NotFound(`tenant ${tenantRef} does not exist`);
  const plan = name === null ? null : await find(af, name);
  const existing = await af.repo.licenses.get(tenant.id);
  if (!plan && !existing?.token) await af.repo.licenses.remove(tenant.id);
  else await af.repo.licenses.put({ slot: tenant.id, tenantId: tenant.id, token: existing?.token ?? null, planId: plan?.id ?? null, installedAt: af.clock.now() });
  return { tenant: tenant.slug, plan: plan?.name ?? null };
}
