import { and, desc, asc, eq, gt, lt, sql } from 'drizzle-orm';
import type { AuditEvent } from '../../core/audit/audit-event.ts';
import type { AuditStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

/** The Postgres instance behind the SQLite-typed `Db` (see driver.ts) runs raw SQL with `execute`. */
interface PgExecute {
  execute(query: ReturnType<typeof sql>): Promise<unknown>;
}

export function auditStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): AuditStore {
  const { auditEvents: a } = database.schema;
  return {
    head: (tenantId) =>
      guard('', () =>
        write(async (tx) => {
          // Serialises appends per tenant until commit; SQLite's single writer already does.
          if (database.kind === 'postgres') await (tx as unknown as PgExecute).execute(sql`select pg_advisory_xact_lock(hashtextextended(${`audit:${tenantId}`}, 0))`);
          const rows = await tx.select({ seq: a.seq, hash: a.hash }).from(a).where(eq(a.tenantId, tenantId)).orderBy(desc(a.seq)).limit(1);
          return rows[0];
        }),
      ),
    insert: (event) => guard('the audit chain moved on meanwhile', () => write(async (tx) => void (await tx.insert(a).values({ ...event, data: { ...event.data } })))),
    list: async (tenantId, q) =>
      (await guard('', () =>
        db()
          .select()
          .from(a)
          .where(
            and(
              eq(a.tenantId, tenantId),
              q.target ? eq(a.target, q.target) : undefined,
              q.actor ? eq(a.actor, q.actor) : undefined,
              q.action ? eq(a.action, q.action) : undefined,
              q.afterSeq !== undefined ? gt(a.seq, q.afterSeq) : undefined,
              q.beforeSeq !== undefined ? lt(a.seq, q.beforeSeq) : undefined,
            ),
          )
          .orderBy(q.afterSeq !== undefined ? asc(a.seq) : desc(a.seq))
          .limit(q.limit),
      )) as AuditEvent[],
  };
}
