import type { Clock } from '../../clock.ts';
import type { MailDeps } from '../../mail/mail.ts';
import type { Repository } from '../../ports.ts';
import { emitSecurityEvent, noticeTime } from '../../security/record.ts';
import type { SecuritySignals } from '../../security/signals.ts';
import type { RefreshTokenLookup } from '../tokens/refresh-token.ts';
import { InvalidGrant, InvalidRequest, InvalidScope } from '../errors.ts';
import type { TokenRequest, TokenResponse } from './grant-type.ts';
import { mintAccessToken } from '../tokens/access-token.ts';
import { mintIdToken } from '../tokens/id-token.ts';
import { refreshTokenHash, refusalOf, revokeFamily, rotateRefreshToken } from '../tokens/refresh-token-family.ts';
import type { TenantSigner } from '../tokens/signer.ts';
import type { ActivityMeter } from '../../usage/activity.ts';
import { accessTokenTtl, audienceFor, splitScope } from './internal/issue.ts';

/**
 * The refresh_token grant (RFC 6749 §6) with rotation and reuse detection
 * (RFC 9700 §4.14.2). The hot path is one indexed read (token ⋈ user ⋈ grant)
 * and one write transaction (guarded UPDATE of the used token + INSERT of its
 * successor).
 */
export const grantType = 'refresh_token';
export const parameters = ['refresh_token', 'scope'] as const;

export interface RefreshGrantDeps {
  readonly repo: Repository;
  readonly clock: Clock;
  readonly signer: TenantSigner;
  readonly mail: MailDeps;
  readonly signals?: SecuritySignals | undefined;
  /** Counts the user as active this month (a refresh-token exchange counts like a sign-in). */
  readonly activity?: ActivityMeter;
}

const INVALID = 'the refresh token is invalid, expired or revoked';

export async function handle(deps: RefreshGrantDeps, req: TokenRequest): Promise<TokenResponse> {
  const { tenant, client } = req;
  const presented = req.params.get('refresh_token');
  if (!presented) throw new InvalidRequest('refresh_token is required');
  const hash = refreshTokenHash(presented);
  const found = hash ? await deps.repo.refreshTokens.lookup(tenant.id, hash) : undefined;
  if (!found) throw new InvalidGrant(INVALID);
  const t = found.token;

  switch (refusalOf(found, client, deps.clock.now())) {
    case undefined:
      break;
    case 'reused':
      // RFC 9700 §4.14.2: a rotated token came back — the family is compromised; revoke all of it.
      await revokeFamily(deps, tenant, client, t.familyId, t.expiresAt, { userId: t.userId });
      await reuseDetected(deps, req, found);
      throw new InvalidGrant(INVALID);
    case 'user':
      throw new InvalidGrant('the user of this refresh token no longer exists or is disabled');
    case 'grant':
      throw new InvalidGrant('the authorization behind this refresh token was revoked');
    default:
      // Another client's (RFC 6749 §6 "issued to the authenticated client"), revoked, or expired.
      throw new InvalidGrant(INVALID);
  }

  // RFC 6749 §6: `scope` may narrow, never widen; the successor keeps the original scope.
  const granted = splitScope(t.scope);
  let scopes = granted;
  const asked = req.params.get('scope');
  if (asked !== undefined) {
    const requested = splitScope(asked);
    const wider = requested.filter((s) => !granted.includes(s));
    if (wider.length) throw new InvalidScope(`scope exceeds what was granted: ${wider.join(' ')}`);
    if (!requested.length) throw new InvalidScope('scope must not be empty');
    scopes = requested;
  }
  // Scopes the admin has since taken away from the client are not released any more.
  scopes = scopes.filter((s) => client.scopes.includes(s));

  const ttl = accessTokenTtl(tenant, client);
  const accessToken = await mintAccessToken(deps, {
    tenant,
    issuer: req.issuer,
    client,
    sub: t.userId,
    scopes,
    audience: audienceFor(req.issuer, client, scopes),
    ttl,
    // No `sid`: a refresh token exists only with offline_access (OIDC Core §11), which outlives the browser session.
    claims: { auth_time: Math.floor(t.authTime / 1000), acr: t.acr, amr: t.amr, sid: null, fid: t.familyId, gid: t.grantId },
  });
  // OIDC Core §12.2: a new ID token keeps iss, sub, aud, auth_time, azp; no nonce.
  const idToken = scopes.includes('openid')
    ? await mintIdToken(deps, {
        tenant,
        issuer: req.issuer,
        client,
        user: found.user!,
        scopes,
        authTime: t.authTime,
        acr: t.acr,
        amr: t.amr,
        nonce: null,
        sid: t.sessionId,
        accessToken,
        claimsRequest: null,
      })
    : undefined;
  // Rotate last: if signing failed, the presented token is still good for a retry (signing touches no database).
  const refreshToken = await rotateRefreshToken(deps, tenant, t);
  // Monthly active users: in memory after the user's first exchange of the month in this process.
  await deps.activity?.touch(tenant.id, t.userId);
  if (!refreshToken) {
    // Lost a race with another use of the same token: that is reuse too (the tokens minted above are never released).
    await revokeFamily(deps, tenant, client, t.familyId, t.expiresAt, { userId: t.userId });
    await reuseDetected(deps, req, found);
    throw new InvalidGrant(INVALID);
  }
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ttl,
    scope: scopes.join(' '),
    refresh_token: refreshToken,
    ...(idToken ? { id_token: idToken } : {}),
  };
}

/** A `refresh_reuse` security event for the family's user: the family is already revoked; the user is told once. */
async function reuseDetected(deps: RefreshGrantDeps, req: TokenRequest, found: RefreshTokenLookup): Promise<void> {
  if (!found.user) return;
  const { tenant, client } = req;
  await emitSecurityEvent(deps, {
    tenant,
    kind: 'refresh_reuse',
    user: found.user,
    data: { client_id: client.clientId, family_id: found.token.familyId },
    notice: { template: 'refresh_reuse', vars: { client_name: client.name, time: noticeTime(deps.clock.now()), link: `${req.issuer}/account` } },
  });
}
