import { recordAudit } from '../audit/record.ts';
import type { Clock } from '../clock.ts';
import { NotFound } from '../errors.ts';
import type { Repository } from '../ports.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { revokeUserAccess } from './revoke-access.ts';

type Deps = { readonly repo: Pick<Repository, 'transaction'>; readonly clock: Clock };

/**
 * Erases a user (GDPR Art. 17), in one transaction: signs them out
 * everywhere (the session and refresh-family revocations outlive the rows, so
 * access tokens already issued are refused), records `user.deleted` (target
 * `user:<id>`, no personal data), and deletes the row; the cascade removes
 * credentials, sessions, grants, tokens, devices, terms acceptances and the
 * mail about them. The audit log keeps only the pseudonymous id.
 */
export async function deleteUser(deps: Deps, tenant: Tenant, userId: string, actor: string): Promise<{ sessions: number; refreshFamilies: number }> {
  return deps.repo.transaction(async (s) => {
    if (!(await s.users.byId(tenant.id, userId))) throw new NotFound(`no user "${userId}" in tenant ${tenant.slug}`);
    const now = deps.clock.now();
    const revoked = await revokeUserAccess(s, { tenantId: tenant.id, userId, now });
    await recordAudit(s, { tenantId: tenant.id, at: now, actor, action: 'user.deleted', target: `user:${userId}`, data: { sessions_ended: revoked.sessions, refresh_families_revoked: revoked.refreshFamilies } });
    await s.users.delete(tenant.id, userId);
    return revoked;
  });
}
