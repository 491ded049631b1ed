import type { Repository, Stores } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { apiKeyStore } from './api-keys.ts';
import { clientStore } from './clients.ts';
import { sanitize } from './internal/errors.ts';
import { signingKeyStore } from './signing-keys.ts';
import { tenantStore } from './tenants.ts';

function storesOn(database: Database, db: () => Db, write: Database['transaction']): Stores {
  return {
    tenants: tenantStore(database, db, write),
    clients: clientStore(database, db, write),
    signingKeys: signingKeyStore(database, db, write),
    apiKeys: apiKeyStore(database, db, write),
  };
}

/** The core's Repository over a SQLite or Postgres database. */
export function createRepository(database: Database): Repository {
  const write: Database['transaction'] = (fn) => database.transaction(fn);
  return {
    ...storesOn(database, () => database.current(), write),
    async transaction(fn, options) {
      try {
        // Inside a transaction, reads and writes both use the transaction's connection.
        return await database.transaction((tx) => fn(storesOn(database, () => tx, (inner) => inner(tx))), options);
      } catch (e) {
        throw sanitize(e);
      }
    },
  };
}
