import type { ApiKey } from './apikeys/api-key.ts';
import type { SigningKey } from './keys/signing-key.ts';
import type { Tenant } from './tenants/tenant.ts';

/**
 * The narrow storage interfaces the domain needs. `src/db/stores` implements
 * them for SQLite and Postgres; unique violations surface as `Conflict`.
 */
export interface TenantStore {
  insert(tenant: Tenant): Promise<void>;
  byId(id: string): Promise<Tenant | undefined>;
  bySlug(slug: string): Promise<Tenant | undefined>;
  list(): Promise<Tenant[]>;
  count(): Promise<number>;
}

export interface SigningKeyStore {
  insert(key: SigningKey): Promise<void>;
  listByTenant(tenantId: string): Promise<SigningKey[]>;
}

export interface ApiKeyStore {
  insert(key: ApiKey): Promise<void>;
  byKeyId(keyId: string): Promise<ApiKey | undefined>;
}

export interface Stores {
  readonly tenants: TenantStore;
  readonly signingKeys: SigningKeyStore;
  readonly apiKeys: ApiKeyStore;
}

/** Stores plus a unit of work: everything inside `transaction` commits or nothing does. */
export interface Repository extends Stores {
  transaction<T>(fn: (stores: Stores) => Promise<T>): Promise<T>;
}
