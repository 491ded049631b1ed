import { NotFound, ValidationFailed } from '../errors.ts';
import type { Stores } from '../ports.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { normalizeEmail, type User } from '../users/user.ts';
import { visibleTenant, type Principal } from './principal.ts';
import { decodeCursor, encodeCursor, type Page } from './views.ts';
import { DEFAULT_PAGE, MAX_PAGE, type ListQuery } from './deps.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Finds a tenant by slug or id, as the principal may see it. */
export async function findTenant(stores: Stores, p: Principal, ref: string): Promise<Tenant> {
  const tenant = UUID.test(ref) ? await stores.tenants.byId(ref) : await stores.tenants.bySlug(ref);
  return visibleTenant(p, tenant, ref);
}

/** Finds a user of `tenant` by id or by email (case-insensitive). */
export async function findUser(stores: Stores, tenant: Tenant, ref: string): Promise<User> {
  const user = UUID.test(ref) ? await stores.users.byId(tenant.id, ref) : await stores.users.byEmail(tenant.id, normalizeEmail(ref));
  if (!user) throw new NotFound(`no user "${ref}" in tenant ${tenant.slug}`);
  return user;
}

export function pageQuery(q: ListQuery): { limit: number; after: string | undefined } {
  const limit = q.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new ValidationFailed('limit', `must be an integer from 1 to ${MAX_PAGE}`);
  return { limit, after: decodeCursor(q.cursor) };
}

/** Fetches limit+1 rows to know whether another page exists. */
export async function paginate<R extends { id: string }, V>(q: ListQuery, fetch: (page: { limit: number; after?: string }) => Promise<R[]>, view: (r: R) => V): Promise<Page<V>> {
  const { limit, after } = pageQuery(q);
  const rows = await fetch({ limit: limit + 1, after });
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  return { items: items.map(view), next_cursor: more ? encodeCursor(items.at(-1)!.id) : null };
}

/** JSON Merge Patch (RFC 7396): null removes a member, objects merge, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    // Never let a patch reach an object's prototype.
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    if (v === null) delete base[k];
    else base[k] = mergePatch(base[k], v);
  }
  return base;
}
