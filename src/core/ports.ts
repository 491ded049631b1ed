import type { ApiKey } from './apikeys/api-key.ts';
import type { Client } from './clients/client.ts';
import type { SigningKey } from './keys/signing-key.ts';
import type { Tenant } from './tenants/tenant.ts';

/** One page of a list ordered by id (ids are time-ordered UUIDv7s): pass `after` = the last id seen. */
export interface PageQuery {
  readonly limit: number;
  readonly after?: string | undefined;
}

/**
 * The narrow storage interfaces the domain needs. `src/db/stores` implements
 * them for SQLite and Postgres; unique violations surface as `Conflict`.
 */
export interface TenantStore {
  insert(tenant: Tenant): Promise<void>;
  update(tenant: Tenant): Promise<void>;
  /** Deletes the tenant and, by cascade, everything it owns. */
  delete(id: string): Promise<boolean>;
  byId(id: string): Promise<Tenant | undefined>;
  bySlug(slug: string): Promise<Tenant | undefined>;
  byDomain(domain: string): Promise<Tenant | undefined>;
  list(page?: PageQuery): Promise<Tenant[]>;
  count(): Promise<number>;
}

export interface ClientStore {
  insert(client: Client): Promise<void>;
  update(client: Client): Promise<void>;
  delete(tenantId: string, clientId: string): Promise<boolean>;
  byClientId(clientId: string): Promise<Client | undefined>;
  listByTenant(tenantId: string, page?: PageQuery): Promise<Client[]>;
  /** The longest access-token lifetime any client of the tenant overrides to (seconds), or null. */
  maxAccessTokenTtl(tenantId: string): Promise<number | null>;
}

export interface SigningKeyStore {
  insert(key: SigningKey): Promise<void>;
  update(key: SigningKey): Promise<void>;
  listByTenant(tenantId: string): Promise<SigningKey[]>;
  /** Every key of every tenant, for re-encryption under a new master key. */
  listAll(): Promise<SigningKey[]>;
}

export interface ApiKeyStore {
  insert(key: ApiKey): Promise<void>;
  byKeyId(keyId: string): Promise<ApiKey | undefined>;
  byId(id: string): Promise<ApiKey | undefined>;
  /** tenantId undefined: every key; null: instance keys only. */
  list(tenantId: string | null | undefined, page?: PageQuery): Promise<ApiKey[]>;
  revoke(id: string, at: number): Promise<boolean>;
  /** Adds `count` uses and sets last-used time (batched by the caller). */
  recordUse(id: string, count: number, lastUsedAt: number): Promise<void>;
}

export interface Stores {
  readonly tenants: TenantStore;
  readonly clients: ClientStore;
  readonly signingKeys: SigningKeyStore;
  readonly apiKeys: ApiKeyStore;
}

/** Stores plus a unit of work: everything inside `transaction` commits or nothing does. */
export interface Repository extends Stores {
  /** `durable`: the commit must survive power loss (key material); slower on SQLite. */
  transaction<T>(fn: (stores: Stores) => Promise<T>, options?: { durable?: boolean }): Promise<T>;
}

/**
 * Tells this process that stored configuration changed — here or in another
 * process sharing the database — so caches can drop what they hold.
 */
export interface ChangeFeed {
  subscribe(listener: () => void): () => void;
}
