import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
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

// ---------------------------------------------------------------- people and OAuth state

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** Case-folded; unique per tenant. */
    email: text('email').notNull(),
    emailVerified: boolean('email_verified').notNull(),
    phone: text('phone'),
    phoneVerified: boolean('phone_verified').notNull(),
    name: text('name'),
    givenName: text('given_name'),
    familyName: text('family_name'),
    locale: text('locale'),
    picture: text('picture'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull(),
    externalId: text('external_id'),
    disabled: boolean('disabled').notNull(),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    lastLoginAt: ms('last_login_at'),
  },
  (t) => [uniqueIndex('users_tenant_email').on(t.tenantId, t.email), uniqueIndex('users_tenant_external_id').on(t.tenantId, t.externalId), index('users_tenant').on(t.tenantId, t.id)],
);

export const credentials = pgTable(
  'credentials',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tenantId: text('tenant_id').notNull(),
    /** password | totp | webauthn | recovery_code | … */
    kind: text('kind').notNull(),
    /** A hash (passwords, recovery codes) or a master-key ciphertext (TOTP seeds); never clear text. */
    secret: text('secret'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: ms('created_at').notNull(),
    lastUsedAt: ms('last_used_at'),
  },
  (t) => [index('credentials_user_kind').on(t.userId, t.kind)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** SHA-256 of the cookie's secret. */
    secretHash: text('secret_hash').notNull().unique(),
    amr: jsonb('amr').$type<string[]>().notNull(),
    acr: text('acr'),
    authTime: ms('auth_time').notNull(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    createdAt: ms('created_at').notNull(),
    lastSeenAt: ms('last_seen_at').notNull(),
    idleExpiresAt: ms('idle_expires_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
    endedAt: ms('ended_at'),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Short-lived state of one authorization request while the user signs in and consents. */
export const interactions = pgTable(
  'interactions',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    clientId: text('client_id').notNull(),
    /** SHA-256 of the secret bound to the browser (cookie). */
    secretHash: text('secret_hash').notNull(),
    /** The validated authorization request. */
    request: jsonb('request').$type<Record<string, unknown>>().notNull(),
    /** Where the step sequence stands (identify, authenticate, …, consent, done) and what it has learnt. */
    step: text('step').notNull(),
    state: jsonb('state').$type<Record<string, unknown>>().notNull(),
    userId: text('user_id'),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [index('interactions_expires').on(t.expiresAt)],
);

/** What a user consented to for a client: refresh-token families and codes hang off it. */
export const grants = pgTable(
  'grants',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    clientId: text('client_id').notNull(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    revokedAt: ms('revoked_at'),
  },
  (t) => [uniqueIndex('grants_user_client').on(t.userId, t.clientId), index('grants_tenant_client').on(t.tenantId, t.clientId)],
);

export const authCodes = pgTable('auth_codes', {
  /** SHA-256 of the code. */
  codeHash: text('code_hash').primaryKey(),
  tenantId: text('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  clientId: text('client_id').notNull(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  grantId: text('grant_id').notNull(),
  sessionId: text('session_id'),
  redirectUri: text('redirect_uri').notNull(),
  scope: text('scope').notNull(),
  nonce: text('nonce'),
  codeChallenge: text('code_challenge'),
  codeChallengeMethod: text('code_challenge_method'),
  claims: jsonb('claims').$type<Record<string, unknown>>(),
  authTime: ms('auth_time').notNull(),
  acr: text('acr'),
  amr: jsonb('amr').$type<string[]>().notNull(),
  /** The refresh-token family this code started, so a replay can revoke it. */
  familyId: text('family_id').notNull(),
  createdAt: ms('created_at').notNull(),
  expiresAt: ms('expires_at').notNull(),
  usedAt: ms('used_at'),
});

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    /** SHA-256 of the token. */
    tokenHash: text('token_hash').notNull().unique(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    clientId: text('client_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    grantId: text('grant_id').notNull(),
    familyId: text('family_id').notNull(),
    parentId: text('parent_id'),
    sessionId: text('session_id'),
    scope: text('scope').notNull(),
    authTime: ms('auth_time').notNull(),
    acr: text('acr'),
    amr: jsonb('amr').$type<string[]>().notNull(),
    createdAt: ms('created_at').notNull(),
    /** Absolute end of the family. */
    expiresAt: ms('expires_at').notNull(),
    idleExpiresAt: ms('idle_expires_at').notNull(),
    usedAt: ms('used_at'),
    revokedAt: ms('revoked_at'),
  },
  (t) => [index('refresh_tokens_family').on(t.familyId), index('refresh_tokens_grant').on(t.grantId), index('refresh_tokens_user').on(t.userId)],
);

/**
 * Revoked things that outlive no token: an access-token `jti`, a refresh-token
 * family (every access token minted from it) or a grant. Kept until `expires_at`.
 */
export const revocations = pgTable(
  'revocations',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** jti | family | grant | session */
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.kind, t.value] }), index('revocations_expires').on(t.expiresAt)],
);

/** `jti`s of client assertions already used (RFC 7523 §3 replay protection), until they expire. */
export const usedJtis = pgTable(
  'used_jtis',
  {
    /** SHA-256 of tenant, client and jti. */
    key: text('key').primaryKey(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [index('used_jtis_expires').on(t.expiresAt)],
);

// ---------------------------------------------------------------- accounts (0003)

/**
 * Single-use links and codes mailed to a user: email verification, password
 * reset, magic link, email change. Only SHA-256 hashes are stored.
 */
export const userTokens = pgTable(
  'user_tokens',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** verify_email | reset_password | magic_link | email_change */
    kind: text('kind').notNull(),
    /** SHA-256 of the link's token. */
    tokenHash: text('token_hash').notNull().unique(),
    /** SHA-256 of the token id and the short code typed instead of following the link, if any. */
    codeHash: text('code_hash'),
    /** What the token is for: the new address of an email change, the interaction a magic link continues, … */
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    /** Wrong codes typed so far (a code is refused after a few). */
    attempts: integer('attempts').notNull(),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
    usedAt: ms('used_at'),
  },
  (t) => [index('user_tokens_user_kind').on(t.userId, t.kind), index('user_tokens_expires').on(t.expiresAt)],
);

/** Durable work for the background sender: email now, webhook deliveries later. */
export const outbox = pgTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    /** The user the item is about (deleted with them). */
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    /** email */
    kind: text('kind').notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    /** email: { text, html } */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** pending | sent | failed */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: ms('next_attempt_at').notNull(),
    /** A sender working on it until then (another may take it over after). */
    claimedUntil: ms('claimed_until'),
    lastError: text('last_error'),
    createdAt: ms('created_at').notNull(),
    sentAt: ms('sent_at'),
  },
  (t) => [index('outbox_due').on(t.status, t.nextAttemptAt), index('outbox_tenant').on(t.tenantId, t.id)],
);

/** Which version of a tenant's terms and privacy policy a user accepted, and when. */
export const termsAcceptances = pgTable(
  'terms_acceptances',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    version: text('version').notNull(),
    acceptedAt: ms('accepted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.version] })],
);

/** Browsers a user has signed in from (a long-lived device cookie, SHA-256 at rest). */
export const userDevices = pgTable(
  'user_devices',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    deviceHash: text('device_hash').notNull(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    firstSeenAt: ms('first_seen_at').notNull(),
    lastSeenAt: ms('last_seen_at').notNull(),
  },
  (t) => [uniqueIndex('user_devices_user_device').on(t.userId, t.deviceHash)],
);

/**
 * The per-tenant, append-only, hash-chained audit log: `hash` = SHA-256 over
 * the previous hash and this event's canonical form; `seq` has no gaps.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    at: ms('at').notNull(),
    /** Who: `user:<id>`, `admin`, `api_key:<id>`, `system`. Never an email. */
    actor: text('actor').notNull(),
    /** What, dotted: `user.created`, `user.password_reset`, … */
    action: text('action').notNull(),
    /** About whom or what: `user:<id>`, `client:<id>`, … */
    target: text('target'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    ip: text('ip'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [uniqueIndex('audit_events_tenant_seq').on(t.tenantId, t.seq), index('audit_events_target').on(t.tenantId, t.target)],
);

/** Fixed-window counters for rate limits and lockouts, shared by every server on the database. */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    count: integer('count').notNull(),
    resetAt: ms('reset_at').notNull(),
    /** Lockout counters: no attempt is let through before this time (0: none pending). */
    blockedUntil: ms('blocked_until').notNull().default(0),
  },
  (t) => [index('rate_limits_reset').on(t.resetAt)],
);

/**
 * What a user or admin should know about (lockouts, new devices, refresh
 * token reuse, password and email changes, API keys used from new
 * addresses): one row per event, also appended to the audit chain.
 */
export const securityEvents = pgTable(
  'security_events',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** The user it concerns, if any (an API key's event concerns none). */
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    at: ms('at').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('security_events_tenant').on(t.tenantId, t.id), index('security_events_user').on(t.tenantId, t.userId, t.id), index('security_events_kind').on(t.tenantId, t.kind, t.id)],
);

/** The addresses each API key was used from: a use from an address not in the list is a security event. */
export const apiKeyAddresses = pgTable(
  'api_key_addresses',
  {
    apiKeyId: text('api_key_id')
      .notNull()
      .references(() => apiKeys.id, { onDelete: 'cascade' }),
    ip: text('ip').notNull(),
    firstSeenAt: ms('first_seen_at').notNull(),
    lastSeenAt: ms('last_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.ip] })],
);

/**
 * Installed licenses: `slot` is `instance` for the instance license or the
 * tenant id for a tenant's own license or plan (token and/or plan).
 */
export const licenses = pgTable('licenses', {
  slot: text('slot').primaryKey(),
  tenantId: text('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
  token: text('token'),
  planId: text('plan_id').references(() => plans.id, { onDelete: 'restrict' }),
  installedAt: ms('installed_at').notNull(),
});

/** Operator-defined entitlement sets sold to tenants. */
export const plans = pgTable('plans', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  description: text('description'),
  entitlements: jsonb('entitlements').$type<string[]>().notNull(),
  limits: jsonb('limits').$type<Record<string, number>>().notNull(),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

/** Monthly active users: one row per tenant, UTC month (YYYY-MM) and user, written once. */
export const usageMau = pgTable(
  'usage_mau',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    month: text('month').notNull(),
    userId: text('user_id').notNull(),
    firstAt: ms('first_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.month, t.userId] })],
);

/** Daily counters per tenant: `metric` (signin, signin_failure, registration, …) and a `dimension` (amr, reason, client, browser, …). */
export const usageDaily = pgTable(
  'usage_daily',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    metric: text('metric').notNull(),
    dimension: text('dimension').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.day, t.metric, t.dimension] })],
);

/** Small instance-wide facts: instance id and report key, license watermarks (clock sanity, grace start, notices). */
export const instanceState = pgTable('instance_state', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<unknown>().notNull(),
  updatedAt: ms('updated_at').notNull(),
});

/** Signed monthly usage reports, each chained to the previous one by hash. */
export const usageReports = pgTable(
  'usage_reports',
  {
    seq: integer('seq').primaryKey(),
    month: text('month').notNull(),
    hash: text('hash').notNull(),
    document: text('document').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('usage_reports_month').on(t.month)],
);
