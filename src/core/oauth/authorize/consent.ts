import type { Client } from '../../clients/client.ts';
import { covers, type UserGrant } from '../../consents/user-grant.ts';
import type { AuthorizationRequest } from '../authorization-request.ts';

/**
 * Whether the user must be asked (OIDC Core §3.1.2.4): always for
 * prompt=consent; otherwise unless the client is first-party or a live grant
 * already covers every requested scope. `consented`: scopes approved on the
 * consent page of this very request.
 */
export function consentNeeded(client: Client, request: AuthorizationRequest, grant: UserGrant | undefined, consented?: readonly string[]): boolean {
  if (consented && request.scopes.every((s) => consented.includes(s))) return false;
  if (request.prompt.includes('consent')) return true;
  return !client.firstParty && !covers(grant, request.scopes);
}
