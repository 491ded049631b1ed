import { recordAudit } from '../audit/record.ts';
import { clearLockout } from '../abuse/lockout.ts';
import { ValidationFailed } from '../errors.ts';
import { isSecurityEventKind, SECURITY_EVENT_KINDS, type SecurityEvent } from '../security/security-event.ts';
import { actorOf } from './audit.ts';
import type { AdminDeps, ListQuery } from './deps.ts';
import { findTenant, findUser, paginate } from './internal.ts';
import { requireScope, type Principal } from './principal.ts';
import type { Page } from './views.ts';

/** One security event on the wire (CLI `--json`, the management API). */
export interface SecurityEventView {
  readonly id: string;
  readonly tenant_id: string;
  readonly user_id: string | null;
  readonly kind: string;
  readonly at: string;
  readonly ip: string | null;
  readonly user_agent: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Filters of `security events`: newest first, paged with `cursor`. */
export interface SecurityEventListQuery extends ListQuery {
  /** A user id or email address. */
  readonly user?: string | undefined;
  readonly kind?: string | undefined;
  /** An ISO 8601 time, or a duration back from now: `30m`, `24h`, `7d`. */
  readonly since?: string | undefined;
}

/** What `user unlock` reports. */
export interface UnlockView {
  readonly user_id: string;
  /** Lockout counters forgotten (0: the account was not held back). */
  readonly counters_cleared: number;
}

const DURATION = /^(\d{1,6})(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `since` as epoch milliseconds. */
export function parseSince(since: string, now: number): number {
  const d = DURATION.exec(since);
  if (d) return now - Number(d[1]) * UNIT_MS[d[2] as keyof typeof UNIT_MS];
  const at = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(since) ? Date.parse(since) : NaN;
  if (Number.isNaN(at)) throw new ValidationFailed('since', 'must be an ISO 8601 time (2030-01-31T12:00:00Z) or a duration such as 30m, 24h or 7d');
  return at;
}

export function securityEventView(e: SecurityEvent): SecurityEventView {
  return { id: e.id, tenant_id: e.tenantId, user_id: e.userId, kind: e.kind, at: new Date(e.at).toISOString(), ip: e.ip, user_agent: e.userAgent, data: e.data };
}

/** Security events (scope `security:read`) and clearing a lockout (scope `users:write`). */
export function securityAdmin(deps: AdminDeps) {
  return {
    async events(p: Principal, tenantRef: string, q: SecurityEventListQuery = {}): Promise<Page<SecurityEventView>> {
      requireScope(p, 'security:read');
      if (q.kind !== undefined && !isSecurityEventKind(q.kind)) throw new ValidationFailed('kind', `must be one of ${SECURITY_EVENT_KINDS.join(', ')}`);
      const since = q.since !== undefined ? parseSince(q.since, deps.clock.now()) : undefined;
      const tenant = await findTenant(deps.repo, p, tenantRef);
      const userId = q.user !== undefined ? (await findUser(deps.repo, tenant, q.user)).id : undefined;
      return paginate(q, (page) => deps.repo.securityEvents.list(tenant.id, { limit: page.limit, before: page.after, userId, kind: q.kind, since }), securityEventView);
    },

    /**
     * Lets the user sign in with a password again at once, from every
     * address: forgets the lockout counters of the account (audited
     * `user.unlocked`). The per-address budgets of attackers stay.
     */
    async unlock(p: Principal, tenantRef: string, userRef: string): Promise<UnlockView> {
      requireScope(p, 'users:write');
      const tenant = await findTenant(deps.repo, p, tenantRef);
      const user = await findUser(deps.repo, tenant, userRef);
      const cleared = await clearLockout(deps, tenant.id, user.id);
      await deps.repo.transaction((s) => recordAudit(s, { tenantId: tenant.id, at: deps.clock.now(), actor: actorOf(p), action: 'user.unlocked', target: `user:${user.id}`, data: { counters_cleared: cleared } }));
      return { user_id: user.id, counters_cleared: cleared };
    },
  };
}
