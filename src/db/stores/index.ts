import type { Repository, Stores } from '../../core/ports.ts';
import type { Database, Db } from '../driver.ts';
import { deviceStore, termsStore } from './account-records.ts';
import { apiKeyStore } from './api-keys.ts';
import { auditStore } from './audit.ts';
import { authCodeStore } from './auth-codes.ts';
import { clientStore } from './clients.ts';
import { userGrantStore } from './grants.ts';
import { interactionStore } from './interactions.ts';
import { instanceStateStore, licenseStore, planStore, usageReportStore, usageStore } from './licensing.ts';
import { sanitize } from './internal/errors.ts';
import { outboxStore } from './outbox.ts';
import { rateLimitStore } from './rate-limits.ts';
import { refreshTokenStore } from './refresh-tokens.ts';
import { revocationStore } from './revocations.ts';
import { apiKeyAddressStore, securityEventStore } from './security-events.ts';
import { sessionStore } from './sessions.ts';
import { signingKeyStore } from './signing-keys.ts';
import { tenantStore } from './tenants.ts';
import { usedJtiStore } from './used-jtis.ts';
import { userTokenStore } from './user-tokens.ts';
import { credentialStore, userStore } from './users.ts';

function storesOn(database: Database, db: () => Db, write: Database['transaction']): Stores {
  return {
    tenants: tenantStore(database, db, write),
    clients: clientStore(database, db, write),
    signingKeys: signingKeyStore(database, db, write),
    apiKeys: apiKeyStore(database, db, write),
    users: userStore(database, db, write),
    credentials: credentialStore(database, db, write),
    sessions: sessionStore(database, db, write),
    interactions: interactionStore(database, db, write),
    grants: userGrantStore(database, db, write),
    authCodes: authCodeStore(database, db, write),
    refreshTokens: refreshTokenStore(database, db, write),
    revocations: revocationStore(database, db, write),
    usedJtis: usedJtiStore(database, db, write),
    userTokens: userTokenStore(database, db, write),
    outbox: outboxStore(database, db, write),
    terms: termsStore(database, db, write),
    devices: deviceStore(database, db, write),
    audit: auditStore(database, db, write),
    rateLimits: rateLimitStore(database, db, write),
    securityEvents: securityEventStore(database, db, write),
    apiKeyAddresses: apiKeyAddressStore(database, db, write),
    licenses: licenseStore(database, db, write),
    instanceState: instanceStateStore(database, db, write),
    usage: usageStore(database, db, write),
    usageReports: usageReportStore(database, db, write),
    plans: planStore(database, db, write),
  };
}

/** The core's Repository over a SQLite or Postgres database. */
export function createRepository(database: Database): Repository {
  // Inside repo.transaction a write joins the open transaction (the driver tracks it), passing its options on.
  const write: Database['transaction'] = (fn, options) => database.transaction(fn, options);
  return {
    ...storesOn(database, () => database.current(), write),
    async transaction(fn, options) {
      try {
        // Inside a transaction, reads and writes both use the transaction's connection.
        return await database.transaction((tx) => fn(storesOn(database, () => tx, write)), options);
      } catch (e) {
        throw sanitize(e);
      }
    },
  };
}
