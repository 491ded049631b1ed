import { STANDARD_SCOPES } from '../../tenants/settings.ts';
import type { Clock } from '../../clock.ts';
import { InvalidScope, InvalidTarget } from '../errors.ts';
import type { TokenRequest, TokenResponse } from './grant-type.ts';
import { parameterValues } from '../token-endpoint.ts';
import { mintAccessToken } from '../tokens/access-token.ts';
import type { TenantSigner } from '../tokens/signer.ts';
import { accessTokenTtl, splitScope } from './internal/issue.ts';

/**
 * The client_credentials grant (RFC 6749 §4.4): the client acts on its own
 * behalf, so the token's `sub` is its client_id (RFC 9068 §2.2). No database
 * access at all: client, tenant and signing key come from caches.
 *
 * - `scope` ⊆ the client's registered scopes, else invalid_scope (RFC 6749
 *   §3.3, never widened). Absent: all of the client's registered scopes. The
 *   OpenID Connect scopes (openid, profile, email, …, offline_access) ask for
 *   a user's claims and there is no user here: they are refused when asked
 *   and left out of the default.
 * - `resource` (RFC 8707 §2, may repeat; absolute URIs) and `audience` ⊆ the
 *   client's registered audiences, else invalid_target. Neither given: the
 *   token is for all of them (the issuer when the client has none).
 * - No refresh token (RFC 6749 §4.4.3).
 */
export const grantType = 'client_credentials';
export const parameters = ['scope', 'resource', 'audience'] as const;

export interface ClientCredentialsDeps {
  readonly signer: TenantSigner;
  readonly clock: Clock;
}

const USER_SCOPES: ReadonlySet<string> = new Set(STANDARD_SCOPES);

export async function handle(deps: ClientCredentialsDeps, req: TokenRequest): Promise<TokenResponse> {
  const { client } = req;
  const asked = req.params.get('scope');
  let scopes: string[];
  if (asked === undefined) {
    scopes = client.scopes.filter((s) => !USER_SCOPES.has(s));
  } else {
    scopes = splitScope(asked);
    const user = scopes.filter((s) => USER_SCOPES.has(s));
    if (user.length) throw new InvalidScope(`${user.join(' ')}: OpenID Connect scopes need a user and are not available with client_credentials`);
    const wider = scopes.filter((s) => !client.scopes.includes(s));
    if (wider.length) throw new InvalidScope(`the client is not allowed the scope ${wider.join(' ')}`);
  }

  const resources = parameterValues(req.params, 'resource');
  for (const r of resources) if (!isResourceUri(r)) throw new InvalidTarget(`resource must be an absolute URI without a fragment (RFC 8707 §2): ${r}`);
  const named = req.params.get('audience');
  const targets = named === undefined ? resources : [...resources, named];
  const outside = targets.filter((a) => !client.audiences.includes(a));
  if (outside.length) throw new InvalidTarget(`the client may not obtain tokens for ${outside.join(', ')}`);
  const audience = targets.length ? [...new Set(targets)] : client.audiences;

  const ttl = accessTokenTtl(req.tenant, client);
  const accessToken = await mintAccessToken(deps, { tenant: req.tenant, issuer: req.issuer, client, sub: client.clientId, scopes, audience, ttl });
  return { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, ...(scopes.length ? { scope: scopes.join(' ') } : {}) };
}

function isResourceUri(s: string): boolean {
  if (s.includes('#')) return false;
  try {
    return new URL(s).protocol.length > 1;
  } catch {
    return false;
  }
}
