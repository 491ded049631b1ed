import { effectiveInstance, requireWithinLimit } from '../licensing/licensing.ts';
import { z } from 'zod';
import { Conflict, PreconditionFailed, ValidationFailed } from '../errors.ts';
import { createTenant } from '../tenants/create-tenant.ts';
import { scopesOf } from '../tenants/settings.ts';
import { settingsOf, validateCustomDomain, type StoredSettings, type Tenant } from '../tenants/tenant.ts';
import { parseInput } from '../validation.ts';
import type { AdminDeps, ListQuery } from './deps.ts';
import { findTenant, mergePatch, pageQuery, paginate } from './internal.ts';
import { actorOf, recordAdminAudit } from './audit.ts';
import { requireInstance, requireScope, type Principal } from './principal.ts';
import { etagOf, ifMatchAllows, tenantView, type Page, type TenantView } from './views.ts';

const settingsPatch = z.record(z.string(), z.unknown());

export const createTenantSchema = z.strictObject({
  slug: z.string().min(1).max(63),
  name: z.string().trim().min(1).max(200).optional(),
  custom_domain: z.string().max(253).nullable().optional(),
  settings: settingsPatch.optional(),
});

export const updateTenantSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  custom_domain: z.string().max(253).nullable().optional(),
  /** JSON Merge Patch (RFC 7396) applied to the stored settings; null resets a setting to its default. */
  settings: settingsPatch.optional(),
});

export function tenantAdmin(deps: AdminDeps) {
  const view = (t: Tenant) => tenantView(t, deps.publicUrl);
  return {
    async create(p: Principal, input: unknown): Promise<TenantView> {
      requireScope(p, 'tenants:write');
      requireInstance(p, 'creating a tenant');
      const body = parseInput(createTenantSchema, input);
      if (deps.licenses) requireWithinLimit(effectiveInstance(await deps.licenses(), deps.clock.now()), 'tenants', await deps.repo.tenants.count());
      const { tenant } = await createTenant(deps, { slug: body.slug, name: body.name, customDomain: body.custom_domain ?? null, settings: body.settings as StoredSettings | undefined, actor: actorOf(p) });
      return view(tenant);
    },

    async list(p: Principal, q: ListQuery = {}): Promise<Page<TenantView>> {
      requireScope(p, 'tenants:read');
      if (p.tenantId !== null) {
        pageQuery(q); // the same validation of limit and cursor for every caller
        const own = await deps.repo.tenants.byId(p.tenantId);
        return { items: own ? [view(own)] : [], next_cursor: null };
      }
      return paginate(q, (page) => deps.repo.tenants.list(page), view);
    },

    async show(p: Principal, ref: string): Promise<TenantView> {
      requireScope(p, 'tenants:read');
      return view(await findTenant(deps.repo, p, ref));
    },

    async update(p: Principal, ref: string, input: unknown, ifMatch?: string): Promise<TenantView> {
      requireScope(p, 'tenants:write');
      const body = parseInput(updateTenantSchema, input);
      return deps.repo.transaction(async (s) => {
        const current = await findTenant(s, p, ref);
        if (!ifMatchAllows(ifMatch, etagOf(view(current)))) throw new PreconditionFailed();
        const next: Tenant = {
          ...current,
          name: body.name ?? current.name,
          customDomain: body.custom_domain === undefined ? current.customDomain : validateCustomDomain(body.custom_domain),
          settings: body.settings ? (mergePatch(current.settings, body.settings) as StoredSettings) : current.settings,
          updatedAt: Math.max(deps.clock.now(), current.updatedAt + 1),
        };
        const settings = settingsOf(next);
        if (next.customDomain && next.customDomain !== current.customDomain) {
          const other = await s.tenants.byDomain(next.customDomain);
          if (other && other.id !== current.id) throw new Conflict(`another tenant already uses the custom domain ${next.customDomain}`);
        }
        // Settings may not pull the ground from under existing clients.
        const clients = await s.clients.listByTenant(current.id);
        const scopes = scopesOf(settings);
        for (const c of clients) {
          const grant = c.grantTypes.find((g) => !settings.grant_types.includes(g));
          if (grant) throw new ValidationFailed('settings.grant_types', `client "${c.name}" uses ${grant}; change the client first`);
          const scope = c.scopes.find((sc) => !scopes.has(sc));
          if (scope) throw new ValidationFailed('settings.scopes', `client "${c.name}" uses the scope "${scope}"; change the client first`);
        }
        await s.tenants.update(next);
        // Which members changed, never their values (settings may hold secrets).
        const changed = [...(body.name !== undefined ? ['name'] : []), ...(body.custom_domain !== undefined ? ['custom_domain'] : []), ...Object.keys(body.settings ?? {}).map((k) => `settings.${k}`)];
        await recordAdminAudit(s, p, deps.clock.now(), current.id, 'tenant.updated', `tenant:${current.id}`, { changed });
        return view(next);
      });
    },

    async delete(p: Principal, ref: string): Promise<{ deleted: string }> {
      requireScope(p, 'tenants:write');
      requireInstance(p, 'deleting a tenant');
      return deps.repo.transaction(async (s) => {
        const tenant = await findTenant(s, p, ref);
        // No tenant.deleted event: the tenant's audit log is deleted with it (the server's access log keeps the request).
        await s.tenants.delete(tenant.id);
        return { deleted: tenant.slug };
      });
    },
  };
}
