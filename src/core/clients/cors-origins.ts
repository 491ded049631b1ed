import type { ChangeFeed, ClientStore } from '../ports.ts';

/**
 * The browser origins a tenant's clients registered (`cors_origins`), for
 * CORS on the token, introspection and revocation endpoints. Cached per
 * tenant, dropped on any change (like the directory); only requests that
 * carry an Origin header ask.
 */
export interface CorsOrigins {
  allows(tenantId: string, origin: string): Promise<boolean>;
  close(): void;
}

const MAX_TENANTS = 10_000;

export function createCorsOrigins(clients: Pick<ClientStore, 'listByTenant'>, feed: ChangeFeed): CorsOrigins {
  const cache = new Map<string, Promise<ReadonlySet<string>>>();
  const unsubscribe = feed.subscribe(() => cache.clear());
  return {
    async allows(tenantId, origin) {
      let origins = cache.get(tenantId);
      if (!origins) {
        if (cache.size >= MAX_TENANTS) cache.delete(cache.keys().next().value!);
        origins = clients.listByTenant(tenantId).then((list) => new Set(list.flatMap((c) => c.corsOrigins)));
        cache.set(tenantId, origins);
        origins.catch(() => cache.delete(tenantId));
      }
      return (await origins).has(origin);
    },
    close: unsubscribe,
  };
}
