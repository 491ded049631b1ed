import { randomString } from '../../crypto/index.ts';
import type { Clock } from '../clock.ts';
import { LicenseLimit, LicenseRequired } from '../errors.ts';
import type { Plan, Stores } from '../ports.ts';
import { COMMUNITY, type Entitlement, type LimitName, type Limits } from './catalogue.ts';
import { LicenseInvalid, phaseOf, readLicense, type License, type LicensePhase } from './license.ts';

export type LicensingStores = Pick<Stores, 'licenses' | 'instanceState' | 'plans'>;

/** The slot of the instance license in the licenses table. */
export const INSTANCE_SLOT = 'instance';
const INSTANCE_ID_KEY = 'instance_id';
const CLOCK_KEY = 'license_clock';
/** The clock watermark is written at most this often. */
const WATERMARK_EVERY_MS = 3_600_000;
/** A clock this far behind the watermark has moved backwards. */
const CLOCK_SLACK_MS = 300_000;

/** One license as loaded, with where it came from and, when unusable, why. */
export interface LoadedLicense {
  readonly license: License | undefined;
  readonly source: 'file' | 'database';
  readonly problem: string | undefined;
}

/** What is installed: the instance license (file or database) and each tenant's own. */
export interface LicenseState {
  readonly instance: LoadedLicense | undefined;
  /** By tenant id. */
  readonly tenants: ReadonlyMap<string, LoadedLicense>;
  /** The plan each tenant is on, by tenant id (operator-defined, see `authflow plan`). */
  readonly plans: ReadonlyMap<string, Plan>;
  /** Set when the clock moved backwards past the last license check. */
  readonly clockProblem: string | undefined;
}

/** What is in force now, for the instance or one tenant. */
export interface Effective {
  readonly plan: string;
  readonly licenseId: string | undefined;
  readonly phase: LicensePhase | 'none';
  readonly entitlements: ReadonlySet<Entitlement>;
  readonly limits: Limits;
}

/** The instance's id (created on first use): licenses may be bound to it, usage reports carry it. */
export async function instanceIdOf(stores: Pick<Stores, 'instanceState'>, clock: Clock): Promise<string> {
  const stored = await stores.instanceState.get(INSTANCE_ID_KEY);
  if (typeof stored === 'string') return stored;
  return String(await stores.instanceState.putIfAbsent(INSTANCE_ID_KEY, `inst_${randomString(16)}`, clock.now()));
}

async function load(token: string | null, source: LoadedLicense['source']): Promise<LoadedLicense> {
  if (!token) return { license: undefined, source, problem: undefined };
  try {
    return { license: await readLicense(token), source, problem: undefined };
  } catch (e) {
    if (e instanceof LicenseInvalid) return { license: undefined, source, problem: e.message };
    throw e;
  }
}

/**
 * Reads what is installed. `fileText` is the configured license file's text
 * (license_file / AUTHFLOW_LICENSE_FILE): when given it is the instance license.
 */
export async function loadLicenseState(stores: LicensingStores, clock: Clock, fileText?: string | { error: string }): Promise<LicenseState> {
  const rows = await stores.licenses.all();
  const tenants = new Map<string, LoadedLicense>();
  const plans = new Map<string, Plan>();
  const catalogue = rows.some((r) => r.planId) ? new Map((await stores.plans.list()).map((p) => [p.id, p])) : new Map<string, Plan>();
  for (const r of rows) {
    if (r.slot === INSTANCE_SLOT || !r.tenantId) continue;
    if (r.token) tenants.set(r.tenantId, await load(r.token, 'database'));
    const plan = r.planId ? catalogue.get(r.planId) : undefined;
    if (plan) plans.set(r.tenantId, plan);
  }
  const row = rows.find((r) => r.slot === INSTANCE_SLOT);
  let instance = row ? await load(row.token, 'database') : undefined;
  if (fileText !== undefined) {
    const fromFile = typeof fileText === 'string' ? await load(fileText, 'file') : { license: undefined, source: 'file' as const, problem: fileText.error };
    if (fromFile.license || !instance?.license) instance = fromFile;
  }
  return { instance, tenants, plans, clockProblem: await checkClock(stores, clock) };
}

/** Clock sanity: remembers the latest time seen and reports a clock that went back before it. */
async function checkClock(stores: LicensingStores, clock: Clock): Promise<string | undefined> {
  const now = clock.now();
  const seen = await stores.instanceState.get(CLOCK_KEY);
  const last = typeof seen === 'number' ? seen : 0;
  if (last - now > CLOCK_SLACK_MS) return `the system clock (${new Date(now).toISOString()}) is behind the last license check (${new Date(last).toISOString()}): it moved backwards`;
  if (now - last >= WATERMARK_EVERY_MS) await stores.instanceState.put(CLOCK_KEY, now, now);
  return undefined;
}

function inForce(loaded: LoadedLicense | undefined, now: number): License | undefined {
  const l = loaded?.license;
  if (!l) return undefined;
  const phase = phaseOf(l, now);
  return phase === 'valid' || phase === 'grace' ? l : undefined;
}

/** The instance's entitlements and limits: the license in force (valid or in grace), else the community ones. */
export function effectiveInstance(state: LicenseState, now: number): Effective {
  const l = inForce(state.instance, now);
  if (!l) return { plan: COMMUNITY.plan, licenseId: undefined, phase: state.instance?.license ? phaseOf(state.instance.license, now) : 'none', entitlements: new Set(COMMUNITY.entitlements), limits: COMMUNITY.limits };
  return { plan: l.plan, licenseId: l.id, phase: phaseOf(l, now), entitlements: new Set(l.entitlements), limits: l.limits };
}

/**
 * A tenant's entitlements: the instance's, narrowed by the tenant's own
 * license when it has one (instance ∩ tenant; community once it is past
 * grace) and by its plan (∩ plan). Its limits are the tenant license's and
 * the plan's (the lower of the two); the instance limits apply to the whole
 * instance besides.
 */
export function effectiveTenant(state: LicenseState, now: number, tenantId: string): Effective {
  const instance = effectiveInstance(state, now);
  const own = state.tenants.get(tenantId);
  const plan = state.plans.get(tenantId);
  if (!own && !plan) return { ...instance, limits: {} };
  let result: Effective = { ...instance, limits: {} };
  if (own) {
    const l = inForce(own, now);
    result = l
      ? { plan: l.plan, licenseId: l.id, phase: phaseOf(l, now), entitlements: narrow(instance.entitlements, l.entitlements), limits: l.limits }
      : { plan: COMMUNITY.plan, licenseId: undefined, phase: own.license ? phaseOf(own.license, now) : 'none', entitlements: narrow(instance.entitlements, COMMUNITY.entitlements), limits: COMMUNITY.limits };
  }
  if (plan) {
    const limits: Record<string, number> = { ...result.limits };
    for (const [k, v] of Object.entries(plan.limits)) limits[k] = Math.min(v, limits[k] ?? Infinity);
    result = { ...result, plan: plan.name, entitlements: narrow(result.entitlements, plan.entitlements as Entitlement[]), limits: limits as Limits };
  }
  return result;
}

function narrow(from: ReadonlySet<Entitlement>, to: readonly Entitlement[]): Set<Entitlement> {
  return new Set([...from].filter((e) => to.includes(e)));
}

/** Throws LicenseRequired unless `feature` is granted (to the tenant, when given). */
export function requireEntitlement(state: LicenseState, now: number, feature: Entitlement, tenantId?: string): void {
  const effective = tenantId ? effectiveTenant(state, now, tenantId) : effectiveInstance(state, now);
  if (!effective.entitlements.has(feature)) throw new LicenseRequired(feature);
}

/** Throws LicenseLimit when creating one more would exceed `limit` (`current` = how many exist now). */
export function requireWithinLimit(effective: Effective, limit: LimitName, current: number): void {
  const max = effective.limits[limit];
  if (max !== undefined && current + 1 > max) throw new LicenseLimit(limit, max);
}
