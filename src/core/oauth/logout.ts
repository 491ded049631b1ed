import type { Client } from '../clients/client.ts';
import type { FlowDeps } from '../interaction/deps.ts';
import type { Session } from '../sessions/session.ts';
import { endSession } from '../sessions/sso.ts';
import { appendAccountEvent } from '../audit/account-events.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { InvalidRequest } from './errors.ts';
import { verifyIdTokenHint } from './tokens/id-token-hint.ts';

const PARAMETERS = ['id_token_hint', 'post_logout_redirect_uri', 'state', 'client_id', 'logout_hint', 'ui_locales'] as const;

/** A validated RP-initiated logout request. */
export interface LogoutPlan {
  /** Where to send the browser afterwards (with `state`), or null: show the logged-out page (no open redirects). */
  readonly redirectTo: string | null;
  /** The client that asked, when identified (for the page). */
  readonly client: Client | null;
  /** True when the request proves it comes from the session's own client for this user: log out without asking. */
  readonly confirmed: boolean;
  /** The parameters to carry through the confirmation form. */
  readonly carry: Readonly<Record<string, string>>;
}

/**
 * OpenID Connect RP-Initiated Logout 1.0 §2–§4. The id_token_hint must have
 * been issued by this tenant (§4; expired ones accepted); the client it (or
 * `client_id`) names must match, and `post_logout_redirect_uri` must be
 * exactly one it registered (§3) — otherwise no redirection happens at all.
 * Without a hint for the signed-in user, the user is asked (§2: the OP SHOULD
 * ask whether to log out; it guards against logout CSRF).
 */
export async function planLogout(
  deps: FlowDeps,
  input: { tenant: Tenant; issuer: string; params: ReadonlyMap<string, readonly string[]>; session: Session | undefined },
): Promise<LogoutPlan> {
  const { tenant, session } = input;
  for (const [name, values] of input.params) if (values.length > 1) throw new InvalidRequest(`the ${name.length <= 40 ? name : 'a'} parameter is repeated`);
  const get = (name: string) => input.params.get(name)?.[0] || undefined;
  const carry = Object.fromEntries(PARAMETERS.flatMap((p) => (get(p) ? [[p, get(p)!.slice(0, 8192)]] : [])));

  const hintToken = get('id_token_hint');
  const hint = hintToken ? await verifyIdTokenHint(deps.signer, tenant.id, input.issuer, hintToken) : undefined;
  if (hintToken && !hint) throw new InvalidRequest('the id_token_hint was not issued by this issuer');
  const clientId = get('client_id');
  if (hint && clientId && !hint.aud.includes(clientId)) throw new InvalidRequest('client_id is not an audience of the id_token_hint');
  const clientRef = clientId ?? (hint?.aud.length === 1 ? hint.aud[0] : undefined);
  const found = clientRef ? await deps.client(clientRef) : undefined;
  const client = found && found.tenantId === tenant.id ? found : null;

  const uri = get('post_logout_redirect_uri');
  let redirectTo: string | null = null;
  if (uri && client && client.postLogoutRedirectUris.includes(uri)) {
    const url = new URL(uri);
    const state = get('state');
    if (state) url.searchParams.append('state', state.slice(0, 1024));
    redirectTo = url.toString();
  }
  // The hint proves which user the client thinks is signed in; it must be this session's (and, if it names one, this session).
  const confirmed = !session || (hint !== undefined && hint.sub === session.userId && (hint.sid === null || hint.sid === session.id));
  return { redirectTo, client, confirmed, carry };
}

/** Ends the SSO session (and records its revocation, so tokens with its `sid` can be refused). */
export async function performLogout(deps: FlowDeps, tenant: Tenant, session: Session | undefined, input: { clientId?: string | undefined; ip?: string | null } = {}): Promise<void> {
  if (!session || !(await endSession(deps, tenant, session))) return;
  await appendAccountEvent(deps.repo, {
    tenantId: tenant.id,
    at: deps.clock.now(),
    action: 'user.signed_out',
    target: `user:${session.userId}`,
    data: { session_id: session.id, ...(input.clientId ? { client_id: input.clientId } : {}) },
    ip: input.ip ?? null,
  });
}
