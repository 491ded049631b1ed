import { and, count, eq, max } from 'drizzle-orm';
import type { Client } from '../../core/clients/client.ts';
import type { ClientStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';
import { pageOf } from './internal/page.ts';

export function clientStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): ClientStore {
  const { clients } = database.schema;
  // Every write here changes cached configuration: running servers drop their caches on commit.
  const config = <T>(fn: (tx: Db) => Promise<T>) => write(fn, { config: true });
  const row = (c: Client) => ({
    ...c,
    redirectUris: [...c.redirectUris],
    postLogoutRedirectUris: [...c.postLogoutRedirectUris],
    grantTypes: [...c.grantTypes],
    scopes: [...c.scopes],
    audiences: [...c.audiences],
    corsOrigins: [...c.corsOrigins],
  });
  const conflict = (c: Client) => `a client named "${c.name}" already exists in this tenant`;
  return {
    insert: (c) => guard(conflict(c), () => config(async (tx) => void (await tx.insert(clients).values(row(c))))),
    update: (c) => guard(conflict(c), () => config(async (tx) => void (await tx.update(clients).set(row(c)).where(eq(clients.id, c.id))))),
    delete: (tenantId, clientId) =>
      guard('', () => config(async (tx) => (await tx.delete(clients).where(and(eq(clients.tenantId, tenantId), eq(clients.clientId, clientId))).returning({ id: clients.id })).length > 0)),
    byClientId: async (clientId) => (await guard('', () => db().select().from(clients).where(eq(clients.clientId, clientId)).limit(1)))[0] as Client | undefined,
    listByTenant: async (tenantId, page) => {
      const q = pageOf(clients.id, eq(clients.tenantId, tenantId), page);
      return (await guard('', () => db().select().from(clients).where(q.where).orderBy(q.orderBy).limit(q.limit))) as Client[];
    },
    maxAccessTokenTtl: async (tenantId) => (await guard('', () => db().select({ m: max(clients.accessTokenTtl) }).from(clients).where(eq(clients.tenantId, tenantId))))[0]?.m ?? null,
    countAll: async () => Number((await guard('', () => db().select({ n: count() }).from(clients)))[0]?.n ?? 0),
  };
}
