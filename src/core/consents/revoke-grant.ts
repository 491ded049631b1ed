import type { Stores } from '../ports.ts';
import type { UserGrant } from './user-grant.ts';

/**
 * The longest an access token can live, in seconds: tenant settings and client
 * overrides both cap `access_token_ttl` at one day. A `grant` revocation is kept
 * this long so it also covers tokens minted before an admin shortened a lifetime.
 */
export const MAX_ACCESS_TOKEN_TTL = 86_400;

/** Kept beyond that: requests in flight when the grant was revoked, and clock skew between instances. */
const MARGIN_MS = 60_000;

/**
 * Revokes a grant (what hangs off it is revoked with it: docs/architecture.md, the data model), with
 * `s` the stores of one open transaction:
 * - the grant row is marked revoked, so its refresh tokens and pending
 *   authorization codes are refused (both check their grant) and the next
 *   authorization request asks for consent again;
 * - every refresh-token family of the grant is revoked;
 * - a `grant` revocation makes every access token carrying its `gid` invalid
 *   at userinfo and introspection at once (RFC 7009 §2 for self-contained tokens).
 *
 * Returns how many refresh-token families were still live, or undefined when
 * the grant was already revoked (a concurrent revocation won).
 */
export async function revokeGrant(s: Stores, grant: UserGrant, now: number): Promise<{ refreshTokens: number } | undefined> {
  if (!(await s.grants.revoke(grant.tenantId, grant.id, now))) return undefined;
  const refreshTokens = await s.refreshTokens.revokeGrant(grant.tenantId, grant.id, now);
  await s.revocations.revoke(grant.tenantId, 'grant', grant.id, now + MAX_ACCESS_TOKEN_TTL * 1000 + MARGIN_MS, now);
  return { refreshTokens };
}
