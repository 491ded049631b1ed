import { sha256 } from '../../crypto/index.ts';
import { ValidationFailed } from '../errors.ts';
import type { ApiKey } from '../apikeys/api-key.ts';
import type { Client } from '../clients/client.ts';
import type { UserGrant } from '../consents/user-grant.ts';
import type { User } from '../users/user.ts';
import type { SessionData } from '../users/export-data.ts';
import { keyStatus } from '../keys/lifecycle.ts';
import type { SigningKey } from '../keys/signing-key.ts';
import { discoveryUrlOf, issuerOf, settingsOf, type Tenant } from '../tenants/tenant.ts';

// The wire shapes of management resources, shared by the API and the CLI
// (local or remote), so both print the same thing.

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function tenantView(t: Tenant, publicUrl: string) {
  const issuer = issuerOf(t, publicUrl);
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    custom_domain: t.customDomain,
    issuer,
    discovery_url: discoveryUrlOf(issuer),
    settings: settingsOf(t),
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
  };
}

export function clientView(c: Client, tenantSlug: string) {
  return {
    client_id: c.clientId,
    tenant: tenantSlug,
    name: c.name,
    type: c.type,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    grant_types: c.grantTypes,
    scopes: c.scopes,
    audiences: c.audiences,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    jwks: c.jwks,
    jwks_uri: c.jwksUri,
    id_token_signed_response_alg: c.idTokenSignedResponseAlg,
    access_token_ttl: c.accessTokenTtl,
    refresh_token_ttl: c.refreshTokenTtl,
    first_party: c.firstParty,
    cors_origins: c.corsOrigins,
    previous_secret_expires_at: iso(c.previousSecretExpiresAt),
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

export function keyView(k: SigningKey, now: number) {
  return {
    kid: k.kid,
    alg: k.alg,
    use: 'sig' as const,
    status: keyStatus(k, now),
    created_at: iso(k.createdAt),
    activates_at: iso(k.activatedAt),
    retires_at: iso(k.retiredAt),
    expires_at: iso(k.expiresAt),
  };
}

export function apiKeyView(k: ApiKey, tenantSlug: string | null) {
  return {
    id: k.id,
    key_id: k.keyId,
    name: k.name,
    tenant: tenantSlug,
    scopes: k.scopes,
    expires_at: iso(k.expiresAt),
    last_used_at: iso(k.lastUsedAt),
    use_count: k.useCount,
    revoked_at: iso(k.revokedAt),
    created_at: iso(k.createdAt),
  };
}

/** A user as the management interfaces show it: profile and state, never credentials. */
export function userView(u: User, tenantSlug: string) {
  return {
    id: u.id,
    tenant: tenantSlug,
    email: u.email,
    email_verified: u.emailVerified,
    name: u.name,
    given_name: u.givenName,
    family_name: u.familyName,
    phone: u.phone,
    phone_verified: u.phoneVerified,
    locale: u.locale,
    picture: u.picture,
    attributes: { ...u.attributes },
    external_id: u.externalId,
    disabled: u.disabled,
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
    last_login_at: iso(u.lastLoginAt),
  };
}

/** One consent of a user: a live grant of one client (the client's name is null once the client is deleted). */
export function consentView(g: UserGrant, client: Client | undefined) {
  return {
    client_id: g.clientId,
    client_name: client?.name ?? null,
    scopes: [...g.scopes],
    created_at: iso(g.createdAt)!,
    updated_at: iso(g.updatedAt)!,
  };
}

/** A user's live sessions (never their secrets). */
export interface SessionListView {
  readonly tenant: string;
  readonly user_id: string;
  readonly items: SessionData[];
}

/** What signing a user out did (revoke-sessions, set-password). */
export interface AccessRevocationView {
  readonly tenant: string;
  readonly user_id: string;
  readonly sessions_ended: number;
  readonly refresh_families_revoked: number;
}

export type TenantView = ReturnType<typeof tenantView>;
export type UserView = ReturnType<typeof userView>;
export type ClientView = ReturnType<typeof clientView>;
export type KeyView = ReturnType<typeof keyView>;
export type ApiKeyView = ReturnType<typeof apiKeyView>;
export type ConsentView = ReturnType<typeof consentView>;

/** A user's consents. */
export interface ConsentListView {
  readonly tenant: string;
  readonly user_id: string;
  readonly email: string;
  readonly items: ConsentView[];
}

/** What a consent revocation did: for each consent revoked, when, and how many live refresh tokens (one per family) died with it. */
export interface ConsentRevocationView {
  readonly tenant: string;
  readonly user_id: string;
  readonly email: string;
  readonly revoked: (ConsentView & { readonly revoked_at: string; readonly refresh_tokens_revoked: number })[];
}

/** A strong entity tag for a resource's wire form (RFC 9110 §8.8.3). */
export function etagOf(view: unknown): string {
  return `"${sha256(JSON.stringify(view)).slice(0, 27)}"`;
}

/** RFC 9110 §13.1.1: If-Match is `*` or a list of entity tags; absent means no condition. */
export function ifMatchAllows(ifMatch: string | undefined, etag: string): boolean {
  if (ifMatch === undefined) return true;
  const tags = ifMatch.split(',').map((t) => t.trim());
  return tags.includes('*') || tags.includes(etag);
}

/** A page of results with an opaque cursor for the next one. */
export interface Page<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

export function encodeCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw new ValidationFailed('cursor', 'is not a cursor this server issued');
  return id;
}
