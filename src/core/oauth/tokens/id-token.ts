import { oidcTokenHash } from '../../../crypto/index.ts';
import type { Client } from '../../clients/client.ts';
import type { Clock } from '../../clock.ts';
import { settingsOf, type Tenant } from '../../tenants/tenant.ts';
import { requestedClaimsFor, userClaims, type ClaimsUser } from '../claims.ts';
import type { TenantSigner } from './signer.ts';

export interface IdTokenInput {
  readonly tenant: Tenant;
  readonly issuer: string;
  readonly client: Client;
  readonly user: ClaimsUser;
  readonly scopes: readonly string[];
  /** Milliseconds: when the user authenticated (kept unchanged across refreshes, OIDC Core §12.2). */
  readonly authTime: number;
  readonly acr: string | null;
  readonly amr: readonly string[];
  /** Only on the response to the authorization request's code (§3.1.3.6); never on a refresh. */
  readonly nonce: string | null;
  readonly sid: string | null;
  /** The access token issued with it, for `at_hash`. */
  readonly accessToken: string;
  /** The authorization request's `claims` parameter (§5.5). */
  readonly claimsRequest: Readonly<Record<string, unknown>> | null;
}

/**
 * Mints an ID token (OIDC Core §2, §3.1.3.6) signed with the client's
 * `id_token_signed_response_alg` by the tenant's active key of that alg.
 * Carries the user claims of the granted scopes and of the `claims`
 * parameter's `id_token` member (one mapping with UserInfo, see claims.ts).
 */
export async function mintIdToken(deps: { signer: TenantSigner; clock: Clock }, input: IdTokenInput): Promise<string> {
  const now = Math.floor(deps.clock.now() / 1000);
  const alg = input.client.idTokenSignedResponseAlg;
  const claims = {
    ...userClaims(input.user, input.scopes, settingsOf(input.tenant), requestedClaimsFor(input.claimsRequest, 'id_token')),
    iss: input.issuer,
    sub: input.user.id,
    aud: input.client.clientId,
    azp: input.client.clientId,
    iat: now,
    exp: now + settingsOf(input.tenant).id_token_ttl,
    auth_time: Math.floor(input.authTime / 1000),
    ...(input.nonce !== null ? { nonce: input.nonce } : {}),
    ...(input.acr !== null ? { acr: input.acr } : {}),
    ...(input.amr.length ? { amr: [...input.amr] } : {}),
    ...(input.sid !== null ? { sid: input.sid } : {}),
    at_hash: oidcTokenHash(alg, input.accessToken),
  };
  return (await deps.signer.sign(input.tenant.id, alg, claims)).jwt;
}
