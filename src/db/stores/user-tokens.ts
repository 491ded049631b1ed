import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { UserTokenStore } from '../../core/ports.ts';
import type { UserToken } from '../../core/users/user-token.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

export function userTokenStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): UserTokenStore {
  const { userTokens: ut } = database.schema;
  const mine = (tenantId: string, id: string) => and(eq(ut.tenantId, tenantId), eq(ut.id, id));
  const one = async (rows: Promise<unknown[]>) => (await guard('', () => rows))[0] as UserToken | undefined;
  return {
    insert: (t) => guard('that token already exists', () => write(async (tx) => void (await tx.insert(ut).values({ ...t, data: { ...t.data } })))),
    byHash: (tenantId, tokenHash) => one(db().select().from(ut).where(and(eq(ut.tokenHash, tokenHash), eq(ut.tenantId, tenantId))).limit(1)),
    byId: (tenantId, id) => one(db().select().from(ut).where(mine(tenantId, id)).limit(1)),
    consume: (tenantId, id, at) =>
      guard('', () => write(async (tx) => (await tx.update(ut).set({ usedAt: at }).where(and(mine(tenantId, id), isNull(ut.usedAt))).returning({ id: ut.id })).length > 0)),
    recordAttempt: (tenantId, id) =>
      guard('', () =>
        write(async (tx) => {
          const rows = await tx
            .update(ut)
            .set({ attempts: sql`${ut.attempts} + 1` })
            .where(mine(tenantId, id))
            .returning({ attempts: ut.attempts });
          return rows[0]?.attempts ?? 0;
        }),
      ),
    invalidate: (tenantId, userId, kinds, at) =>
      guard('', () =>
        write(
          async (tx) =>
            (
              await tx
                .update(ut)
                .set({ usedAt: at })
                .where(and(eq(ut.userId, userId), eq(ut.tenantId, tenantId), inArray(ut.kind, [...kinds]), isNull(ut.usedAt)))
                .returning({ id: ut.id })
            ).length,
        ),
      ),
    deleteExpired: (now) => guard('', () => write(async (tx) => (await tx.delete(ut).where(lt(ut.expiresAt, now)).returning({ id: ut.id })).length)),
  };
}
