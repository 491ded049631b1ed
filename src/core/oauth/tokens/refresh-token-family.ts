import { MAX_ACCESS_TOKEN_TTL } from '../../consents/revoke-grant.ts';
import { recordAudit } from '../../audit/record.ts';
import { sha256, typedSecret, uuidv7 } from '../../../crypto/index.ts';
import type { Client } from '../../clients/client.ts';
import type { Clock } from '../../clock.ts';
import type { Repository } from '../../ports.ts';
import { settingsOf, type Tenant } from '../../tenants/tenant.ts';
import type { RefreshToken, RefreshTokenLookup } from './refresh-token.ts';
import type { IntrospectionResult } from '../introspection.ts';

/**
 * What the introspection and revocation endpoints need to know about refresh
 * tokens (opaque, stored as SHA-256). Implemented with the refresh_token grant.
 */
export interface RefreshTokenPort {
  /** RFC 7662: the token's state if it belongs to `client` in `tenant`; `{active:false}` otherwise. */
  introspect(tenant: Tenant, issuer: string, client: Client, token: string): Promise<IntrospectionResult>;
  /** RFC 7009 §2.1: revokes the token's whole family (and the access tokens minted from it) if it is the client's; silently does nothing otherwise. Returns whether it was a refresh token of this client. */
  revoke(tenant: Tenant, client: Client, token: string): Promise<boolean>;
}

export interface RefreshTokenDeps {
  readonly repo: Pick<Repository, 'refreshTokens' | 'transaction'>;
  readonly clock: Clock;
}

const PREFIX = 'af_rt_';

/** The stored hash of a presented value, or undefined when it cannot be one of ours (no lookup for garbage). */
export function refreshTokenHash(token: string): string | undefined {
  return token.startsWith(PREFIX) && token.length <= 100 ? sha256(token) : undefined;
}

/** Absolute lifetime of a new family: the client's override or the tenant's `refresh_token_ttl` (seconds). */
function absoluteTtl(tenant: Tenant, client: Client): number {
  return client.refreshTokenTtl ?? settingsOf(tenant).refresh_token_ttl;
}

/** The idle end of a token created at `now`: `refresh_token_idle_ttl` later, never after the family's absolute end. */
export function idleExpiry(tenant: Tenant, now: number, absoluteEnd: number): number {
  return Math.min(now + settingsOf(tenant).refresh_token_idle_ttl * 1000, absoluteEnd);
}

/**
 * How long a `family` revocation must be kept: until the last access token
 * minted from the family has expired (its absolute end plus the longest
 * access-token lifetime).
 */
export function familyRevocationUntil(_tenant: Tenant, _client: Client, familyEnd: number): number {
  // The longest access-token lifetime any setting allows: lowering a lifetime later must not uncover older tokens.
  return familyEnd + MAX_ACCESS_TOKEN_TTL * 1000;
}

/** Fields a new family takes from the authorization it comes from. */
export type FamilyStart = Pick<RefreshToken, 'clientId' | 'userId' | 'grantId' | 'familyId' | 'sessionId' | 'scope' | 'authTime' | 'acr' | 'amr'>;

/** Issues the first refresh token of a family (at the code exchange). Returns the opaque value, shown once. */
export async function issueRefreshToken(deps: RefreshTokenDeps, tenant: Tenant, client: Client, start: FamilyStart): Promise<string> {
  const now = deps.clock.now();
  const expiresAt = now + absoluteTtl(tenant, client) * 1000;
  const value = typedSecret('rt');
  await deps.repo.refreshTokens.insert({
    ...start,
    id: uuidv7(now),
    tokenHash: sha256(value),
    tenantId: tenant.id,
    parentId: null,
    createdAt: now,
    expiresAt,
    idleExpiresAt: idleExpiry(tenant, now, expiresAt),
    usedAt: null,
    revokedAt: null,
  });
  return value;
}

/**
 * Rotates `used` (RFC 9700 §4.14.2): its successor keeps the family, scope and
 * absolute end, and gets a fresh idle end. Returns the new value, or undefined
 * when `used` was used or revoked concurrently (the caller treats that as reuse).
 */
export async function rotateRefreshToken(deps: RefreshTokenDeps, tenant: Tenant, used: RefreshToken): Promise<string | undefined> {
  const now = deps.clock.now();
  const value = typedSecret('rt');
  const ok = await deps.repo.refreshTokens.rotate(used.id, now, {
    ...used,
    id: uuidv7(now),
    tokenHash: sha256(value),
    parentId: used.id,
    createdAt: now,
    idleExpiresAt: idleExpiry(tenant, now, used.expiresAt),
    usedAt: null,
    revokedAt: null,
  });
  return ok ? value : undefined;
}

/** Revokes a family: its refresh tokens, and the access tokens minted from it (a `family` revocation, claim `fid`). */
export async function revokeFamily(deps: RefreshTokenDeps, tenant: Tenant, client: Client, familyId: string, familyEnd: number, reuse?: { readonly userId: string }): Promise<void> {
  const now = deps.clock.now();
  await deps.repo.transaction(async (s) => {
    await s.refreshTokens.revokeFamily(tenant.id, familyId, now);
    await s.revocations.revoke(tenant.id, 'family', familyId, familyRevocationUntil(tenant, client, Math.max(familyEnd, now)), now);
    // A rotated token came back: someone holds a copy. Recorded with the revocation it caused.
    if (reuse) await recordAudit(s, { tenantId: tenant.id, at: now, actor: `client:${client.clientId}`, action: 'token.refresh_reused', target: `user:${reuse.userId}`, data: { client_id: client.clientId, family_id: familyId, family_revoked: true } });
  });
}

/** Why a looked-up token cannot be used now, or undefined when it can. `reused` means a rotated token came back. */
export function refusalOf(found: RefreshTokenLookup, client: Client, now: number): 'not_client' | 'revoked' | 'reused' | 'expired' | 'user' | 'grant' | undefined {
  const t = found.token;
  if (t.clientId !== client.clientId) return 'not_client';
  if (t.revokedAt !== null) return 'revoked';
  if (t.usedAt !== null) return 'reused';
  if (now >= t.expiresAt || now >= t.idleExpiresAt) return 'expired';
  if (!found.user || found.user.disabled) return 'user';
  if (!found.grantActive) return 'grant';
  return undefined;
}

/** The RefreshTokenPort the introspection (RFC 7662) and revocation (RFC 7009) endpoints use. */
export function createRefreshTokenPort(deps: RefreshTokenDeps): RefreshTokenPort {
  const find = async (tenant: Tenant, token: string) => {
    const hash = refreshTokenHash(token);
    return hash ? deps.repo.refreshTokens.lookup(tenant.id, hash) : undefined;
  };
  return {
    async introspect(tenant, issuer, client, token): Promise<IntrospectionResult> {
      const found = await find(tenant, token);
      // RFC 7662 §2.2: anything not active for this client is just { active: false }, whatever the reason.
      if (!found || refusalOf(found, client, deps.clock.now()) !== undefined) return { active: false };
      const t = found.token;
      return {
        active: true,
        scope: t.scope,
        client_id: t.clientId,
        sub: t.userId,
        exp: Math.floor(t.idleExpiresAt / 1000),
        iat: Math.floor(t.createdAt / 1000),
        iss: issuer,
      };
    },
    async revoke(tenant, client, token) {
      const found = await find(tenant, token);
      // RFC 7009 §2.1: only the client the token was issued to may revoke it; others learn nothing.
      if (!found || found.token.clientId !== client.clientId) return false;
      if (found.token.revokedAt === null) await revokeFamily(deps, tenant, client, found.token.familyId, found.token.expiresAt);
      return true;
    },
  };
}
