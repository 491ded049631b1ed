import type { Client } from '../../../clients/client.ts';
import { settingsOf, type Tenant } from '../../../tenants/tenant.ts';

/** RFC 6749 §3.3: scope is a space-delimited list; duplicates and empty items are dropped. */
export function splitScope(scope: string): string[] {
  return [...new Set(scope.split(' ').filter(Boolean))];
}

/** Access-token lifetime in seconds: the client's override or the tenant's setting. */
export function accessTokenTtl(tenant: Tenant, client: Client): number {
  return client.accessTokenTtl ?? settingsOf(tenant).access_token_ttl;
}

/**
 * The audience of an access token issued for a user: the client's registered
 * resource servers, and the issuer itself (its UserInfo endpoint, OIDC Core
 * §5.3) when `openid` was granted. With neither, the issuer (RFC 9068 §3).
 */
export function audienceFor(issuer: string, client: Client, scopes: readonly string[]): string[] {
  return scopes.includes('openid') && client.audiences.length ? [issuer, ...client.audiences] : [...client.audiences];
}
