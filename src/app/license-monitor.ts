import { recordAudit } from '../core/audit/record.ts';
import { DEFAULT_GRACE_DAYS, THRESHOLDS } from '../core/licensing/catalogue.ts';
import { effectiveInstance, effectiveTenant, loadLicenseState, type LicenseState } from '../core/licensing/licensing.ts';
import { monthOf } from '../core/usage/calendar.ts';
import type { AdmissionGate } from '../core/usage/activity.ts';
import { randomString } from '../crypto/index.ts';
import { licenseFileOf } from './licensing.ts';
import type { Authflow } from './open.ts';

const DAY = 86_400_000;

/**
 * The running server's view of its license and usage, in memory: reloaded
 * when the change feed says a license was installed (here or by another
 * process) and every few seconds (the license file, the clock), with monthly
 * active users re-counted from the database now and then and bumped locally
 * in between. Sign-ins ask `gate` without any I/O.
 */
export interface LicenseMonitor {
  state(): LicenseState;
  /** True when new users of the tenant must be refused (MAU over the limit past grace). */
  readonly gate: AdmissionGate;
  /** A user counted for the first time this month (by this process). */
  counted(tenantId: string, month: string): void;
  mau(): ReadonlyArray<{ tenant: string; value: number }>;
  limits(): ReadonlyArray<{ limit: string; max: number; share: number }>;
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export interface MonitorTuning {
  /** How often the license (and its file) is re-read. */
  readonly licenseMs?: number;
  /** How often monthly active users are re-counted from the database. */
  readonly countMs?: number;
}

/** Starts the monitor; `refresh()` resolves once the license and the counts are loaded (the first load starts at once). */
export function startLicenseMonitor(af: Authflow, tuning: MonitorTuning = {}): LicenseMonitor {
  const nonce = randomString(8);
  let state: LicenseState = { instance: undefined, tenants: new Map(), plans: new Map(), clockProblem: undefined };
  let month = monthOf(af.clock.now());
  let counts = new Map<string, number>();
  const slugs = new Map<string, string>();
  /** When a limit was first seen exceeded this month, by scope (`instance` or a tenant id). */
  const overSince = new Map<string, number>();

  const total = () => [...counts.values()].reduce((a, b) => a + b, 0);

  async function recount(): Promise<void> {
    month = monthOf(af.clock.now());
    const rows = await af.repo.usage.activeByTenant(month);
    counts = new Map(rows.map((r) => [r.tenantId, r.count]));
    for (const id of counts.keys()) if (!slugs.has(id)) slugs.set(id, (await af.repo.tenants.byId(id))?.slug ?? id);
    await checkLimits();
  }

  /** Starts grace when a limit is first exceeded (shared by every server) and sends each threshold notice once. */
  async function checkLimits(): Promise<void> {
    const now = af.clock.now();
    const instance = effectiveInstance(state, now);
    const scopes: Array<{ scope: string; used: number; max: number | undefined; licenseId: string | undefined }> = [{ scope: 'instance', used: total(), max: instance.limits.mau, licenseId: instance.licenseId }];
    for (const tenantId of new Set([...state.tenants.keys(), ...state.plans.keys()])) {
      const e = effectiveTenant(state, now, tenantId);
      scopes.push({ scope: tenantId, used: counts.get(tenantId) ?? 0, max: e.limits.mau, licenseId: e.licenseId });
    }
    for (const s of scopes) {
      if (s.max === undefined) continue;
      if (s.used > s.max && !overSince.has(s.scope) && (await countedInDatabase(s.scope)) > s.max) {
        const since = await af.repo.instanceState.putIfAbsent(`mau_over:${month}:${s.scope}`, now, now);
        overSince.set(s.scope, typeof since === 'number' ? since : now);
      }
      for (const t of THRESHOLDS) if (s.max > 0 && s.used >= t * s.max) await notice(s.scope, s.licenseId ?? 'community', t, s.used, s.max);
    }
  }

  /**
   * The database's count for a scope: the in-memory one can run one ahead while a
   * recount races a sign-in's own bump, and grace (shared by every server) must
   * not start on that.
   */
  async function countedInDatabase(scope: string): Promise<number> {
    const rows = await af.repo.usage.activeByTenant(month);
    return scope === 'instance' ? rows.reduce((n, r) => n + r.count, 0) : (rows.find((r) => r.tenantId === scope)?.count ?? 0);
  }

  async function notice(scope: string, licenseId: string, threshold: number, used: number, max: number): Promise<void> {
    const now = af.clock.now();
    const key = `notice:${month}:${licenseId}:${scope}:mau:${threshold}`;
    const stored = (await af.repo.instanceState.putIfAbsent(key, { by: nonce, at: now }, now)) as { by?: string } | undefined;
    if (stored?.by !== nonce) return; // another server (or an earlier run) sent it
    const pct = Math.round(threshold * 100);
    af.logger.warn({ scope, limit: 'mau', used, max, threshold: pct }, `license: monthly active users reached ${pct} % of the licensed ${max}`);
    const tenants = scope === 'instance' ? [...counts.keys()] : [scope];
    for (const tenantId of tenants) {
      await af.repo.transaction((tx) => recordAudit(tx, { tenantId, at: now, actor: 'system', action: 'license.threshold', target: `license:${licenseId}`, data: { limit: 'mau', scope: scope === 'instance' ? 'instance' : 'tenant', used, max, threshold: pct } }));
    }
  }

  async function reload(): Promise<void> {
    state = await loadLicenseState(af.repo, af.clock, await licenseFileOf(af));
    overSince.clear();
    await checkLimits();
  }

  const guarded = (what: string, fn: () => Promise<void>) => () =>
    void fn().catch((e: unknown) => af.logger.error({ err: { message: (e as Error).message } }, `license monitor: ${what} failed`));
  const licenseTimer = setInterval(guarded('reloading the license', reload), tuning.licenseMs ?? 5_000);
  const countTimer = setInterval(guarded('counting monthly active users', recount), tuning.countMs ?? 30_000);
  licenseTimer.unref();
  countTimer.unref();
  // A change (a license installed here or elsewhere): reload it and re-count, so limits apply at once.
  const unsubscribe = af.database.changes.subscribe(
    guarded('reloading the license', async () => {
      await reload();
      await recount();
    }),
  );
  let first: Promise<void> | undefined = (async () => {
    await reload();
    await recount();
  })();
  first.catch((e: unknown) => af.logger.error({ err: { message: (e as Error).message } }, 'license monitor: loading the license failed'));

  return {
    state: () => state,
    gate(tenantId) {
      const now = af.clock.now();
      if (monthOf(now) !== month) return false; // a new month: nobody is over until recounted
      const instance = effectiveInstance(state, now);
      const graceDays = state.instance?.license?.graceDays ?? DEFAULT_GRACE_DAYS;
      const over = (scope: string, used: number, max: number | undefined, grace: number) => max !== undefined && used >= max && (overSince.get(scope) ?? Infinity) + grace * DAY <= now;
      if (over('instance', total(), instance.limits.mau, graceDays)) return true;
      if (!state.tenants.has(tenantId) && !state.plans.has(tenantId)) return false;
      const grace = state.tenants.get(tenantId)?.license?.graceDays ?? DEFAULT_GRACE_DAYS;
      return over(tenantId, counts.get(tenantId) ?? 0, effectiveTenant(state, now, tenantId).limits.mau, grace);
    },
    counted(tenantId, m) {
      if (m !== month) return;
      counts.set(tenantId, (counts.get(tenantId) ?? 0) + 1);
      void checkLimits().catch((e: unknown) => af.logger.error({ err: { message: (e as Error).message } }, 'license monitor: checking limits failed'));
    },
    mau: () => [...counts].map(([id, value]) => ({ tenant: slugs.get(id) ?? id, value })),
    limits() {
      const e = effectiveInstance(state, af.clock.now());
      return e.limits.mau === undefined ? [] : [{ limit: 'mau', max: e.limits.mau, share: e.limits.mau ? total() / e.limits.mau : 0 }];
    },
    async refresh() {
      if (first) await first.catch(() => {});
      first = undefined;
      await reload();
      await recount();
    },
    async close() {
      clearInterval(licenseTimer);
      clearInterval(countTimer);
      unsubscribe();
    },
  };
}
