import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { JSONWebKeySet, JWK } from 'jose';

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

export const clients = sqliteTable(
  'clients',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    clientId: text('client_id').notNull().unique(),
    name: text('name').notNull(),
    type: text('type', { enum: ['confidential', 'public'] }).notNull(),
    secretHash: text('secret_hash'),
    previousSecretHash: text('previous_secret_hash'),
    previousSecretExpiresAt: integer('previous_secret_expires_at'),
    redirectUris: text('redirect_uris', { mode: 'json' }).$type<string[]>().notNull(),
    postLogoutRedirectUris: text('post_logout_redirect_uris', { mode: 'json' }).$type<string[]>().notNull(),
    grantTypes: text('grant_types', { mode: 'json' }).$type<string[]>().notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    audiences: text('audiences', { mode: 'json' }).$type<string[]>().notNull(),
    tokenEndpointAuthMethod: text('token_endpoint_auth_method').notNull(),
    jwks: text('jwks', { mode: 'json' }).$type<JSONWebKeySet>(),
    jwksUri: text('jwks_uri'),
    idTokenSignedResponseAlg: text('id_token_signed_response_alg').notNull(),
    accessTokenTtl: integer('access_token_ttl'),
    refreshTokenTtl: integer('refresh_token_ttl'),
    firstParty: integer('first_party', { mode: 'boolean' }).notNull(),
    corsOrigins: text('cors_origins', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('clients_tenant_name').on(t.tenantId, t.name), index('clients_tenant').on(t.tenantId, t.createdAt)],
);
