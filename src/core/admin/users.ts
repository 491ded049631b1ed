import type { PasswordHasher } from '../../crypto/index.ts';
import { NotFound } from '../errors.ts';
import { createUser } from '../users/create-user.ts';
import { normalizeEmail, type User } from '../users/user.ts';
import type { AdminDeps, ListQuery } from './deps.ts';
import { findTenant, paginate } from './internal.ts';
import { requireScope, type Principal } from './principal.ts';
import { userView, type Page, type UserView } from './views.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
      const user: User | undefined = UUID.test(ref) ? await deps.repo.users.byId(tenant.id, ref) : await deps.repo.users.byEmail(tenant.id, normalizeEmail(ref));
      if (!user) throw new NotFound(`no user "${ref}" in tenant ${tenant.slug}`);
      return userView(user, tenant.slug);
    },
  };
}
