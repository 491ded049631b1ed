import { startInteraction } from '../../interaction/machine.ts';
import type { FlowDeps } from '../../interaction/deps.ts';
import { resumeSession, touchSession } from '../../sessions/sso.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import { AccessDenied, InteractionRequired, type OAuthError } from '../errors.ts';
import { USER_LIMIT } from '../../usage/user-limit.ts';
import { completeAuthorization } from './complete.ts';
import { consentNeeded } from './consent.ts';
import { AuthorizationFailure } from './failure.ts';
import { loginNeeded } from './login-needed.ts';
import { errorResponse, targetOf, type AuthorizationResponse } from './response.ts';
import { validateAuthorizationRequest } from './validate.ts';

export type AuthorizeOutcome =
  /** Deliver to the client: a code (SSO, nothing to ask) or an error. */
  | { readonly kind: 'respond'; readonly response: AuthorizationResponse }
  /** Ask the user: set the interaction cookie, go to its page. */
  | { readonly kind: 'interact'; readonly interactionId: string; readonly secret: string; readonly expiresAt: number }
  /** Refused without a trusted redirection URI: show the error to the user only. */
  | { readonly kind: 'error_page'; readonly error: OAuthError };

/**
 * The authorization endpoint (RFC 6749 §4.1.1, OIDC Core §3.1.2): validate
 * the request, then complete it at once when a live session and a grant
 * cover it, or start the sign-in sequence. prompt=none never asks (§3.1.2.6
 * login_required / consent_required).
 */
export async function authorize(
  deps: FlowDeps,
  input: { tenant: Tenant; issuer: string; params: ReadonlyMap<string, readonly string[]>; sessionSecret: string | undefined },
): Promise<AuthorizeOutcome> {
  const { tenant, issuer } = input;
  const now = deps.clock.now();
  let validated;
  try {
    validated = await validateAuthorizationRequest({ signer: deps.signer, client: deps.client }, { tenant, issuer, now, params: input.params });
  } catch (e) {
    if (!(e instanceof AuthorizationFailure)) throw e;
    return e.target ? { kind: 'respond', response: errorResponse(e.target, issuer, e.error) } : { kind: 'error_page', error: e.error };
  }
  const { client, request } = validated;
  let session = await resumeSession(deps, tenant, input.sessionSecret);
  if (session) {
    const user = await deps.repo.users.byId(tenant.id, session.userId);
    if (!user || user.disabled) session = undefined;
  }
  const needsLogin = loginNeeded(request, session, now);
  const needsConsent = !needsLogin && consentNeeded(client, request, await deps.repo.grants.byUserAndClient(tenant.id, session!.userId, client.clientId));
  if (request.prompt.includes('none') && (needsLogin || needsConsent)) {
    const error = needsLogin ? new InteractionRequired('login_required', 'the user is not signed in') : new InteractionRequired('consent_required', 'the user has not consented to this request');
    return { kind: 'respond', response: errorResponse(targetOf(request), issuer, error) };
  }
  if (!needsLogin && !needsConsent) {
    if (deps.activity && !(await deps.activity.admit(tenant.id, session!.userId))) return { kind: 'error_page', error: new AccessDenied(USER_LIMIT) };
    await touchSession(deps, tenant, session!);
    const response = await completeAuthorization(deps, { tenant, issuer, client, request, session: session! });
    deps.analytics?.signIn({ tenantId: tenant.id, amr: 'sso', clientId: client.clientId, userAgent: session!.userAgent });
    return { kind: 'respond', response };
  }
  const { interaction, secret } = await startInteraction(deps, { tenant, client, request, session, needsLogin });
  return { kind: 'interact', interactionId: interaction.id, secret, expiresAt: interaction.expiresAt };
}
