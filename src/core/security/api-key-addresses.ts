import type { Principal } from '../admin/principal.ts';
import { normalizeIp } from '../abuse/network.ts';
import { emitSecurityEvent, type SecurityDeps } from './record.ts';
import { NO_SIGNALS } from './signals.ts';

/** (key, address) pairs this process already knows: beyond this many, it forgets them all and asks the database again. */
const REMEMBERED = 10_000;

export interface ApiKeyAddressWatch {
  /**
   * Notes a successful use of an API key from `ip`. The first use of a key
   * is no news; a later use from an address the key never came from is an
   * `api_key_new_address` security event in the key's tenant (an instance
   * key has no tenant: it is counted in /metrics, and returned so the caller
   * logs it). Known pairs cost nothing (remembered in memory).
   */
  note(principal: Principal & { readonly apiKeyId: string }, ip: string | null): Promise<'new_address' | undefined>;
}

export function createApiKeyAddressWatch(deps: SecurityDeps): ApiKeyAddressWatch {
  let known = new Set<string>();
  return {
    async note(principal, rawIp) {
      const ip = normalizeIp(rawIp);
      if (!ip) return undefined;
      const pair = `${principal.apiKeyId}|${ip}`;
      if (known.has(pair)) return undefined;
      if (known.size >= REMEMBERED) known = new Set();
      const now = deps.clock.now();
      const seen = await deps.repo.apiKeyAddresses.seen(principal.apiKeyId, ip, now);
      known.add(pair);
      if (!seen.isNew || seen.first) return undefined;
      const tenant = principal.tenantId ? await deps.repo.tenants.byId(principal.tenantId) : undefined;
      if (tenant) await emitSecurityEvent(deps, { tenant, kind: 'api_key_new_address', ip, data: { api_key_id: principal.apiKeyId }, audit: { actor: `api_key:${principal.apiKeyId}` } });
      else (deps.signals ?? NO_SIGNALS).event('api_key_new_address');
      return 'new_address';
    },
  };
}
