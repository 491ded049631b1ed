import type { Client } from '../clients/client.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { InvalidRequest, isOAuthError } from './errors.ts';
import { verifyAccessToken, type AccessTokenClaims, type AccessTokenVerifierDeps } from './tokens/access-token.ts';
import type { RefreshTokenPort } from './tokens/refresh-token-family.ts';

/** RFC 7662 §2.2 fields for an active token (inactive tokens are `{ active: false }` only). */
export interface IntrospectionResult {
  readonly active: boolean;
  readonly scope?: string;
  readonly client_id?: string;
  readonly sub?: string;
  readonly exp?: number;
  readonly iat?: number;
  readonly token_type?: string;
  readonly aud?: string | string[];
  readonly iss?: string;
  readonly jti?: string;
}

export interface TokenLookupDeps extends AccessTokenVerifierDeps {
  readonly refreshTokens?: RefreshTokenPort | undefined;
}

export interface TokenRequestOf {
  readonly tenant: Tenant;
  readonly issuer: string;
  /** The authenticated client: only its own tokens are found. */
  readonly client: Client;
  readonly params: ReadonlyMap<string, string>;
}

const INACTIVE: IntrospectionResult = Object.freeze({ active: false });

/**
 * RFC 7662 §2: the state of a token this client holds. Another client's
 * token, another tenant's, a revoked, expired or unknown one are all just
 * `{ active: false }` (§2.2). `token_type_hint` only orders the lookups
 * (§2.1: an unknown hint is ignored).
 */
export async function introspect(deps: TokenLookupDeps, req: TokenRequestOf): Promise<IntrospectionResult> {
  const token = requiredToken(req.params);
  for (const kind of lookupOrder(req.params.get('token_type_hint'))) {
    if (kind === 'access_token') {
      const claims = await ownAccessToken(deps, req, token);
      if (claims) return introspectionOf(claims);
    } else if (deps.refreshTokens) {
      const result = await deps.refreshTokens.introspect(req.tenant, req.issuer, req.client, token);
      if (result.active) return result;
    }
  }
  return INACTIVE;
}

/** RFC 7662 §2.2 members for an active access token. */
function introspectionOf(c: AccessTokenClaims): IntrospectionResult {
  return {
    active: true,
    ...(c.scope !== undefined ? { scope: c.scope } : {}),
    client_id: c.client_id,
    sub: c.sub,
    exp: c.exp,
    iat: c.iat,
    iss: c.iss,
    aud: c.aud,
    jti: c.jti,
    token_type: 'Bearer',
  };
}

/** RFC 7662 §2.1 / RFC 7009 §2.1: `token` is REQUIRED. */
export function requiredToken(params: ReadonlyMap<string, string>): string {
  const token = params.get('token');
  if (token === undefined) throw new InvalidRequest('token is required');
  return token;
}

/** The hinted kind first, then the other (RFC 7009 §2.1 "extend its search across all of its supported token types"). */
export function lookupOrder(hint: string | undefined): readonly ('access_token' | 'refresh_token')[] {
  return hint === 'refresh_token' ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token'];
}

/** The claims of `token` if it is a valid access token of this tenant issued to this client; undefined otherwise. */
export async function ownAccessToken(deps: AccessTokenVerifierDeps, req: TokenRequestOf, token: string): Promise<AccessTokenClaims | undefined> {
  // Only something shaped like a JWS compact serialization is worth verifying.
  if (token.length > 8192 || token.split('.').length !== 3) return undefined;
  try {
    const claims = await verifyAccessToken(deps, req.tenant, req.issuer, token);
    return claims.client_id === req.client.clientId ? claims : undefined;
  } catch (e) {
    if (isOAuthError(e)) return undefined;
    throw e;
  }
}
