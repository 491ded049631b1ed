import { ValidationFailed } from '../../errors.ts';
import type { Session } from '../../sessions/session.ts';
import { settingsOf, type Tenant } from '../../tenants/tenant.ts';
import { checkPasswordPolicy } from '../password-policy.ts';
import { setPassword } from '../set-password.ts';
import type { User } from '../user.ts';
import { checkCurrentPassword, hasPassword, userRef, type AccountDeps } from './internal.ts';

/**
 * The signed-in user changes their password: the current one is checked
 * first (counted failures, see checkCurrentPassword), the new one against the
 * tenant's policy; then, as the tenant's `password_reset.revoke_sessions`
 * says, every other session ends and every refresh token is revoked, while
 * `session` (this browser) stays. A user without a password sets one.
 */
export async function changeOwnPassword(
  deps: AccountDeps,
  tenant: Tenant,
  holder: { user: User; session: Session },
  input: { current: string; next: string; confirm: string; ip?: string | undefined; issuer?: string | undefined },
): Promise<{ sessions: number; refreshFamilies: number }> {
  const { user, session } = holder;
  if (await hasPassword(deps, user)) await checkCurrentPassword(deps, tenant, user, input.current);
  checkPasswordPolicy(tenant, input.next, { email: user.email });
  if (input.next !== input.confirm) throw new ValidationFailed('confirm_password', 'does not match the new password');
  return setPassword(deps, tenant, user, input.next, {
    revokeSessions: settingsOf(tenant).password_reset.revoke_sessions,
    exceptSessionId: session.id,
    actor: userRef(user),
    action: 'user.password_changed',
    ip: input.ip,
    issuer: input.issuer,
  });
}
