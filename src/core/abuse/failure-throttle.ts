import type { Clock } from '../clock.ts';
import { RateLimited } from '../errors.ts';
import type { RateLimitStore } from '../ports.ts';
import { NO_SIGNALS, type SecuritySignals, type ThrottleKind } from '../security/signals.ts';

/** At most `max` failures on `key` per `windowMs`. */
export interface FailureBudget {
  readonly key: string;
  readonly max: number;
  readonly windowMs: number;
}

/** Keys whose spent budget this process remembers (beyond it, expired ones are dropped first, then the oldest). */
const REMEMBERED = 10_000;

export interface FailureThrottle {
  /**
   * Counts one failure (a wrong client secret, a wrong API key) on every
   * budget; throws RateLimited once one is spent. Only failures are counted,
   * so a caller whose credentials are right is never refused here, whatever
   * others do. While a budget is known to be spent, further failures are
   * refused from memory: an attacker's flood costs no database writes.
   */
  fail(budgets: readonly FailureBudget[], kind: ThrottleKind): Promise<void>;
}

export function createFailureThrottle(deps: { readonly rateLimits: RateLimitStore; readonly clock: Clock; readonly signals?: SecuritySignals | undefined }): FailureThrottle {
  const spent = new Map<string, number>();
  const signals = deps.signals ?? NO_SIGNALS;
  const remember = (key: string, until: number, now: number) => {
    if (spent.size >= REMEMBERED) {
      for (const [k, u] of spent) if (u <= now) spent.delete(k);
      if (spent.size >= REMEMBERED) spent.delete(spent.keys().next().value!);
    }
    spent.set(key, until);
  };
  const refuse = (kind: ThrottleKind, until: number, now: number): never => {
    signals.throttled(kind);
    throw new RateLimited('Too many failed authentications from this client or address.', (until - now) / 1000);
  };
  return {
    async fail(budgets, kind) {
      const now = deps.clock.now();
      const held = Math.max(0, ...budgets.map((b) => spent.get(b.key) ?? 0));
      if (held > now) refuse(kind, held, now);
      const counts = await Promise.all(budgets.map((b) => deps.rateLimits.hit(b.key, b.windowMs, now)));
      let until = 0;
      counts.forEach((c, i) => {
        if (c.count >= budgets[i]!.max) {
          remember(budgets[i]!.key, c.resetAt, now);
          if (c.count > budgets[i]!.max) until = Math.max(until, c.resetAt);
        }
      });
      if (until > now) refuse(kind, until, now);
    },
  };
}
