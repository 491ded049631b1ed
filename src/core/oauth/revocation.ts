import type { RevocationStore } from '../ports.ts';
import { lookupOrder, ownAccessToken, requiredToken, type TokenLookupDeps, type TokenRequestOf } from './introspection.ts';

export interface RevocationDeps extends TokenLookupDeps {
  readonly revocations: RevocationStore;
}

/** Seconds added to an access token's `exp` for the deny-list entry: covers the verifiers' clock tolerance. */
const EXPIRY_MARGIN = 60;

/**
 * RFC 7009 §2.1: revokes a token the client holds. An access token's `jti`
 * goes on the deny list until the token expires; a refresh token goes to the
 * refresh-token port (which revokes its family). Another client's token,
 * another tenant's, an expired or unknown one: nothing happens, and the
 * answer is the same 200 (§2.2).
 */
export async function revoke(deps: RevocationDeps, req: TokenRequestOf): Promise<void> {
  const token = requiredToken(req.params);
  for (const kind of lookupOrder(req.params.get('token_type_hint'))) {
    if (kind === 'access_token') {
      const claims = await ownAccessToken(deps, req, token);
      if (claims) {
        const now = deps.clock.now();
        await deps.revocations.revoke(req.tenant.id, 'jti', claims.jti, (claims.exp + EXPIRY_MARGIN) * 1000, now);
        return;
      }
    } else if (deps.refreshTokens && (await deps.refreshTokens.revoke(req.tenant, req.client, token))) {
      return;
    }
  }
}
