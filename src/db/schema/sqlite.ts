import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { JWK } from 'jose';

// The SQLite schema. `pg.ts` declares the same tables, columns and JS types;
// the stores are written once against this one (see driver.ts).

export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  customDomain: text('custom_domain').unique(),
  settings: text('settings', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const signingKeys = sqliteTable(
  'signing_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    kid: text('kid').notNull(),
    alg: text('alg', { enum: ['RS256', 'ES256', 'EdDSA'] }).notNull(),
    state: text('state', { enum: ['next', 'active', 'retired'] }).notNull(),
    publicJwk: text('public_jwk', { mode: 'json' }).$type<JWK>().notNull(),
    privateJwkEnc: text('private_jwk_enc').notNull(),
    createdAt: integer('created_at').notNull(),
    activatedAt: integer('activated_at'),
    retiredAt: integer('retired_at'),
    expiresAt: integer('expires_at'),
  },
  (t) => [uniqueIndex('signing_keys_tenant_kid').on(t.tenantId, t.kid), index('signing_keys_tenant_state').on(t.tenantId, t.state)],
);

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyId: text('key_id').notNull().unique(),
    secretHash: text('secret_hash').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    expiresAt: integer('expires_at'),
    lastUsedAt: integer('last_used_at'),
    useCount: integer('use_count').notNull().default(0),
    revokedAt: integer('revoked_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('api_keys_tenant').on(t.tenantId)],
);
