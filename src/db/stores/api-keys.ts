import { eq } from 'drizzle-orm';
import type { ApiKey } from '../../core/apikeys/api-key.ts';
import type { ApiKeyStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

export function apiKeyStore(database: Database, db: Db = database.db, write: Database['transaction'] = database.transaction): ApiKeyStore {
  const { apiKeys } = database.schema;
  return {
    insert: (key) => guard('an API key with that id already exists', () => write(async (tx) => void (await tx.insert(apiKeys).values({ ...key, scopes: [...key.scopes] })))),
    byKeyId: async (keyId) => (await guard('', () => db.select().from(apiKeys).where(eq(apiKeys.keyId, keyId)).limit(1)))[0] as ApiKey | undefined,
  };
}
