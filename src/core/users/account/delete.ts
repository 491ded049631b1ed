import { ValidationFailed } from '../../errors.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import { deleteUser } from '../delete-user.ts';
import { normalizeEmail, type User } from '../user.ts';
import { checkCurrentPassword, hasPassword, userRef, type AccountDeps } from './internal.ts';

/**
 * The signed-in user erases their account (GDPR Art. 17): confirmed with the
 * current password, or by typing their email address when they have none.
 * Then, in one transaction (src/core/users/delete-user.ts), every session and
 * token dies and the personal data is deleted; `user.deleted` is audited with
 * the user's pseudonymous id as actor.
 */
export async function deleteOwnAccount(deps: AccountDeps, tenant: Tenant, user: User, input: { password?: string | undefined; email?: string | undefined }): Promise<void> {
  if (await hasPassword(deps, user)) await checkCurrentPassword(deps, tenant, user, input.password ?? '', 'password');
  else if (normalizeEmail(input.email ?? '') !== user.email) throw new ValidationFailed('email', 'does not match your email address');
  await deleteUser(deps, tenant, user.id, userRef(user));
}
