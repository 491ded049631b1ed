import { bigint, boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { JSONWebKeySet, JWK } from 'jose';

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

export const clients = pgTable(
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
    previousSecretExpiresAt: ms('previous_secret_expires_at'),
    redirectUris: jsonb('redirect_uris').$type<string[]>().notNull(),
    postLogoutRedirectUris: jsonb('post_logout_redirect_uris').$type<string[]>().notNull(),
    grantTypes: jsonb('grant_types').$type<string[]>().notNull(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    audiences: jsonb('audiences').$type<string[]>().notNull(),
    tokenEndpointAuthMethod: text('token_endpoint_auth_method').notNull(),
    jwks: jsonb('jwks').$type<JSONWebKeySet>(),
    jwksUri: text('jwks_uri'),
    idTokenSignedResponseAlg: text('id_token_signed_response_alg').notNull(),
    accessTokenTtl: integer('access_token_ttl'),
    refreshTokenTtl: integer('refresh_token_ttl'),
    firstParty: boolean('first_party').notNull(),
    corsOrigins: jsonb('cors_origins').$type<string[]>().notNull(),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [uniqueIndex('clients_tenant_name').on(t.tenantId, t.name), index('clients_tenant').on(t.tenantId, t.createdAt)],
);
