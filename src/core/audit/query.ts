import type { AuditStore } from '../ports.ts';
import type { AuditEvent } from './audit-event.ts';

/** Rows read per page when streaming a chain (verify, export, tail). */
export const AUDIT_PAGE = 500;

/**
 * The tenant's events after `afterSeq` in seq order, read page by page so a
 * long chain never sits in memory at once.
 */
export async function* auditEventsAfter(store: AuditStore, tenantId: string, afterSeq = 0, pageSize = AUDIT_PAGE): AsyncGenerator<AuditEvent> {
  let after = afterSeq;
  for (;;) {
    const page = await store.list(tenantId, { limit: pageSize, afterSeq: after });
    for (const event of page) yield event;
    if (page.length < pageSize) return;
    after = page.at(-1)!.seq;
  }
}
