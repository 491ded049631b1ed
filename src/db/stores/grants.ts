import { and, asc, eq, isNull } from 'drizzle-orm';
import type { UserGrant } from '../../core/consents/user-grant.ts';
import type { UserGrantStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

export function userGrantStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): UserGrantStore {
  const { grants } = database.schema;
  return {
    byUserAndClient: async (tenantId, userId, clientId) =>
      (await guard('', () => db().select().from(grants).where(and(eq(grants.userId, userId), eq(grants.clientId, clientId), eq(grants.tenantId, tenantId))).limit(1)))[0] as
        | UserGrant
        | undefined,
    byId: async (tenantId, id) => (await guard('', () => db().select().from(grants).where(and(eq(grants.id, id), eq(grants.tenantId, tenantId))).limit(1)))[0] as UserGrant | undefined,
    // The (user_id, client_id) unique index serves the lookup by user.
    liveOfUser: async (tenantId, userId) =>
      (await guard('', () =>
        db()
          .select()
          .from(grants)
          .where(and(eq(grants.userId, userId), eq(grants.tenantId, tenantId), isNull(grants.revokedAt)))
          .orderBy(asc(grants.createdAt), asc(grants.id)),
      )) as UserGrant[],
    liveOfClient: async (tenantId, clientId) =>
      (await guard('', () =>
        db()
          .select()
          .from(grants)
          .where(and(eq(grants.tenantId, tenantId), eq(grants.clientId, clientId), isNull(grants.revokedAt))),
      )) as UserGrant[],
    save: (g) =>
      guard('', () =>
        write(async (tx) => {
          // One row per user × client (unique index): a new grant id replaces the old row.
          await tx.delete(grants).where(and(eq(grants.userId, g.userId), eq(grants.clientId, g.clientId), eq(grants.tenantId, g.tenantId)));
          await tx.insert(grants).values({ ...g, scopes: [...g.scopes] });
        }),
      ),
    revoke: (tenantId, id, at) =>
      guard('', () =>
        write(async (tx) => {
          const done = await tx
            .update(grants)
            .set({ revokedAt: at })
            .where(and(eq(grants.id, id), eq(grants.tenantId, tenantId), isNull(grants.revokedAt)))
            .returning({ id: grants.id });
          return done.length > 0;
        }),
      ),
  };
}
