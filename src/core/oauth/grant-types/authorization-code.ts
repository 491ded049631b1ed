import { pkceS256, safeEqual } from '../../../crypto/index.ts';
import type { Clock } from '../../clock.ts';
import type { Repository } from '../../ports.ts';
import { settingsOf } from '../../tenants/tenant.ts';
import { consumeAuthorizationCode } from '../codes.ts';
import { InvalidGrant, InvalidRequest } from '../errors.ts';
import type { TokenRequest, TokenResponse } from './grant-type.ts';
import { mintAccessToken } from '../tokens/access-token.ts';
import { mintIdToken } from '../tokens/id-token.ts';
import { issueRefreshToken, revokeFamily } from '../tokens/refresh-token-family.ts';
import type { TenantSigner } from '../tokens/signer.ts';
import { accessTokenTtl, audienceFor, splitScope } from './internal/issue.ts';

/**
 * The authorization_code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.6).
 * The code is single use: a second presentation is refused and revokes what
 * the first issued (RFC 6749 §4.1.2, RFC 9700 §4.2.4).
 */
export const grantType = 'authorization_code';
export const parameters = ['code', 'redirect_uri', 'code_verifier'] as const;

export interface CodeGrantDeps {
  readonly repo: Repository;
  readonly clock: Clock;
  readonly signer: TenantSigner;
}

/** RFC 7636 §4.1: code-verifier = 43*128unreserved. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const INVALID = 'the authorization code is invalid, expired or already used';

export async function handle(deps: CodeGrantDeps, req: TokenRequest): Promise<TokenResponse> {
  const { tenant, client } = req;
  const code = req.params.get('code');
  const redirectUri = req.params.get('redirect_uri');
  const verifier = req.params.get('code_verifier');
  // Malformed requests are refused before the code is touched, so a client's typo does not burn it.
  if (!code) throw new InvalidRequest('code is required');
  // OIDC Core §3.1.3.1: redirect_uri is required (it always is in an OpenID authentication request).
  if (!redirectUri) throw new InvalidRequest('redirect_uri is required');
  if (verifier !== undefined && !VERIFIER.test(verifier)) throw new InvalidRequest('code_verifier must be 43–128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1)');

  const record = await consumeAuthorizationCode(deps, tenant.id, code);
  if (!record) throw new InvalidGrant(INVALID);
  if (record.usedAt !== null) {
    // RFC 6749 §4.1.2: revoke (when possible) all tokens previously issued based on the code.
    // The family id is the access tokens' `fid` and the refresh tokens' family.
    // Lifetimes are the code owner's (the presenter may be another client holding a stolen code).
    const owner = (await deps.repo.clients.byClientId(record.clientId)) ?? client;
    const familyEnd = record.usedAt + (owner.refreshTokenTtl ?? settingsOf(tenant).refresh_token_ttl) * 1000;
    await revokeFamily(deps, tenant, owner, record.familyId, familyEnd);
    throw new InvalidGrant(INVALID);
  }
  // RFC 6749 §4.1.3: "ensure that the authorization code was issued to the authenticated confidential client".
  if (record.clientId !== client.clientId) throw new InvalidGrant(INVALID);
  if (deps.clock.now() >= record.expiresAt) throw new InvalidGrant(INVALID);
  // RFC 6749 §4.1.3: identical to the redirect_uri of the authorization request.
  if (record.redirectUri !== redirectUri) throw new InvalidGrant('redirect_uri does not match the one of the authorization request');
  verifyCodeVerifier(record.codeChallenge, verifier, client.type === 'public');

  const [user, grant] = await Promise.all([deps.repo.users.byId(tenant.id, record.userId), deps.repo.grants.byId(tenant.id, record.grantId)]);
  if (!user || user.disabled) throw new InvalidGrant('the user no longer exists or is disabled');
  // Codes hang off the grant (docs/architecture.md, the data model): one issued before its revocation (or replacement) is dead with it.
  if (!grant || grant.revokedAt !== null) throw new InvalidGrant('the authorization behind this code was revoked');

  const scopes = splitScope(record.scope);
  const ttl = accessTokenTtl(tenant, client);
  const authTime = Math.floor(record.authTime / 1000);
  const accessToken = await mintAccessToken(deps, {
    tenant,
    issuer: req.issuer,
    client,
    sub: record.userId,
    scopes,
    audience: audienceFor(req.issuer, client, scopes),
    ttl,
    claims: { auth_time: authTime, acr: record.acr, amr: record.amr, sid: record.sessionId, fid: record.familyId, gid: record.grantId },
  });
  const idToken = scopes.includes('openid')
    ? await mintIdToken(deps, {
        tenant,
        issuer: req.issuer,
        client,
        user,
        scopes,
        authTime: record.authTime,
        acr: record.acr,
        amr: record.amr,
        nonce: record.nonce,
        sid: record.sessionId,
        accessToken,
        claimsRequest: record.claims,
      })
    : undefined;
  // OIDC Core §11: a refresh token only for offline_access (consented at the authorization endpoint),
  // and only to a client allowed the refresh_token grant in a tenant that allows it. First-party
  // clients follow the same rule: they skip the consent screen, not the request for offline access.
  const refreshable = scopes.includes('offline_access') && client.grantTypes.includes('refresh_token') && settingsOf(tenant).grant_types.includes('refresh_token');
  const refreshToken = refreshable
    ? await issueRefreshToken(deps, tenant, client, {
        clientId: client.clientId,
        userId: record.userId,
        grantId: record.grantId,
        familyId: record.familyId,
        sessionId: record.sessionId,
        scope: scopes.join(' '),
        authTime: record.authTime,
        acr: record.acr,
        amr: record.amr,
      })
    : undefined;
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ttl,
    scope: scopes.join(' '),
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    ...(idToken ? { id_token: idToken } : {}),
  };
}

/**
 * RFC 7636 §4.6 with RFC 9700 §2.1.1 / §4.8.2: a stored challenge needs a
 * matching verifier (S256, compared in constant time); a verifier without a
 * stored challenge is refused (PKCE downgrade); public clients always need PKCE.
 */
function verifyCodeVerifier(challenge: string | null, verifier: string | undefined, isPublic: boolean): void {
  if (challenge === null) {
    if (verifier !== undefined) throw new InvalidGrant('code_verifier was sent but the authorization request had no code_challenge');
    if (isPublic) throw new InvalidGrant('a public client must use PKCE');
    return;
  }
  if (verifier === undefined) throw new InvalidGrant('code_verifier is required: the authorization request had a code_challenge');
  if (!safeEqual(pkceS256(verifier), challenge)) throw new InvalidGrant('code_verifier does not match the code_challenge');
}
