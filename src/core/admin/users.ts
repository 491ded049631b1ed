import { z } from 'zod';
import type { PasswordHasher } from '../../crypto/index.ts';
import { recordAudit } from '../audit/record.ts';
import { NotFound, PreconditionFailed } from '../errors.ts';
import { MAX_ACCESS_TOKEN_TTL } from '../consents/revoke-grant.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { createUser } from '../users/create-user.ts';
import { deleteUser } from '../users/delete-user.ts';
import { exportUserData, sessionData, type UserDataExport } from '../users/export-data.ts';
import { revokeUserAccess } from '../users/revoke-access.ts';
import { setPassword } from '../users/set-password.ts';
import type { MailDeps } from '../mail/mail.ts';
import { setUserDisabled, updateUser } from '../users/update-user.ts';
import type { User } from '../users/user.ts';
import { parseInput } from '../validation.ts';
import { actorOf } from './audit.ts';
import type { AdminDeps, ListQuery } from './deps.ts';
import { findTenant, findUser, paginate } from './internal.ts';
import { requireScope, type Principal } from './principal.ts';
import { etagOf, ifMatchAllows, userView, type AccessRevocationView, type Page, type SessionListView, type UserView } from './views.ts';

export { createUserSchema, updateUserSchema } from '../users/user-input.ts';

/** `PUT …/users/{user}/password`. */
export const setPasswordSchema = z.strictObject({
  password: z.string().describe('Clear text, checked against the tenant\'s password policy and stored as argon2id only.'),
  revoke_sessions: z.boolean().optional().describe('Sign the user out everywhere (default: the tenant\'s password_reset.revoke_sessions, true unless changed).'),
});

/** A list of users, filtered by a case-insensitive substring of email, name or external id. */
export interface UserListQuery extends ListQuery {
  readonly search?: string | undefined;
}

/** Kept beyond the longest access-token lifetime (as revokeUserAccess does). */
const REVOCATION_MARGIN_MS = 60_000;

/** End users of a tenant: the account lifecycle as admins drive it (CLI, management API). Users are named by id or email. */
export function userAdmin(deps: AdminDeps & { readonly passwords: PasswordHasher; readonly mail: MailDeps }) {
  const subject = async (p: Principal, tenantRef: string, userRef: string): Promise<{ tenant: Tenant; user: User }> => {
    const tenant = await findTenant(deps.repo, p, tenantRef);
    return { tenant, user: await findUser(deps.repo, tenant, userRef) };
  };
  const revocation = (tenant: Tenant, userId: string, r: { sessions: number; refreshFamilies: number }): AccessRevocationView => ({
    tenant: tenant.slug,
    user_id: userId,
    sessions_ended: r.sessions,
    refresh_families_revoked: r.refreshFamilies,
  });

  return {
    /** Creates a user; `password` (clear text) is hashed with argon2id and never returned. */
    async create(p: Principal, tenantRef: string, input: unknown): Promise<UserView> {
      requireScope(p, 'users:write');
      const tenant = await findTenant(deps.repo, p, tenantRef);
      return userView(await createUser(deps, tenant, input, { actor: actorOf(p) }), tenant.slug);
    },

    async list(p: Principal, tenantRef: string, q: UserListQuery = {}): Promise<Page<UserView>> {
      requireScope(p, 'users:read');
      const tenant = await findTenant(deps.repo, p, tenantRef);
      const search = q.search?.trim() || undefined;
      return paginate(q, (page) => deps.repo.users.list(tenant.id, { ...page, search }), (u) => userView(u, tenant.slug));
    },

    /** By id or by email (case-insensitive). */
    async show(p: Principal, tenantRef: string, ref: string): Promise<UserView> {
      requireScope(p, 'users:read');
      const { tenant, user } = await subject(p, tenantRef, ref);
      return userView(user, tenant.slug);
    },

    /** Updates the profile (see updateUser); `ifMatch` (an ETag of the user's view) guards against lost updates. */
    async update(p: Principal, tenantRef: string, ref: string, input: unknown, ifMatch?: string): Promise<UserView> {
      requireScope(p, 'users:write');
      const { tenant, user } = await subject(p, tenantRef, ref);
      const check = (current: User) => {
        if (!ifMatchAllows(ifMatch, etagOf(userView(current, tenant.slug)))) throw new PreconditionFailed();
      };
      return userView(await updateUser(deps, tenant, user.id, input, { actor: actorOf(p), check }), tenant.slug);
    },

    /** Disables the user and signs them out everywhere; their tokens stop working. */
    async disable(p: Principal, tenantRef: string, ref: string): Promise<UserView> {
      requireScope(p, 'users:write');
      const { tenant, user } = await subject(p, tenantRef, ref);
      return userView(await setUserDisabled(deps, tenant, user.id, true, actorOf(p)), tenant.slug);
    },

    async enable(p: Principal, tenantRef: string, ref: string): Promise<UserView> {
      requireScope(p, 'users:write');
      const { tenant, user } = await subject(p, tenantRef, ref);
      return userView(await setUserDisabled(deps, tenant, user.id, false, actorOf(p)), tenant.slug);
    },

    /** Erases the user and everything held about them (GDPR Art. 17); the audit log keeps their id only. */
    async delete(p: Principal, tenantRef: string, ref: string): Promise<{ deleted: string }> {
      requireScope(p, 'users:write');
      const { tenant, user } = await subject(p, tenantRef, ref);
      await deleteUser(deps, tenant, user.id, actorOf(p));
      return { deleted: user.id };
    },

    /** Replaces the password; signs the user out everywhere unless `revoke_sessions: false` (or the tenant says otherwise). */
    async setPassword(p: Principal, tenantRef: string, ref: string, input: unknown): Promise<AccessRevocationView> {
      requireScope(p, 'users:write');
      const body = parseInput(setPasswordSchema, input);
      const { tenant, user } = await subject(p, tenantRef, ref);
      return revocation(tenant, user.id, await setPassword(deps, tenant, user, body.password, { revokeSessions: body.revoke_sessions, actor: actorOf(p) }));
    },

    /** The user's live sessions, newest first. */
    async sessions(p: Principal, tenantRef: string, ref: string): Promise<SessionListView> {
      requireScope(p, 'users:read');
      const { tenant, user } = await subject(p, tenantRef, ref);
      const live = await deps.repo.sessions.liveOfUser(tenant.id, user.id, deps.clock.now());
      return { tenant: tenant.slug, user_id: user.id, items: live.map(sessionData) };
    },

    /**
     * Without `sessionId`: signs the user out everywhere (every session ends,
     * every refresh token is revoked, their access tokens are refused at once).
     * With it: ends that one session (tokens carrying its `sid` are refused).
     */
    async revokeSessions(p: Principal, tenantRef: string, ref: string, sessionId?: string): Promise<AccessRevocationView> {
      requireScope(p, 'users:write');
      const { tenant, user } = await subject(p, tenantRef, ref);
      return deps.repo.transaction(async (s) => {
        const now = deps.clock.now();
        let result: { sessions: number; refreshFamilies: number };
        if (sessionId === undefined) result = await revokeUserAccess(s, { tenantId: tenant.id, userId: user.id, now });
        else {
          const session = await s.sessions.byId(tenant.id, sessionId);
          const until = now + MAX_ACCESS_TOKEN_TTL * 1000 + REVOCATION_MARGIN_MS;
          if (!session || session.userId !== user.id || !(await s.sessions.end(tenant.id, sessionId, now, until))) throw new NotFound(`${user.email} has no live session "${sessionId}"`);
          result = { sessions: 1, refreshFamilies: 0 };
        }
        await recordAudit(s, {
          tenantId: tenant.id,
          at: now,
          actor: actorOf(p),
          action: 'user.sessions_revoked',
          target: `user:${user.id}`,
          data: { ...(sessionId !== undefined ? { session: sessionId } : {}), sessions_ended: result.sessions, refresh_families_revoked: result.refreshFamilies },
        });
        return revocation(tenant, user.id, result);
      });
    },

    /** Everything held about the user, as one JSON document (GDPR Art. 15 and 20). */
    async exportData(p: Principal, tenantRef: string, ref: string): Promise<UserDataExport> {
      requireScope(p, 'users:read');
      const { tenant, user } = await subject(p, tenantRef, ref);
      return exportUserData(deps, tenant, user.id);
    },
  };
}
