import type { Client } from '../clients/client.ts';
import type { Clock } from '../clock.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import { InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from './errors.ts';
import type { Grant, TokenResponse } from './grant-types/grant-type.ts';

/**
 * Parameters that may be given more than once (RFC 8707 §2: `resource`);
 * every other one is refused when repeated (RFC 6749 §3.1). The values of a
 * repeated parameter reach the grant joined by one space (a URI has none);
 * read them with `parameterValues`.
 */
export const REPEATABLE_PARAMETERS: ReadonlySet<string> = new Set(['resource']);

/** The values of a parameter that may repeat (see REPEATABLE_PARAMETERS). */
export function parameterValues(params: ReadonlyMap<string, string>, name: string): string[] {
  const v = params.get(name);
  return v === undefined ? [] : v.split(' ');
}

export interface TokenExchange {
  readonly tenant: Tenant;
  readonly issuer: string;
  /** Already authenticated. */
  readonly client: Client;
  readonly params: ReadonlyMap<string, string>;
}

/**
 * RFC 6749 §3.2 / §5: picks the grant for `grant_type`, checks the tenant
 * offers it and the client may use it, and hands it only the parameters it
 * declared (STYLE rule 1).
 */
export function createTokenEndpoint(grants: readonly Grant[], clock: Clock): (x: TokenExchange) => Promise<TokenResponse> {
  const byType = new Map(grants.map((g) => [g.grantType as string, g]));
  return async ({ tenant, issuer, client, params }) => {
    const grantType = params.get('grant_type');
    if (grantType === undefined) throw new InvalidRequest('grant_type is required (RFC 6749 §4)');
    const grant = byType.get(grantType);
    if (!grant || !settingsOf(tenant).grant_types.includes(grant.grantType)) throw new UnsupportedGrantType(`the grant type "${grantType}" is not supported`);
    if (!client.grantTypes.includes(grant.grantType)) throw new UnauthorizedClient(`this client is not allowed to use the ${grant.grantType} grant`);
    const declared = new Map<string, string>();
    for (const name of grant.parameters) {
      const v = params.get(name);
      if (v !== undefined) declared.set(name, v);
    }
    return grant.handle({ tenant, issuer, client, params: declared, now: clock.now() });
  };
}
