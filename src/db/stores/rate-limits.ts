import { eq, lt, sql } from 'drizzle-orm';
import type { RateLimitStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

/** Fixed windows in one upsert per hit: a window that ended restarts at 1. */
export function rateLimitStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): RateLimitStore {
  const { rateLimits: r } = database.schema;
  return {
    hit: (key, windowMs, now) =>
      guard('', () =>
        write(async (tx) => {
          const rows = await tx
            .insert(r)
            .values({ key, count: 1, resetAt: now + windowMs })
            .onConflictDoUpdate({
              target: r.key,
              set: {
                count: sql`case when ${r.resetAt} <= ${now} then 1 else ${r.count} + 1 end`,
                resetAt: sql`case when ${r.resetAt} <= ${now} then ${now + windowMs} else ${r.resetAt} end`,
              },
            })
            .returning({ count: r.count, resetAt: r.resetAt });
          const row = rows[0]!;
          return { count: Number(row.count), resetAt: Number(row.resetAt) };
        }),
      ),
    peek: async (key, now) => {
      const row = (await guard('', () => db().select().from(r).where(eq(r.key, key)).limit(1)))[0];
      return row && row.resetAt > now ? { count: row.count, resetAt: row.resetAt } : { count: 0, resetAt: now };
    },
    reset: (key) => guard('', () => write(async (tx) => void (await tx.delete(r).where(eq(r.key, key))))),
    deleteExpired: (now) => guard('', () => write(async (tx) => (await tx.delete(r).where(lt(r.resetAt, now)).returning({ key: r.key })).length)),
  };
}
