import { z } from 'zod';
import { createApiKey } from '../apikeys/create-api-key.ts';
import { NotFound, NotPermitted } from '../errors.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { parseInput } from '../validation.ts';
import type { AdminDeps, ListQuery } from './deps.ts';
import { findTenant, paginate } from './internal.ts';
import { API_SCOPES, hasScope, requireScope, type ApiScope, type Principal } from './principal.ts';
import { apiKeyView, type ApiKeyView, type Page } from './views.ts';
import { recordAdminAudit } from './audit.ts';

export const createApiKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** Tenant slug or id; omit (or null) for an instance-admin key. */
  tenant: z.string().min(1).nullable().optional(),
  scopes: z.array(z.enum(API_SCOPES)).min(1).max(API_SCOPES.length),
  env: z.string().regex(/^[a-z0-9]{1,12}$/, 'must be 1–12 lower-case letters or digits').optional(),
  /** Lifetime in seconds; omit for a key that does not expire. */
  expires_in: z.number().int().min(60).max(5 * 365 * 86_400).optional(),
});

export function apiKeyAdmin(deps: AdminDeps) {
  const slugOf = async (tenantId: string | null, cache = new Map<string, string>()) => {
    if (tenantId === null) return null;
    if (!cache.has(tenantId)) cache.set(tenantId, (await deps.repo.tenants.byId(tenantId))?.slug ?? tenantId);
    return cache.get(tenantId)!;
  };
  return {
    /** Creates an API key; answers its fields with the token (returned once) beside them. A tenant key can only mint keys for its tenant with scopes it holds. */
    async create(p: Principal, input: unknown): Promise<ApiKeyView & { token: string }> {
      requireScope(p, 'apikeys:write');
      const body = parseInput(createApiKeySchema, input);
      let tenant: Tenant | null = null;
      if (body.tenant) tenant = await findTenant(deps.repo, p, body.tenant);
      else if (p.tenantId !== null) throw new NotPermitted('an instance-admin API key can only be created by an instance admin');
      for (const s of body.scopes) if (!hasScope(p, s as ApiScope) || (s === '*' && !p.scopes.includes('*'))) throw new NotPermitted(`cannot grant the ${s} scope: the acting key does not hold it`);
      // Instance keys belong to no tenant, so to no tenant's audit log.
      const { apiKey, token } = await deps.repo.transaction(async (s) => {
        const created = await createApiKey(
          { stores: s, clock: deps.clock },
          { tenantId: tenant?.id ?? null, name: body.name, scopes: body.scopes, env: body.env, expiresAt: body.expires_in ? deps.clock.now() + body.expires_in * 1000 : null },
        );
        if (tenant) await recordAdminAudit(s, p, created.apiKey.createdAt, tenant.id, 'api_key.created', `api_key:${created.apiKey.id}`, { name: created.apiKey.name, scopes: created.apiKey.scopes });
        return created;
      });
      return { ...apiKeyView(apiKey, tenant?.slug ?? null), token };
    },

    /** Lists keys: of one tenant, or (instance admins, no tenant given) all of them. */
    async list(p: Principal, tenantRef: string | undefined, q: ListQuery = {}): Promise<Page<ApiKeyView>> {
      requireScope(p, 'apikeys:read');
      const tenantId = tenantRef ? (await findTenant(deps.repo, p, tenantRef)).id : (p.tenantId ?? undefined);
      const slugs = new Map<string, string>();
      const page = await paginate(q, (pg) => deps.repo.apiKeys.list(tenantId, pg), (k) => k);
      return { items: await Promise.all(page.items.map(async (k) => apiKeyView(k, await slugOf(k.tenantId, slugs)))), next_cursor: page.next_cursor };
    },

    async revoke(p: Principal, id: string): Promise<ApiKeyView> {
      requireScope(p, 'apikeys:write');
      const key = (await deps.repo.apiKeys.byId(id)) ?? (await deps.repo.apiKeys.byKeyId(id));
      if (!key || (p.tenantId !== null && key.tenantId !== p.tenantId)) throw new NotFound(`no API key "${id}"`);
      const now = deps.clock.now();
      if (key.revokedAt === null) {
        await deps.repo.transaction(async (s) => {
          if ((await s.apiKeys.revoke(key.id, now)) && key.tenantId !== null) await recordAdminAudit(s, p, now, key.tenantId, 'api_key.revoked', `api_key:${key.id}`, { name: key.name });
        });
      }
      return apiKeyView({ ...key, revokedAt: key.revokedAt ?? now }, await slugOf(key.tenantId));
    },
  };
}
