import { asc, eq } from 'drizzle-orm';
import type { SigningKey } from '../../core/keys/signing-key.ts';
import type { SigningKeyStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

export function signingKeyStore(database: Database, db: Db = database.db, write: Database['transaction'] = database.transaction): SigningKeyStore {
  const { signingKeys } = database.schema;
  return {
    insert: (key) => guard(`signing key ${key.kid} already exists in this tenant`, () => write(async (tx) => void (await tx.insert(signingKeys).values(key)))),
    listByTenant: async (tenantId) =>
      (await guard('', () => db.select().from(signingKeys).where(eq(signingKeys.tenantId, tenantId)).orderBy(asc(signingKeys.createdAt), asc(signingKeys.alg)))) as SigningKey[],
  };
}
