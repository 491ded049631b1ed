import type { Client } from '../../clients/client.ts';
import type { Tenant } from '../../tenants/tenant.ts';

/** RFC 7662 §2.2 fields for an active token (inactive tokens are `{ active: false }` only). */
export interface IntrospectionResult {
  readonly active: boolean;
  readonly scope?: string;
  readonly client_id?: string;
  readonly sub?: string;
  readonly exp?: number;
  readonly iat?: number;
  readonly token_type?: string;
  readonly aud?: string | string[];
  readonly iss?: string;
  readonly jti?: string;
}

/**
 * What the introspection and revocation endpoints need to know about refresh
 * tokens (opaque, stored as SHA-256). Implemented with the refresh_token grant.
 */
export interface RefreshTokenPort {
  /** RFC 7662: the token's state if it belongs to `client` in `tenant`; `{active:false}` otherwise. */
  introspect(tenant: Tenant, issuer: string, client: Client, token: string): Promise<IntrospectionResult>;
  /** RFC 7009 §2.1: revokes the token's whole family (and the access tokens minted from it) if it is the client's; silently does nothing otherwise. Returns whether it was a refresh token of this client. */
  revoke(tenant: Tenant, client: Client, token: string): Promise<boolean>;
}
