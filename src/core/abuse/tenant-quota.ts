import type { Clock } from '../clock.ts';
import { RateLimited } from '../errors.ts';
import { NO_SIGNALS, type SecuritySignals } from '../security/signals.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';

export interface TenantQuotas {
  /**
   * Takes one request from the tenant's bucket (setting `rate_limits`:
   * `requests_per_second`, bursts up to `burst`); RateLimited when it is
   * empty. A tenant without a quota is never refused. The buckets live in
   * this process: with several servers each enforces the rate on its own
   * share of the traffic (docs/abuse.md), and the hot path stays free of
   * database writes.
   */
  take(tenant: Tenant): void;
}

export function createTenantQuotas(deps: { readonly clock: Clock; readonly signals?: SecuritySignals | undefined }): TenantQuotas {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(tenant) {
      const { requests_per_second: rate, burst } = settingsOf(tenant).rate_limits;
      if (rate === null) return;
      const capacity = burst ?? rate * 2;
      const now = deps.clock.now();
      const b = buckets.get(tenant.id) ?? { tokens: capacity, at: now };
      b.tokens = Math.min(capacity, b.tokens + ((now - b.at) / 1000) * rate);
      b.at = now;
      buckets.set(tenant.id, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return;
      }
      (deps.signals ?? NO_SIGNALS).throttled('tenant_quota');
      throw new RateLimited('This service is receiving too many requests. Try again in a moment.', (1 - b.tokens) / rate);
    },
  };
}
