import type { Client } from '../../clients/client.ts';
import type { Tenant } from '../../tenants/tenant.ts';

/** OAuth grant types authflow implements. */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** What a grant handler gets: the authenticated client and only the parameters its grant declared. */
export interface TokenRequest {
  readonly tenant: Tenant;
  readonly issuer: string;
  readonly client: Client;
  /** Form parameters the grant declared (others are dropped by the token endpoint). */
  readonly params: ReadonlyMap<string, string>;
  readonly now: number;
}

/** RFC 6749 §5.1 successful token response (plus OIDC's id_token). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope?: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
}

/**
 * One OAuth grant (STYLE rule 1): its `grant_type`, the parameters it
 * accepts, and `handle`. The token endpoint authenticates the client, checks
 * the client may use the grant, drops undeclared parameters, then calls it.
 */
export interface Grant {
  readonly grantType: GrantType;
  readonly parameters: readonly string[];
  handle(request: TokenRequest): Promise<TokenResponse>;
}
