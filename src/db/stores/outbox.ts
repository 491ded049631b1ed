import { and, asc, desc, eq, isNull, lt, lte, min, or, sql } from 'drizzle-orm';
import type { OutboxItem } from '../../core/mail/outbox-item.ts';
import type { OutboxStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

/** The outbox. Senders claim due items with a lease; on Postgres, `FOR UPDATE SKIP LOCKED` keeps two servers off the same row. */
export function outboxStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): OutboxStore {
  const { outbox: o } = database.schema;
  return {
    enqueue: (item) => guard('that outbox item already exists', () => write(async (tx) => void (await tx.insert(o).values({ ...item, payload: { ...item.payload } })))),
    byId: async (id) => (await guard('', () => db().select().from(o).where(eq(o.id, id)).limit(1)))[0] as OutboxItem | undefined,
    list: async (q) =>
      (await guard('', () =>
        db()
          .select()
          .from(o)
          .where(
            and(
              q.tenantId === undefined ? undefined : q.tenantId === null ? isNull(o.tenantId) : eq(o.tenantId, q.tenantId),
              q.status ? eq(o.status, q.status) : undefined,
              q.recipient ? eq(o.recipient, q.recipient) : undefined,
              q.userId ? eq(o.userId, q.userId) : undefined,
              q.after ? lt(o.id, q.after) : undefined,
            ),
          )
          .orderBy(desc(o.id))
          .limit(q.limit),
      )) as OutboxItem[],
    claim: (now, limit, leaseMs) =>
      guard('', () =>
        write(async (tx) => {
          const due = and(eq(o.status, 'pending'), lte(o.nextAttemptAt, now), or(isNull(o.claimedUntil), lte(o.claimedUntil, now)));
          const pick = tx.select({ id: o.id }).from(o).where(due).orderBy(asc(o.nextAttemptAt)).limit(limit);
          const ids = (database.kind === 'postgres' ? await (pick as unknown as { for(s: string, o: object): typeof pick }).for('update', { skipLocked: true }) : await pick).map((r) => r.id);
          if (!ids.length) return [];
          const claimed = await tx
            .update(o)
            .set({ claimedUntil: now + leaseMs })
            .where(and(sql`${o.id} in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`, due))
            .returning();
          return claimed as OutboxItem[];
        }),
      ),
    markSent: (id, at) => guard('', () => write(async (tx) => void (await tx.update(o).set({ status: 'sent', sentAt: at, claimedUntil: null, attempts: sql`${o.attempts} + 1`, lastError: null }).where(eq(o.id, id))))),
    markFailed: (id, error, nextAttemptAt) =>
      guard('', () =>
        write(
          async (tx) =>
            void (await tx
              .update(o)
              .set({ status: nextAttemptAt === null ? 'failed' : 'pending', nextAttemptAt: nextAttemptAt ?? sql`${o.nextAttemptAt}`, claimedUntil: null, attempts: sql`${o.attempts} + 1`, lastError: error.slice(0, 1000) })
              .where(eq(o.id, id))),
        ),
      ),
    deleteSentBefore: (at) => guard('', () => write(async (tx) => (await tx.delete(o).where(and(eq(o.status, 'sent'), lt(o.sentAt, at))).returning({ id: o.id })).length)),
    nextDue: async () => {
      const rows = await guard('', () => db().select({ at: min(o.nextAttemptAt) }).from(o).where(eq(o.status, 'pending')));
      const at = rows[0]?.at;
      return at === null || at === undefined ? undefined : Number(at);
    },
  };
}
