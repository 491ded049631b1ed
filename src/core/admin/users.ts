import type { PasswordHasher } from '../../crypto/index.ts';
import { createUser } from '../users/create-user.ts';
import type { AdminDeps, ListQuery } from './deps.ts';
import { findTenant, findUser, paginate } from './internal.ts';
import { requireScope, type Principal } from './principal.ts';
import { userView, type Page, type UserView } from './views.ts';

/** End users of a tenant (minimal: create, list, show; the full lifecycle comes later). */
export function userAdmin(deps: AdminDeps & { readonly passwords: PasswordHasher }) {
  return {
    /** Creates a user; `password` (clear text) is hashed with argon2id and never returned. */
    async create(p: Principal, tenantRef: string, input: unknown): Promise<UserView> {
      requireScope(p, 'users:write');
      const tenant = await findTenant(deps.repo, p, tenantRef);
      return userView(await createUser(deps, tenant, input), tenant.slug);
    },

    async list(p: Principal, tenantRef: string, q: ListQuery = {}): Promise<Page<UserView>> {
      requireScope(p, 'users:read');
      const tenant = await findTenant(deps.repo, p, tenantRef);
      return paginate(q, (page) => deps.repo.users.list(tenant.id, page), (u) => userView(u, tenant.slug));
    },

    /** By id or by email (case-insensitive). */
    async show(p: Principal, tenantRef: string, ref: string): Promise<UserView> {
      requireScope(p, 'users:read');
      const tenant = await findTenant(deps.repo, p, tenantRef);
      return userView(await findUser(deps.repo, tenant, ref), tenant.slug);
    },
  };
}
