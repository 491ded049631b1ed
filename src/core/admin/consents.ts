import type { Client } from '../clients/client.ts';
import { NotFound } from '../errors.ts';
import { revokeGrant } from '../consents/revoke-grant.ts';
import type { UserGrant } from '../consents/user-grant.ts';
import type { Stores } from '../ports.ts';
import type { Tenant } from '../tenants/tenant.ts';
import type { User } from '../users/user.ts';
import type { AdminDeps } from './deps.ts';
import { findTenant, findUser } from './internal.ts';
import { recordAdminAudit } from './audit.ts';
import { requireScope, type Principal } from './principal.ts';
import { consentView, type ConsentListView, type ConsentRevocationView } from './views.ts';

/**
 * A user's consents (docs/architecture.md `grant`: user × client × scopes): what they
 * are, and taking them back. Revoking one revokes everything issued under it
 * and makes the client ask for consent again. Users are named by id or email.
 */
export function consentAdmin(deps: AdminDeps) {
  const subject = async (s: Stores, p: Principal, tenantRef: string, userRef: string) => {
    const tenant = await findTenant(s, p, tenantRef);
    return { tenant, user: await findUser(s, tenant, userRef) };
  };
  /** The client of a grant, if it still exists in the tenant (grants outlive a deleted client). */
  const clientOf = async (s: Stores, tenant: Tenant, clientId: string): Promise<Client | undefined> => {
    const client = await s.clients.byClientId(clientId);
    return client?.tenantId === tenant.id ? client : undefined;
  };
  /** Revokes `grants` in the open transaction `s`; those a concurrent revocation got first are left out. */
  const revokeAll = async (s: Stores, p: Principal, tenant: Tenant, user: User, grants: readonly UserGrant[]): Promise<ConsentRevocationView> => {
    const now = deps.clock.now();
    const revoked: ConsentRevocationView['revoked'] = [];
    for (const grant of grants) {
      const done = await revokeGrant(s, grant, now);
      if (done) revoked.push({ ...consentView(grant, await clientOf(s, tenant, grant.clientId)), revoked_at: new Date(now).toISOString(), refresh_tokens_revoked: done.refreshTokens });
    }
    if (revoked.length) await recordAdminAudit(s, p, now, tenant.id, 'user.consent_revoked', `user:${user.id}`, { client_ids: revoked.map((r) => r.client_id) });
    return { tenant: tenant.slug, user_id: user.id, email: user.email, revoked };
  };

  return {
    /** The clients the user has consented to, with the scopes, oldest first. */
    async list(p: Principal, tenantRef: string, userRef: string): Promise<ConsentListView> {
      requireScope(p, 'users:read');
      const { tenant, user } = await subject(deps.repo, p, tenantRef, userRef);
      const grants = await deps.repo.grants.liveOfUser(tenant.id, user.id);
      const items = await Promise.all(grants.map(async (g) => consentView(g, await clientOf(deps.repo, tenant, g.clientId))));
      return { tenant: tenant.slug, user_id: user.id, email: user.email, items };
    },

    /**
     * Revokes the user's consent to one client, in one transaction: the grant,
     * its refresh tokens, its access tokens (at once) and its pending codes.
     * Not found when the client is unknown or the user has no live consent to it.
     */
    async revoke(p: Principal, tenantRef: string, userRef: string, clientId: string): Promise<ConsentRevocationView> {
      requireScope(p, 'users:write');
      return deps.repo.transaction(async (s) => {
        const { tenant, user } = await subject(s, p, tenantRef, userRef);
        const grant = await s.grants.byUserAndClient(tenant.id, user.id, clientId);
        const result = grant && grant.revokedAt === null ? await revokeAll(s, p, tenant, user, [grant]) : undefined;
        if (!result?.revoked.length) {
          const client = await clientOf(s, tenant, clientId);
          throw new NotFound(client ? `${user.email} has not consented to client "${client.name}" (${clientId})` : `no client "${clientId}" in tenant ${tenant.slug}`);
        }
        return result;
      });
    },

    /** Revokes every consent of the user (each as `revoke` does), in one transaction. None is not an error. */
    async revokeAll(p: Principal, tenantRef: string, userRef: string): Promise<ConsentRevocationView> {
      requireScope(p, 'users:write');
      return deps.repo.transaction(async (s) => {
        const { tenant, user } = await subject(s, p, tenantRef, userRef);
        return revokeAll(s, p, tenant, user, await s.grants.liveOfUser(tenant.id, user.id));
      });
    },
  };
}
