import { uuidv7 } from '../../../crypto/index.ts';
import { appendAccountEvent } from '../../audit/account-events.ts';
import type { Client } from '../../clients/client.ts';
import type { Clock } from '../../clock.ts';
import type { UserGrant } from '../../consents/user-grant.ts';
import { covers } from '../../consents/user-grant.ts';
import type { Repository } from '../../ports.ts';
import type { Session } from '../../sessions/session.ts';
import { settingsOf, type Tenant } from '../../tenants/tenant.ts';
import type { AuthorizationRequest } from '../authorization-request.ts';
import { issueAuthorizationCode } from '../codes.ts';
import { codeResponse, type AuthorizationResponse } from './response.ts';

type Deps = { readonly repo: Repository; readonly clock: Clock };

/**
 * Ends a successful authorization request: records the grant (user × client
 * × scopes; a revoked grant is replaced by a new one so its revocation keeps
 * applying to what it issued), issues the code bound to the session, and
 * builds the response with `code`, `state` and `iss`.
 */
export async function completeAuthorization(
  deps: Deps,
  input: { tenant: Tenant; issuer: string; client: Client; request: AuthorizationRequest; session: Session },
): Promise<AuthorizationResponse> {
  const { tenant, client, request, session } = input;
  const grant = await ensureGrant(deps, tenant, client, session.userId, request.scopes);
  const code = await issueAuthorizationCode(deps, {
    tenantId: tenant.id,
    clientId: client.clientId,
    userId: session.userId,
    grantId: grant.id,
    sessionId: session.id,
    redirectUri: request.redirectUri,
    scope: request.scopes.join(' '),
    nonce: request.nonce,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    claims: request.claims ? { ...request.claims } : null,
    authTime: session.authTime,
    acr: session.acr,
    amr: session.amr,
    ttlSeconds: settingsOf(tenant).auth_code_ttl,
  });
  return codeResponse(request, input.issuer, code);
}

async function ensureGrant(deps: Deps, tenant: Tenant, client: Client, userId: string, scopes: readonly string[]): Promise<UserGrant> {
  const existing = await deps.repo.grants.byUserAndClient(tenant.id, userId, client.clientId);
  if (existing && covers(existing, scopes)) return existing;
  const now = deps.clock.now();
  const live = existing && existing.revokedAt === null ? existing : undefined;
  const grant: UserGrant = live
    ? { ...live, scopes: [...new Set([...live.scopes, ...scopes])], updatedAt: now }
    : { id: uuidv7(now), tenantId: tenant.id, userId, clientId: client.clientId, scopes: [...scopes], createdAt: now, updatedAt: now, revokedAt: null };
  await deps.repo.grants.save(grant);
  await appendAccountEvent(deps.repo, {
    tenantId: tenant.id,
    at: now,
    action: 'user.consent_granted',
    target: `user:${userId}`,
    data: { client_id: client.clientId, scopes: grant.scopes, ...(client.firstParty ? { first_party: true } : {}) },
  });
  return grant;
}
