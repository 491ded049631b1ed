import { bigint, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { JWK } from 'jose';

// The Postgres schema: the same tables, columns and JS types as sqlite.ts.
// Times are epoch milliseconds in bigint columns (mode 'number') on both.

const ms = (name: string) => bigint(name, { mode: 'number' });

export const tenants = pgTable('tenants', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  customDomain: text('custom_domain').unique(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const signingKeys = pgTable(
  'signing_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    kid: text('kid').notNull(),
    alg: text('alg', { enum: ['RS256', 'ES256', 'EdDSA'] }).notNull(),
    state: text('state', { enum: ['next', 'active', 'retired'] }).notNull(),
    publicJwk: jsonb('public_jwk').$type<JWK>().notNull(),
    privateJwkEnc: text('private_jwk_enc').notNull(),
    createdAt: ms('created_at').notNull(),
    activatedAt: ms('activated_at'),
    retiredAt: ms('retired_at'),
    expiresAt: ms('expires_at'),
  },
  (t) => [uniqueIndex('signing_keys_tenant_kid').on(t.tenantId, t.kid), index('signing_keys_tenant_state').on(t.tenantId, t.state)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyId: text('key_id').notNull().unique(),
    secretHash: text('secret_hash').notNull(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    expiresAt: ms('expires_at'),
    lastUsedAt: ms('last_used_at'),
    useCount: integer('use_count').notNull().default(0),
    revokedAt: ms('revoked_at'),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('api_keys_tenant').on(t.tenantId)],
);
