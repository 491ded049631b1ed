// The shipped list of the most common passwords: zxcvbn-ts's `passwords`
// dictionary (the one `dictionary['passwords-common']` of the package's index
// exposes), imported as its plain JSON source so that loading it neither
// decompresses the package's other dictionaries nor costs the server's cold
// start more than a JSON parse.
import commonPasswords from '@zxcvbn-ts/language-common/src/passwords.json' with { type: 'json' };
import { ValidationFailed } from '../errors.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';

/** The longest password accepted anywhere (argon2 hashes whatever it is given: bound the work). */
export const MAX_PASSWORD_LENGTH = 256;

let common: Set<string> | undefined;

/** Whether `password` (case-insensitively) is on the shipped list; the Set is built on first use (~15 ms), then O(1). */
export function isCommonPassword(password: string): boolean {
  common ??= new Set((commonPasswords as string[]).map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}

/**
 * Checks a new password against the tenant's policy (NIST SP 800-63B
 * §5.1.1.2): at least `min_length` characters (code points), at most 256,
 * not on the shipped list of the most common passwords (unless
 * `refuse_common` is off), not the user's own email address. No composition
 * rules. Throws ValidationFailed('password', …) with one clear sentence.
 */
export function checkPasswordPolicy(tenant: Tenant, password: string, context: { email?: string | undefined } = {}): void {
  const policy = settingsOf(tenant).password_policy;
  const length = [...password].length;
  if (length < policy.min_length) throw new ValidationFailed('password', `must be at least ${policy.min_length} characters (the tenant's password_policy.min_length)`);
  if (length > MAX_PASSWORD_LENGTH) throw new ValidationFailed('password', `must be at most ${MAX_PASSWORD_LENGTH} characters`);
  if (context.email && password.trim().toLowerCase() === context.email.trim().toLowerCase()) throw new ValidationFailed('password', 'must not be your email address');
  if (policy.refuse_common && isCommonPassword(password)) throw new ValidationFailed('password', 'is one of the most commonly used passwords; choose one that is harder to guess');
}
