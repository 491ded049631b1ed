import type { Client, TokenEndpointAuthMethod } from '../../clients/client.ts';
import type { Clock } from '../../clock.ts';
import type { FailureThrottle } from '../../abuse/failure-throttle.ts';
import type { UsedJtiStore } from '../../ports.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import type { ClientKeys } from './internal/client-keys.ts';

/** A request to an endpoint that authenticates clients (token, introspection, revocation). */
export interface ClientAuthRequest {
  readonly tenant: Tenant;
  readonly issuer: string;
  /** The tenant's token endpoint URL: a client assertion's `aud` may name it (OIDC Core §9). */
  readonly tokenEndpoint: string;
  /** The Authorization header, if any. */
  readonly authorization: string | null;
  /** The form parameters (RFC 6749 §2.3: credentials may travel in the body). */
  readonly params: ReadonlyMap<string, string>;
  /** The client's address (for the failure budgets), if known. */
  readonly ip?: string | null | undefined;
}

export interface ClientAuthDeps {
  readonly clock: Clock;
  readonly usedJtis: UsedJtiStore;
  readonly clientKeys: ClientKeys;
  /** Counts failed authentications per client id and address (absent: none counted). */
  readonly failures?: FailureThrottle | undefined;
}

/**
 * One client authentication method (OIDC Core §9 names): whether a request
 * carries its credentials, the client_id they claim, and their verification.
 */
export interface ClientAuthMethod {
  readonly name: TokenEndpointAuthMethod;
  /** Whether the request carries this method's credentials. */
  presented(req: ClientAuthRequest): boolean;
  /** The client_id the credentials claim (unverified); undefined when they name none. */
  claimedClientId(req: ClientAuthRequest): string | undefined;
  /**
   * Verifies the credentials for `client`, or — when the client is unknown,
   * undefined — spends the same effort and fails. Throws InvalidClient.
   */
  verify(req: ClientAuthRequest, client: Client | undefined, deps: ClientAuthDeps): Promise<void>;
}
