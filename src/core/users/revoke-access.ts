import { MAX_ACCESS_TOKEN_TTL } from '../consents/revoke-grant.ts';
import type { Stores } from '../ports.ts';

/** Kept beyond the longest access-token lifetime: requests in flight and clock skew between instances. */
const MARGIN_MS = 60_000;

/**
 * Signs a user out everywhere (a password change or reset, disabling,
 * deletion), with `s` the stores of an open transaction: every SSO session
 * but `exceptSessionId` ends, every refresh token is revoked, and `session`
 * and `family` revocations make the access tokens minted from them invalid
 * at userinfo and introspection at once. Pending reset and magic links die too.
 */
export async function revokeUserAccess(s: Stores, input: { tenantId: string; userId: string; now: number; exceptSessionId?: string | undefined }): Promise<{ sessions: number; refreshFamilies: number }> {
  const { tenantId, userId, now } = input;
  const until = now + MAX_ACCESS_TOKEN_TTL * 1000 + MARGIN_MS;
  const sessions = await s.sessions.endAllOfUser(tenantId, userId, now, until, input.exceptSessionId);
  const families = await s.refreshTokens.revokeAllOfUser(tenantId, userId, now);
  for (const family of families) await s.revocations.revoke(tenantId, 'family', family, until, now);
  await s.userTokens.invalidate(tenantId, userId, ['reset_password', 'magic_link'], now);
  return { sessions: sessions.length, refreshFamilies: families.length };
}
