import { ValidationFailed } from '../errors.ts';
import { METRICS } from '../usage/analytics.ts';
import { daysOf, monthOf, parseMonth } from '../usage/calendar.ts';
import type { AdminDeps } from './deps.ts';
import { findTenant } from './internal.ts';
import { requireScope, type Principal } from './principal.ts';

/** What `usage show --by` groups by: days of the month, or a dimension of the month's sign-ins. */
export const USAGE_BREAKDOWNS = ['day', 'method', 'client', 'browser', 'os', 'device', 'failure'] as const;
export type UsageBreakdown = (typeof USAGE_BREAKDOWNS)[number];

const METRIC_OF: Record<Exclude<UsageBreakdown, 'day'>, string> = {
  method: METRICS.method,
  client: METRICS.client,
  browser: METRICS.browser,
  os: METRICS.os,
  device: METRICS.device,
  failure: METRICS.failure,
};

export interface UsageQuery {
  readonly tenant?: string | undefined;
  readonly month?: string | undefined;
  readonly by?: string | undefined;
}

/** A month's usage: MAU per tenant and one breakdown. */
export interface UsageView {
  readonly month: string;
  readonly tenant: string | null;
  readonly mau: number;
  readonly tenants: ReadonlyArray<{ readonly tenant: string; readonly mau: number }>;
  readonly by: UsageBreakdown;
  /** by=day: one row per day (`value` = users first active that day, `signins`, `failures`, `registrations`); else one row per dimension value. */
  readonly rows: ReadonlyArray<{ readonly key: string; readonly value: number; readonly signins?: number; readonly failures?: number; readonly registrations?: number }>;
}

/** One daily counter (or a month's MAU: metric `mau`, day = the month) as `usage export` writes it. */
export interface UsageRecordView {
  readonly tenant: string;
  readonly day: string;
  readonly metric: string;
  readonly dimension: string;
  readonly count: number;
}

export function usageAdmin(deps: AdminDeps) {
  async function scope(p: Principal, q: UsageQuery) {
    requireScope(p, 'usage:read');
    const month = q.month === undefined ? monthOf(deps.clock.now()) : parseMonth(q.month, deps.clock.now());
    const ref = q.tenant ?? (p.tenantId ?? undefined);
    const tenant = ref === undefined ? undefined : await findTenant(deps.repo, p, ref);
    const tenants = new Map((await deps.repo.tenants.list({ limit: 10_000 })).map((t) => [t.id, t.slug]));
    return { month, tenant, tenants };
  }
  return {
    async show(p: Principal, q: UsageQuery = {}): Promise<UsageView> {
      const by = (q.by ?? 'day') as UsageBreakdown;
      if (!USAGE_BREAKDOWNS.includes(by)) throw new ValidationFailed('by', `must be one of ${USAGE_BREAKDOWNS.join(', ')}`);
      const { month, tenant, tenants } = await scope(p, q);
      const active = (await deps.repo.usage.activeByTenant(month)).filter((r) => !tenant || r.tenantId === tenant.id);
      const { first, last, days } = daysOf(month);
      const daily = await deps.repo.usage.daily(tenant?.id, first, last);
      let rows: UsageView['rows'];
      if (by === 'day') {
        const firsts = new Map<string, number>();
        for (const r of await deps.repo.usage.firstActiveByDay(tenant?.id, month)) firsts.set(r.day, (firsts.get(r.day) ?? 0) + r.count);
        const sum = (day: string, metric: string) => daily.filter((d) => d.day === day && d.metric === metric).reduce((n, d) => n + d.count, 0);
        const today = deps.clock.now();
        rows = days
          .filter((d) => d <= new Date(today).toISOString().slice(0, 10))
          .map((day) => ({ key: day, value: firsts.get(day) ?? 0, signins: sum(day, METRICS.method), failures: sum(day, METRICS.failure), registrations: sum(day, METRICS.registration) }));
      } else {
        const totals = new Map<string, number>();
        for (const d of daily) if (d.metric === METRIC_OF[by]) totals.set(d.dimension, (totals.get(d.dimension) ?? 0) + d.count);
        rows = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([key, value]) => ({ key, value }));
      }
      return {
        month,
        tenant: tenant?.slug ?? null,
        mau: active.reduce((n, r) => n + r.count, 0),
        tenants: active.map((r) => ({ tenant: tenants.get(r.tenantId) ?? r.tenantId, mau: r.count })).sort((a, b) => b.mau - a.mau),
        by,
        rows,
      };
    },

    /** Every daily counter of the month plus each tenant's MAU (metric `mau`), for `usage export`. */
    async export(p: Principal, q: UsageQuery = {}): Promise<UsageRecordView[]> {
      const { month, tenant, tenants } = await scope(p, q);
      const { first, last } = daysOf(month);
      const mau = (await deps.repo.usage.activeByTenant(month)).filter((r) => !tenant || r.tenantId === tenant.id).map((r) => ({ tenant: tenants.get(r.tenantId) ?? r.tenantId, day: month, metric: 'mau', dimension: '-', count: r.count }));
      const daily = (await deps.repo.usage.daily(tenant?.id, first, last)).map((d) => ({ tenant: tenants.get(d.tenantId) ?? d.tenantId, day: d.day, metric: d.metric, dimension: d.dimension, count: d.count }));
      return [...mau, ...daily];
    },
  };
}
