import { asc, eq } from 'drizzle-orm';
import type { SigningKey } from '../../core/keys/signing-key.ts';
import type { SigningKeyStore } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { guard } from './internal/errors.ts';

export function signingKeyStore(database: Database, db: () => Db = () => database.current(), write: Database['transaction'] = database.transaction): SigningKeyStore {
  const { signingKeys } = database.schema;
  // Every write here changes cached configuration: running servers drop their caches on commit.
  const config = <T>(fn: (tx: Db) => Promise<T>) => write(fn, { config: true });
  return {
    insert: (key) => guard(`signing key ${key.kid} already exists in this tenant`, () => config(async (tx) => void (await tx.insert(signingKeys).values(key)))),
    update: (key) =>
      guard('', () =>
        config(async (tx) =>
          void (await tx
            .update(signingKeys)
            .set({ state: key.state, privateJwkEnc: key.privateJwkEnc, activatedAt: key.activatedAt, retiredAt: key.retiredAt, expiresAt: key.expiresAt })
            .where(eq(signingKeys.id, key.id))),
        ),
      ),
    listByTenant: async (tenantId) =>
      (await guard('', () => db().select().from(signingKeys).where(eq(signingKeys.tenantId, tenantId)).orderBy(asc(signingKeys.createdAt), asc(signingKeys.alg)))) as SigningKey[],
    listAll: async () => (await guard('', () => db().select().from(signingKeys).orderBy(asc(signingKeys.id)))) as SigningKey[],
  };
}
