import Bowser from 'bowser';
import type { Clock } from '../clock.ts';
import type { UsageStore } from '../ports.ts';
import { dayOf } from './calendar.ts';

/** The daily counters analytics keeps, by metric name; the dimension says which kind. */
export const METRICS = {
  /** Completed sign-ins by method: the `amr` values joined with `+`, `sso` for a reused session. */
  method: 'signin.method',
  client: 'signin.client',
  browser: 'signin.browser',
  os: 'signin.os',
  device: 'signin.device',
  /** Failed sign-in steps by reason (the step that failed). */
  failure: 'signin.failure',
  registration: 'registration',
  apiRequests: 'api.requests',
} as const;

export interface SignInFacts {
  readonly tenantId: string;
  readonly amr: readonly string[] | 'sso';
  readonly clientId: string;
  readonly userAgent: string | null;
}

/** Counts events per tenant and day in memory; `flush` writes them (on a timer and at shutdown), so a request costs no write. */
export interface Analytics {
  signIn(facts: SignInFacts): void;
  failure(tenantId: string, reason: string): void;
  registration(tenantId: string): void;
  apiRequest(tenantId: string): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

const UA_CACHE = 1000;

/** Browser, OS and device type of a user agent (bowser), "unknown" where it cannot tell. */
export function userAgentFacts(userAgent: string | null): { browser: string; os: string; device: string } {
  if (!userAgent) return { browser: 'unknown', os: 'unknown', device: 'unknown' };
  try {
    const p = Bowser.parse(userAgent);
    return { browser: p.browser.name || 'unknown', os: p.os.name || 'unknown', device: p.platform.type || 'unknown' };
  } catch {
    return { browser: 'unknown', os: 'unknown', device: 'unknown' };
  }
}

export function createAnalytics(store: Pick<UsageStore, 'increment'>, clock: Clock, intervalMs = 10_000): Analytics {
  let pending = new Map<string, number>();
  const agents = new Map<string, ReturnType<typeof userAgentFacts>>();
  const add = (tenantId: string, metric: string, dimension: string) => {
    const key = JSON.stringify([tenantId, dayOf(clock.now()), metric, dimension.slice(0, 200)]);
    pending.set(key, (pending.get(key) ?? 0) + 1);
  };
  const facts = (ua: string | null) => {
    if (!ua) return userAgentFacts(null);
    let f = agents.get(ua);
    if (!f) {
      if (agents.size >= UA_CACHE) agents.clear();
      f = userAgentFacts(ua);
      agents.set(ua, f);
    }
    return f;
  };
  const flush = async () => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    const byTenantDay = new Map<string, Array<{ metric: string; dimension: string; by: number }>>();
    for (const [key, by] of batch) {
      const [tenantId, day, metric, dimension] = JSON.parse(key) as [string, string, string, string];
      const k = `${tenantId} ${day}`;
      byTenantDay.set(k, [...(byTenantDay.get(k) ?? []), { metric, dimension, by }]);
    }
    for (const [k, counts] of byTenantDay) {
      const [tenantId, day] = k.split(' ') as [string, string];
      await store.increment(tenantId, day, counts);
    }
  };
  const timer = setInterval(() => void flush().catch(() => {}), intervalMs);
  timer.unref();
  return {
    signIn({ tenantId, amr, clientId, userAgent }) {
      const f = facts(userAgent);
      add(tenantId, METRICS.method, amr === 'sso' ? 'sso' : amr.join('+') || 'unknown');
      add(tenantId, METRICS.client, clientId);
      add(tenantId, METRICS.browser, f.browser);
      add(tenantId, METRICS.os, f.os);
      add(tenantId, METRICS.device, f.device);
    },
    failure: (tenantId, reason) => add(tenantId, METRICS.failure, reason),
    registration: (tenantId) => add(tenantId, METRICS.registration, '-'),
    apiRequest: (tenantId) => add(tenantId, METRICS.apiRequests, '-'),
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
