import type { Session } from '../../sessions/session.ts';
import type { AuthorizationRequest } from '../authorization-request.ts';

/**
 * Whether the user must authenticate now (OIDC Core §3.1.2.3): no session;
 * prompt=login (or select_account); max_age exceeded since the session's
 * auth_time (max_age=0 always); or an id_token_hint for another user.
 */
export function loginNeeded(request: AuthorizationRequest, session: Session | undefined, now: number): boolean {
  if (!session) return true;
  if (request.prompt.includes('login')) return true;
  if (request.maxAge !== null && now - session.authTime >= request.maxAge * 1000) return true;
  if (request.idTokenHintSub !== null && request.idTokenHintSub !== session.userId) return true;
  return false;
}
