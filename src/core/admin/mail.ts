import { NotFound, ValidationFailed } from '../errors.ts';
import type { OutboxItem, OutboxStatus } from '../mail/outbox-item.ts';
import type { AdminDeps, ListQuery } from './deps.ts';
import { findTenant, paginate } from './internal.ts';
import { requireScope, type Principal } from './principal.ts';
import type { Page } from './views.ts';

export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['pending', 'sent', 'failed'];

export interface MailListQuery extends ListQuery {
  /** Slug or id; a tenant key is limited to its own tenant without it. */
  readonly tenant?: string | undefined;
  readonly status?: OutboxStatus | undefined;
  /** Exact recipient address (case-insensitive). */
  readonly to?: string | undefined;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** An outbox item as listed (no body). */
export function mailSummaryView(m: OutboxItem, tenantSlug: string | null) {
  return {
    id: m.id,
    tenant: tenantSlug,
    to: m.recipient,
    subject: m.subject,
    template: typeof m.payload.template === 'string' ? m.payload.template : null,
    status: m.status,
    attempts: m.attempts,
    last_error: m.lastError,
    created_at: iso(m.createdAt)!,
    next_attempt_at: m.status === 'pending' ? iso(m.nextAttemptAt) : null,
    sent_at: iso(m.sentAt),
  };
}
export type MailSummaryView = ReturnType<typeof mailSummaryView>;

/** One message with its text and HTML bodies (which may hold live single-use links). */
export function mailView(m: OutboxItem, tenantSlug: string | null) {
  return { ...mailSummaryView(m, tenantSlug), text: String(m.payload.text ?? ''), html: String(m.payload.html ?? '') };
}
export type MailView = ReturnType<typeof mailView>;

/**
 * The mail outbox as admins read it (`authflow mail`, GET /api/v1/mail):
 * without SMTP it is how an air-gapped operator delivers a link by hand.
 * Instance admins see every tenant's mail; a tenant key only its tenant's.
 * Listing needs users:read; a body may carry a live reset or sign-in link,
 * so reading one needs users:write (whoever reads it can act as the user).
 */
export function mailAdmin(deps: AdminDeps) {
  const slugs = async (ids: Iterable<string | null>): Promise<Map<string | null, string | null>> => {
    const map = new Map<string | null, string | null>([[null, null]]);
    for (const id of new Set(ids)) if (id !== null) map.set(id, (await deps.repo.tenants.byId(id))?.slug ?? id);
    return map;
  };
  return {
    /** Newest first. */
    async list(p: Principal, q: MailListQuery = {}): Promise<Page<MailSummaryView>> {
      requireScope(p, 'users:read');
      if (q.status !== undefined && !OUTBOX_STATUSES.includes(q.status)) throw new ValidationFailed('status', 'must be pending, sent or failed');
      const tenantId = q.tenant ? (await findTenant(deps.repo, p, q.tenant)).id : p.tenantId === null ? undefined : p.tenantId;
      const recipient = q.to?.trim().toLowerCase() || undefined;
      const page = await paginate(q, (pg) => deps.repo.outbox.list({ ...pg, tenantId, status: q.status, recipient }), (m) => m);
      const names = await slugs(page.items.map((m) => m.tenantId));
      return { items: page.items.map((m) => mailSummaryView(m, names.get(m.tenantId) ?? null)), next_cursor: page.next_cursor };
    },

    async show(p: Principal, id: string): Promise<MailView> {
      requireScope(p, 'users:write');
      const item = /^[0-9a-f-]{36}$/.test(id) ? await deps.repo.outbox.byId(id) : undefined;
      if (!item || (p.tenantId !== null && item.tenantId !== p.tenantId)) throw new NotFound(`no mail "${id}"`);
      const names = await slugs([item.tenantId]);
      return mailView(item, names.get(item.tenantId) ?? null);
    },
  };
}
