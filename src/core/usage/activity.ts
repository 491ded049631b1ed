import type { Clock } from '../clock.ts';
import type { UsageStore } from '../ports.ts';
import { monthOf } from './calendar.ts';

/**
 * Monthly active users. A user counts once per tenant per UTC month, on the
 * first successful sign-in (any method, SSO session reuse included) or
 * refresh-token exchange; machine clients never count.
 */
export interface ActivityMeter {
  /**
   * Counts the user for this month and says whether the sign-in may complete:
   * false only when the licensed MAU limit is exceeded past its grace and the
   * user has not been counted this month (counted users always go on).
   */
  admit(tenantId: string, userId: string): Promise<boolean>;
  /** Counts a refresh-token exchange (never refused). */
  touch(tenantId: string, userId: string): Promise<void>;
}

/** Whether new users of a tenant are refused now (the licensing monitor decides). */
export type AdmissionGate = (tenantId: string) => boolean;

/** Entries remembered before the set is dropped (a dropped entry costs one more insert-or-ignore, never a wrong count). */
const MAX_REMEMBERED = 200_000;

/**
 * The hot path writes at most once per user-month per process: users seen
 * this month are remembered, the first sight is one insert-or-ignore on the
 * (tenant, month, user) key, which keeps the count exact across servers and
 * restarts. `onNew` hears each user the database counted for the first time.
 */
export function createActivityMeter(deps: { usage: Pick<UsageStore, 'markActive' | 'isActive'>; clock: Clock; gate?: AdmissionGate; onNew?: (tenantId: string, month: string) => void }): ActivityMeter {
  let month = '';
  let seen = new Set<string>();
  const remembered = (tenantId: string, userId: string, now: number): { key: string; month: string; known: boolean } => {
    const m = monthOf(now);
    if (m !== month || seen.size >= MAX_REMEMBERED) {
      month = m;
      seen = new Set();
    }
    const key = `${tenantId} ${userId}`;
    return { key, month: m, known: seen.has(key) };
  };
  const mark = async (tenantId: string, userId: string, now: number, m: string, key: string) => {
    if (await deps.usage.markActive(tenantId, m, userId, now)) deps.onNew?.(tenantId, m);
    seen.add(key);
  };
  return {
    async admit(tenantId, userId) {
      const now = deps.clock.now();
      const r = remembered(tenantId, userId, now);
      if (r.known) return true;
      if (deps.gate?.(tenantId)) {
        if (!(await deps.usage.isActive(tenantId, r.month, userId))) return false;
        seen.add(r.key);
        return true;
      }
      await mark(tenantId, userId, now, r.month, r.key);
      return true;
    },
    async touch(tenantId, userId) {
      const now = deps.clock.now();
      const r = remembered(tenantId, userId, now);
      if (!r.known) await mark(tenantId, userId, now, r.month, r.key);
    },
  };
}
