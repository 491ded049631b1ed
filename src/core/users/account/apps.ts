import { recordAudit } from '../../audit/record.ts';
import { NotFound } from '../../errors.ts';
import { revokeGrant } from '../../consents/revoke-grant.ts';
import type { UserGrant } from '../../consents/user-grant.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import type { User } from '../user.ts';
import { userRef, type AccountDeps } from './internal.ts';

/** An application the user authorized: the live grant and the client's name (null when the client was deleted). */
export interface AuthorizedApp {
  readonly grant: UserGrant;
  readonly clientName: string | null;
}

/** The user's live grants with their clients' names, oldest first. */
export async function listAuthorizedApps(deps: AccountDeps, tenant: Tenant, user: User): Promise<AuthorizedApp[]> {
  const grants = await deps.repo.grants.liveOfUser(tenant.id, user.id);
  return Promise.all(
    grants.map(async (grant) => {
      const client = await deps.client(grant.clientId);
      return { grant, clientName: client && client.tenantId === tenant.id ? client.name : null };
    }),
  );
}

/**
 * The user takes back their consent to one client, in one transaction (as the
 * admin's consent revocation does, src/core/consents/revoke-grant.ts): the grant,
 * its refresh tokens, its access tokens at once and its pending codes.
 * Audited `user.consent_revoked`. NotFound when there is no live consent.
 */
export async function revokeAuthorizedApp(deps: AccountDeps, tenant: Tenant, user: User, clientId: string): Promise<void> {
  await deps.repo.transaction(async (s) => {
    const now = deps.clock.now();
    const grant = clientId.length <= 200 ? await s.grants.byUserAndClient(tenant.id, user.id, clientId) : undefined;
    const done = grant && grant.revokedAt === null ? await revokeGrant(s, grant, now) : undefined;
    if (!done) throw new NotFound('That application no longer has access.');
    await recordAudit(s, { tenantId: tenant.id, at: now, actor: userRef(user), action: 'user.consent_revoked', target: userRef(user), data: { client_id: clientId, refresh_tokens_revoked: done.refreshTokens } });
  });
}
