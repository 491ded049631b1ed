import type { ClientAuthenticator } from '../../core/oauth/client-auth/index.ts';
import type { Capability } from '../../core/oauth/metadata/capability.ts';
import type { TokenExchange } from '../../core/oauth/token-endpoint.ts';
import type { TokenResponse } from '../../core/oauth/grant-types/grant-type.ts';
import type { ServerDeps } from '../deps.ts';

/** What the per-tenant OAuth handlers share, built once when the routes are registered. */
export interface OAuthContext {
  readonly deps: ServerDeps;
  readonly clientAuth: ClientAuthenticator;
  /** The token endpoint's grant dispatch (RFC 6749 §3.2). */
  readonly exchange: (x: TokenExchange) => Promise<TokenResponse>;
  /** The capabilities of the registered OAuth routes: the metadata document is built from these only. */
  readonly capabilities: readonly Capability[];
}
