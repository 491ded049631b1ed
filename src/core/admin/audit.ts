import type { AuditEvent } from '../audit/audit-event.ts';
import { recordAudit } from '../audit/record.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import { ValidationFailed } from '../errors.ts';
import type { Stores } from '../ports.ts';
import type { AdminDeps } from './deps.ts';
import { DEFAULT_PAGE, MAX_PAGE } from './deps.ts';
import { findTenant } from './internal.ts';
import { requireScope, type Principal } from './principal.ts';
import type { Page } from './views.ts';

/** One audit event on the wire (CLI `--json`, `audit export` lines, the management API). */
export interface AuditEventView {
  readonly seq: number;
  readonly id: string;
  readonly tenant_id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly ip: string | null;
  readonly prev_hash: string;
  readonly hash: string;
}

/** What `audit verify` reports: `intact` with the head hash, or the first break. */
export interface AuditVerifyView {
  readonly tenant: string;
  readonly intact: boolean;
  /** Events checked (all of them when intact; those before the break otherwise). */
  readonly events: number;
  readonly head: string | null;
  readonly broken_at: number | null;
  readonly reason: string | null;
}

/**
 * Filters of `audit list`. Newest first, paged with `cursor` (or `before`, a
 * seq); with `after` (a seq) the events that follow it, oldest first (tail, export).
 */
export interface AuditListQuery {
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
  readonly before?: number | undefined;
  readonly after?: number | undefined;
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  readonly target?: string | undefined;
}

/** Who acted, as the audit log names them: the local CLI is `admin`, an API key `api_key:<id>`. Never an email. */
export function actorOf(p: Principal): string {
  return p.kind === 'api_key' && p.apiKeyId ? `api_key:${p.apiKeyId}` : 'admin';
}

/** Appends an admin operation to the tenant's chain, inside the transaction `s` that makes the change. */
export function recordAdminAudit(s: Stores, p: Principal, at: number, tenantId: string, action: string, target: string | null, data: Record<string, unknown> = {}): Promise<AuditEvent> {
  return recordAudit(s, { tenantId, at, actor: actorOf(p), action, target, data });
}

export function auditEventView(e: AuditEvent): AuditEventView {
  return {
    seq: e.seq,
    id: e.id,
    tenant_id: e.tenantId,
    at: new Date(e.at).toISOString(),
    actor: e.actor,
    action: e.action,
    target: e.target,
    data: e.data,
    ip: e.ip,
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

const seqCursor = (seq: number) => Buffer.from(`seq:${seq}`).toString('base64url');
function seqOfCursor(cursor: string): number {
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ValidationFailed('cursor', 'is not a cursor this server issued');
  return Number(m[1]);
}

/** Reading and checking a tenant's audit log (scope `audit:read`). */
export function auditAdmin(deps: AdminDeps) {
  return {
    async list(p: Principal, tenantRef: string, q: AuditListQuery = {}): Promise<Page<AuditEventView>> {
      requireScope(p, 'audit:read');
      const limit = q.limit ?? DEFAULT_PAGE;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new ValidationFailed('limit', `must be an integer from 1 to ${MAX_PAGE}`);
      const before = q.cursor !== undefined ? seqOfCursor(q.cursor) : q.before;
      if (before !== undefined && q.after !== undefined) throw new ValidationFailed('after', 'cannot be combined with before or cursor');
      for (const [field, v] of [['before', before], ['after', q.after]] as const) {
        if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new ValidationFailed(field, 'must be a sequence number (0 or more)');
      }
      const tenant = await findTenant(deps.repo, p, tenantRef);
      const rows = await deps.repo.audit.list(tenant.id, { limit: limit + 1, actor: q.actor, action: q.action, target: q.target, beforeSeq: before, afterSeq: q.after });
      const items = rows.slice(0, limit);
      const more = rows.length > limit;
      // Ascending pages continue with `after` = the last seq; descending ones with the cursor.
      return { items: items.map(auditEventView), next_cursor: more && q.after === undefined ? seqCursor(items.at(-1)!.seq) : null };
    },

    async verify(p: Principal, tenantRef: string): Promise<AuditVerifyView> {
      requireScope(p, 'audit:read');
      const tenant = await findTenant(deps.repo, p, tenantRef);
      const r = await verifyAuditChain(deps.repo.audit, tenant.id);
      return r.intact
        ? { tenant: tenant.slug, intact: true, events: r.events, head: r.head, broken_at: null, reason: null }
        : { tenant: tenant.slug, intact: false, events: r.events, head: null, broken_at: r.seq, reason: r.reason };
    },
  };
}
