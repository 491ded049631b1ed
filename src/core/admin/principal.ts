import { NotFound, NotPermitted } from '../errors.ts';
import type { Tenant } from '../tenants/tenant.ts';

/** Management API scopes. `X:write` implies `X:read`; `*` grants everything. */
export const API_SCOPES = ['tenants:read', 'tenants:write', 'clients:read', 'clients:write', 'keys:read', 'keys:write', 'apikeys:read', 'apikeys:write', 'users:read', 'users:write', 'audit:read', 'security:read', 'usage:read', '*'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Who is acting: the local CLI (full access) or an API key, possibly limited to one tenant. */
export interface Principal {
  readonly kind: 'local' | 'api_key';
  readonly apiKeyId?: string;
  /** null: instance-wide. */
  readonly tenantId: string | null;
  readonly scopes: readonly string[];
}

export const LOCAL_ADMIN: Principal = Object.freeze({ kind: 'local', tenantId: null, scopes: ['*'] });

export function hasScope(p: Principal, scope: ApiScope): boolean {
  if (p.scopes.includes('*') || p.scopes.includes(scope)) return true;
  return scope.endsWith(':read') && p.scopes.includes(scope.replace(/:read$/, ':write'));
}

export function requireScope(p: Principal, scope: ApiScope): void {
  if (!hasScope(p, scope)) throw new NotPermitted(`this API key lacks the ${scope} scope`);
}

export function requireInstance(p: Principal, what: string): void {
  if (p.tenantId !== null) throw new NotPermitted(`${what} needs an instance-admin API key`);
}

/** A tenant the principal may see; other tenants are reported as not found, never as forbidden. */
export function visibleTenant(p: Principal, tenant: Tenant | undefined, ref: string): Tenant {
  if (!tenant || (p.tenantId !== null && p.tenantId !== tenant.id)) throw new NotFound(`no tenant "${ref}"`);
  return tenant;
}
