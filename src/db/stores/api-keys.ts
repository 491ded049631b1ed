import { eq, isNull, sql } from 'drizzle-orm';
import type { ApiKey } from '../../core/apikeys/api-key.ts';
import type { ApiKeyStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';
import { pageOf } from './internal/page.ts';

export function apiKeyStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): ApiKeyStore {
  const { apiKeys } = database.schema;
  // Creating or revoking a key changes what servers cache; counting its uses does not.
  const config = <T>(fn: (tx: Db) => Promise<T>) => write(fn, { config: true });
  const one = async (rows: Promise<unknown[]>) => (await guard('', () => rows))[0] as ApiKey | undefined;
  return {
    insert: (key) => guard('an API key with that id already exists', () => config(async (tx) => void (await tx.insert(apiKeys).values({ ...key, scopes: [...key.scopes] })))),
    byKeyId: (keyId) => one(db().select().from(apiKeys).where(eq(apiKeys.keyId, keyId)).limit(1)),
    byId: (id) => one(db().select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1)),
    list: async (tenantId, page) => {
      const scope = tenantId === undefined ? undefined : tenantId === null ? isNull(apiKeys.tenantId) : eq(apiKeys.tenantId, tenantId);
      const q = pageOf(apiKeys.id, scope, page);
      return (await guard('', () => db().select().from(apiKeys).where(q.where).orderBy(q.orderBy).limit(q.limit))) as ApiKey[];
    },
    revoke: (id, at) =>
      guard('', () => config(async (tx) => (await tx.update(apiKeys).set({ revokedAt: at }).where(eq(apiKeys.id, id)).returning({ id: apiKeys.id })).length > 0)),
    recordUse: (id, n, at) =>
      guard('', () =>
        write(async (tx) => void (await tx.update(apiKeys).set({ useCount: sql`${apiKeys.useCount} + ${n}`, lastUsedAt: at }).where(eq(apiKeys.id, id)))),
      ),
  };
}
