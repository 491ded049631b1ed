import { RateLimited } from '../errors.ts';
import type { RateLimitStore } from '../ports.ts';

/** A budget: at most `max` hits per `windowMs`. */
export interface Limit {
  readonly max: number;
  readonly windowMs: number;
}

/**
 * Counts a hit on `key` and throws RateLimited (429 + Retry-After) once the
 * window's budget is spent. Counters live in the database, so every server
 * on a shared Postgres enforces the same budget (docs/security.md, abuse). Keys name
 * what they limit: `reset:<tenant>:<email>`, `reset-ip:<tenant>:<ip>`, …
 */
export async function consumeLimit(store: RateLimitStore, key: string, limit: Limit, now: number, message = 'Too many attempts. Wait a moment and try again.'): Promise<void> {
  const { count, resetAt } = await store.hit(key, limit.windowMs, now);
  if (count > limit.max) throw new RateLimited(message, (resetAt - now) / 1000);
}

/** Whether `key` has used up its budget, without counting a hit (a lockout check before trying a password). */
export async function limitReached(store: RateLimitStore, key: string, limit: Limit, now: number): Promise<{ limited: boolean; retryAfter: number }> {
  const { count, resetAt } = await store.peek(key, now);
  return { limited: count >= limit.max, retryAfter: Math.max(1, Math.ceil((resetAt - now) / 1000)) };
}
