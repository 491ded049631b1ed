import type { ApiKey } from './apikeys/api-key.ts';
import type { Client } from './clients/client.ts';
import type { SigningKey } from './keys/signing-key.ts';
import type { ChangeFeed, Stores } from './ports.ts';
import type { Tenant } from './tenants/tenant.ts';

/**
 * Read-through caches of the records every request needs (tenants, clients,
 * signing keys, API keys). Any change — in this process or another one
 * sharing the database — empties them, so a change made with the CLI reaches
 * a running server within the change feed's latency. Misses are not cached,
 * so unknown ids cannot fill memory.
 */
export interface Directory {
  tenantBySlug(slug: string): Promise<Tenant | undefined>;
  tenantByDomain(domain: string): Promise<Tenant | undefined>;
  client(clientId: string): Promise<Client | undefined>;
  signingKeys(tenantId: string): Promise<SigningKey[]>;
  apiKey(keyId: string): Promise<ApiKey | undefined>;
  /** Drops everything (also called by the change feed). */
  invalidate(): void;
  close(): void;
}

const MAX_ENTRIES = 10_000;

export function createDirectory(stores: Stores, feed: ChangeFeed): Directory {
  const maps: Map<string, unknown>[] = [];
  let generation = 0;
  const cached = <V>(load: (key: string) => Promise<V | undefined>) => {
    const map = new Map<string, V>();
    maps.push(map);
    return async (key: string): Promise<V | undefined> => {
      const hit = map.get(key);
      if (hit !== undefined) return hit;
      const gen = generation;
      const value = await load(key);
      // A change that landed while loading may have made `value` stale: do not keep it.
      if (value !== undefined && gen === generation) {
        if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
        map.set(key, value);
      }
      return value;
    };
  };
  const invalidate = () => {
    generation++;
    for (const m of maps) m.clear();
  };
  const unsubscribe = feed.subscribe(invalidate);
  const keys = cached((tenantId) => stores.signingKeys.listByTenant(tenantId));
  return {
    tenantBySlug: cached((slug) => stores.tenants.bySlug(slug)),
    tenantByDomain: cached((domain) => stores.tenants.byDomain(domain)),
    client: cached((id) => stores.clients.byClientId(id)),
    signingKeys: async (tenantId) => (await keys(tenantId)) ?? [],
    apiKey: cached((keyId) => stores.apiKeys.byKeyId(keyId)),
    invalidate,
    close: unsubscribe,
  };
}
