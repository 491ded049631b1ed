import { getRouterParam, HTTPError, type H3Event } from 'h3';
import { issuerOf, type Tenant } from '../../core/tenants/tenant.ts';
import type { ServerDeps } from '../deps.ts';

/**
 * The tenant a per-tenant route (`/t/:tenant/…`) is for, with its issuer;
 * 404 when there is none. Takes one request from the tenant's quota
 * (RateLimited when it is spent; the server's `quotas`).
 */
export async function tenantOf(event: H3Event, deps: Pick<ServerDeps, 'directory' | 'publicUrl'> & Partial<Pick<ServerDeps, 'quotas'>>): Promise<{ tenant: Tenant; issuer: string }> {
  const slug = getRouterParam(event, 'tenant');
  const tenant = slug ? await deps.directory.tenantBySlug(slug) : undefined;
  if (!tenant) throw new UnknownTenant();
  deps.quotas?.take(tenant);
  return { tenant, issuer: issuerOf(tenant, deps.publicUrl) };
}

/** No tenant has the slug a per-tenant URL names: 404 (a page for people, problem+json for machines). Keeps the name HTTPError, which h3 tells its own errors by. */
export class UnknownTenant extends HTTPError {
  constructor() {
    super({ status: 404, statusText: 'no such tenant' });
  }
}
