import type { Repository } from '../ports.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import { userClaims } from './claims.ts';
import { InsufficientScope, InvalidToken } from './errors.ts';
import { splitScope } from './grant-types/internal/issue.ts';
import { verifyAccessToken, type AccessTokenVerifierDeps } from './tokens/access-token.ts';

export interface UserInfoDeps extends AccessTokenVerifierDeps {
  readonly repo: Pick<Repository, 'users'>;
}

/**
 * OIDC Core §5.3: the claims about the token's user for the token's scopes
 * (the same mapping as the ID token, see claims.ts), `sub` always. The token
 * must be a valid access token of this tenant (RFC 9068) carrying `openid`.
 * One indexed read: the user by id.
 */
export async function userInfo(deps: UserInfoDeps, tenant: Tenant, issuer: string, token: string): Promise<{ claims: Record<string, unknown> }> {
  const at = await verifyAccessToken(deps, tenant, issuer, token);
  // RFC 9068 §4: the resource server checks it is an audience; UserInfo is the issuer's (grants/internal/issue.ts audienceFor).
  const aud = Array.isArray(at.aud) ? at.aud : [at.aud];
  if (!aud.includes(issuer)) throw new InvalidToken('the access token is not meant for this UserInfo endpoint');
  const scopes = splitScope(typeof at.scope === 'string' ? at.scope : '');
  // RFC 6750 §3.1 insufficient_scope; OIDC Core §5.3.1: UserInfo needs an access token obtained through an OpenID request.
  if (!scopes.includes('openid')) throw new InsufficientScope('openid');
  const user = typeof at.sub === 'string' ? await deps.repo.users.byId(tenant.id, at.sub) : undefined;
  // The user is gone or disabled: the token no longer stands for anyone (RFC 6750 §3.1 invalid_token).
  if (!user || user.disabled) throw new InvalidToken('the access token no longer stands for an active user');
  return { claims: userClaims(user, scopes, settingsOf(tenant)) };
}
