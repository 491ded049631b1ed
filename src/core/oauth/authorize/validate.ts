import type { Client } from '../../clients/client.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import { isOAuthError } from '../errors.ts';
import type { AuthorizationRequest } from '../authorization-request.ts';
import { checkAcrValues } from '../checks/acr-values.ts';
import { checkClaims } from '../checks/claims.ts';
import { checkClientId } from '../checks/client-id.ts';
import { checkDuplicates } from '../checks/duplicates.ts';
import { checkHints } from '../checks/hints.ts';
import { checkIdTokenHint } from '../checks/id-token-hint.ts';
import { checkMaxAge } from '../checks/max-age.ts';
import { checkPkce } from '../checks/pkce.ts';
import { checkPrompt } from '../checks/prompt.ts';
import { checkRedirectUri } from '../checks/redirect-uri.ts';
import { checkRequestObject } from '../checks/request-object.ts';
import { checkResponseMode } from '../checks/response-mode.ts';
import { checkResponseType } from '../checks/response-type.ts';
import { checkScope } from '../checks/scope.ts';
import { checkStateAndNonce } from '../checks/state-nonce.ts';
import type { TenantSigner } from '../tokens/signer.ts';
import type { CheckContext } from './context.ts';
import { AuthorizationFailure, type ErrorTarget } from './failure.ts';

/** Checks that run once the redirection URI is trusted; their errors are redirected to it. In this order. */
const REDIRECTABLE: readonly ((ctx: CheckContext) => void | Promise<void>)[] = [
  checkResponseMode,
  checkDuplicates,
  checkRequestObject,
  checkResponseType,
  checkScope,
  checkPkce,
  checkPrompt,
  checkMaxAge,
  checkClaims,
  checkAcrValues,
  checkHints,
  checkStateAndNonce,
  checkIdTokenHint,
];

export interface ValidateDeps {
  readonly signer: TenantSigner;
  readonly client: (clientId: string) => Promise<Client | undefined>;
}

/**
 * Validates an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.2).
 * Throws AuthorizationFailure: without a target until client_id and
 * redirect_uri are proven, with one afterwards.
 */
export async function validateAuthorizationRequest(
  deps: ValidateDeps,
  input: { tenant: Tenant; issuer: string; now: number; params: ReadonlyMap<string, readonly string[]> },
): Promise<{ client: Client; request: AuthorizationRequest }> {
  const ctx: CheckContext = { ...input, signer: deps.signer, request: {} };
  try {
    await checkClientId(ctx, deps.client);
    checkRedirectUri(ctx);
  } catch (e) {
    throw isOAuthError(e) ? new AuthorizationFailure(e, null) : e;
  }
  const stateValues = input.params.get('state') ?? [];
  const target = (): ErrorTarget => ({
    redirectUri: ctx.request.redirectUri!,
    responseMode: ctx.request.responseMode ?? 'query',
    // A repeated state cannot be echoed faithfully; RFC 6749 §4.1.2.1 asks for "the exact value received".
    state: stateValues.length === 1 && stateValues[0] ? stateValues[0].slice(0, 1024) : null,
  });
  try {
    for (const check of REDIRECTABLE) await check(ctx);
  } catch (e) {
    throw isOAuthError(e) ? new AuthorizationFailure(e, target()) : e;
  }
  return { client: ctx.client!, request: ctx.request as AuthorizationRequest };
}
