import { and, eq } from 'drizzle-orm';
import type { UserGrant } from '../../core/grants/user-grant.ts';
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
    save: (g) =>
      guard('', () =>
        write(async (tx) => {
          // One row per user × client (unique index): a new grant id replaces the old row.
          await tx.delete(grants).where(and(eq(grants.userId, g.userId), eq(grants.clientId, g.clientId), eq(grants.tenantId, g.tenantId)));
          await tx.insert(grants).values({ ...g, scopes: [...g.scopes] });
        }),
      ),
  };
}
