import type { Tenant } from '../../tenants/tenant.ts';
import { updateUser } from '../update-user.ts';
import type { User } from '../user.ts';
import { userRef, type AccountDeps } from './internal.ts';

/** The profile fields a user may edit about themselves (OIDC Core §5.1 names); email has its own confirmed flow. */
export const OWN_PROFILE_FIELDS = ['name', 'given_name', 'family_name', 'locale', 'picture', 'phone'] as const;
export type OwnProfileInput = Partial<Record<(typeof OWN_PROFILE_FIELDS)[number], string>>;

/**
 * The signed-in user edits their profile, with the admin's rules
 * (src/core/users/user-input.ts: E.164 phone, BCP 47 locale, https picture,
 * length limits); an empty field clears it, fields not sent stay. A changed
 * phone is no longer verified. Audited `user.updated` (field names only) with
 * the user as actor, in the same transaction.
 */
export function updateOwnProfile(deps: AccountDeps, tenant: Tenant, user: User, input: OwnProfileInput): Promise<User> {
  const body: Record<string, string | null> = {};
  for (const field of OWN_PROFILE_FIELDS) {
    const raw = input[field];
    if (raw === undefined) continue;
    // Phone numbers are typed with spaces and dashes; E.164 has none.
    const value = field === 'phone' ? raw.replace(/[\s.()-]/g, '') : raw.trim();
    body[field] = value === '' ? null : value;
  }
  return updateUser(deps, tenant, user.id, body, { actor: userRef(user) });
}
