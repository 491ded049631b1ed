import { recordAudit } from '../../audit/record.ts';
import { NotFound } from '../../errors.ts';
import { MAX_ACCESS_TOKEN_TTL } from '../../consents/revoke-grant.ts';
import type { Stores } from '../../ports.ts';
import { isLive, type Session } from '../../sessions/session.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import type { User } from '../user.ts';
import { userRef, type AccountDeps } from './internal.ts';

/** The user's live sessions (any device), newest first. */
export function listOwnSessions(deps: AccountDeps, tenant: Tenant, user: User): Promise<Session[]> {
  return deps.repo.sessions.liveOfUser(tenant.id, user.id, deps.clock.now());
}

/**
 * Ends `session` as logout does (src/core/sessions/sso.ts endSession), in the
 * open transaction `s`: the `session` revocation outlives every access token
 * minted in it (refresh tokens carry its sid until its absolute end).
 */
function end(s: Stores, tenant: Tenant, session: Session, now: number): Promise<boolean> {
  return s.sessions.end(tenant.id, session.id, now, Math.max(session.expiresAt, now) + MAX_ACCESS_TOKEN_TTL * 1000);
}

/**
 * Signs one of the user's own sessions out. NotFound for another user's,
 * an unknown or an already ended session. Audited `user.session_ended`.
 */
export async function endOwnSession(deps: AccountDeps, tenant: Tenant, user: User, sessionId: string): Promise<void> {
  await deps.repo.transaction(async (s) => {
    const now = deps.clock.now();
    const session = sessionId.length <= 64 ? await s.sessions.byId(tenant.id, sessionId) : undefined;
    if (!session || session.userId !== user.id || !isLive(session, now) || !(await end(s, tenant, session, now))) throw new NotFound('That session has already ended.');
    await recordAudit(s, { tenantId: tenant.id, at: now, actor: userRef(user), action: 'user.session_ended', target: userRef(user), data: { session_id: session.id } });
  });
}

/** "Sign out everywhere else": ends every live session of the user but `current`. Audited `user.sessions_ended`. */
export async function endOtherSessions(deps: AccountDeps, tenant: Tenant, user: User, current: Session): Promise<number> {
  return deps.repo.transaction(async (s) => {
    const now = deps.clock.now();
    let ended = 0;
    for (const session of await s.sessions.liveOfUser(tenant.id, user.id, now)) if (session.id !== current.id && (await end(s, tenant, session, now))) ended++;
    await recordAudit(s, { tenantId: tenant.id, at: now, actor: userRef(user), action: 'user.sessions_ended', target: userRef(user), data: { count: ended } });
    return ended;
  });
}
