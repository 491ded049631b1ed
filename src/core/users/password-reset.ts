import { sha256, uuidv7, type PasswordHasher } from '../../crypto/index.ts';
import { throttleSignInForm } from '../abuse/forms.ts';
import { clearLockout } from '../abuse/lockout.ts';
import { consumeLimit, type Limit } from '../abuse/rate-limit.ts';
import { lifetimeText } from '../duration.ts';
import type { Clock } from '../clock.ts';
import { ValidationFailed } from '../errors.ts';
import { queueEmail, type MailDeps } from '../mail/mail.ts';
import type { Repository } from '../ports.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import { checkPasswordPolicy } from './password-policy.ts';
import { setPassword } from './set-password.ts';
import { isEmail, normalizeEmail, type User } from './user.ts';
import { consumeUserToken, findUserToken, issueUserToken, type TokenRefusal } from './user-token.ts';

type Deps = { readonly repo: Repository; readonly clock: Clock; readonly mail: MailDeps; readonly passwords: PasswordHasher };

/** Reset links one address may ask for (keyed by the address's hash, known or not: the same budget either way). */
export const RESET_PER_ADDRESS: Limit = { max: 5, windowMs: 60 * 60_000 };
/** Reset requests from one IP address, whatever the addresses. */
export const RESET_PER_IP: Limit = { max: 20, windowMs: 15 * 60_000 };

const TOO_MANY = 'Too many reset links were requested.';

/** The address typed into a public form, normalized (ValidationFailed('email') when it is not one). */
export function typedEmail(value: string): string {
  const email = normalizeEmail(value);
  if (!email || value.length > 320 || !isEmail(email)) throw new ValidationFailed('email', 'Enter a valid email address.');
  return email;
}

/**
 * "Forgot password": mails a single-use reset link to the address if it
 * belongs to an enabled user. The caller's answer is the same either way, and
 * so is the work: both paths spend the rate-limit budgets (RateLimited for
 * known and unknown addresses alike), look the address up, render the
 * message and write once; only a real user's token and message are stored.
 * Mail is only queued (the sender delivers it later): no SMTP in the request.
 * Issuing a link invalidates the user's older reset links.
 */
export async function requestPasswordReset(
  deps: Deps,
  input: { tenant: Tenant; issuer: string; email: string; ip: string | null; interactionId?: string | undefined },
): Promise<void> {
  const { tenant } = input;
  const email = typedEmail(input.email);
  const now = deps.clock.now();
  await throttleSignInForm(deps, tenant, input.ip, 'forgot_password');
  await consumeLimit(deps.repo.rateLimits, `reset-ip:${tenant.id}:${input.ip ?? 'unknown'}`, RESET_PER_IP, now, TOO_MANY);
  await consumeLimit(deps.repo.rateLimits, `reset:${tenant.id}:${sha256(email)}`, RESET_PER_ADDRESS, now, TOO_MANY);
  const ttl = settingsOf(tenant).password_reset.token_ttl;
  const sent = await deps.repo.transaction(async (s) => {
    const user = await s.users.byEmail(tenant.id, email);
    if (!user || user.disabled) {
      // Comparable work for an address with no (enabled) account: the same round trips (a write that
      // changes nothing, two lookups in place of the two inserts) and the same render.
      const nobody = uuidv7(now);
      await s.userTokens.invalidate(tenant.id, nobody, ['reset_password'], now);
      await s.userTokens.byId(tenant.id, nobody);
      await s.outbox.byId(nobody);
      deps.mail.composer.compose(tenant, 'reset_password', { tenant_name: tenant.name, email, link: `${input.issuer}/reset-password?token=`, expires_in: lifetimeText(ttl) });
      return false;
    }
    const data = input.interactionId ? { interactionId: input.interactionId } : {};
    const issued = await issueUserToken(s, { tenantId: tenant.id, userId: user.id, kind: 'reset_password', now, ttlMs: ttl * 1000, data });
    await queueEmail(s, deps.mail, {
      tenant,
      userId: user.id,
      to: user.email,
      template: 'reset_password',
      vars: { link: `${input.issuer}/reset-password?token=${encodeURIComponent(issued.token)}`, expires_in: lifetimeText(ttl) },
    });
    return true;
  });
  if (sent) deps.mail.wake();
}

/** A reset link that can still be used: its user, and the sign-in it was asked for from, if any. */
export interface ResetLink {
  readonly user: User;
  readonly interactionId: string | null;
}

/** Checks a reset link without spending it (the form shown on GET). Disabled or deleted users' links are `unknown`. */
export async function checkResetLink(deps: Pick<Deps, 'repo' | 'clock'>, tenant: Tenant, token: string): Promise<ResetLink | TokenRefusal> {
  const found = await findUserToken(deps.repo, tenant.id, 'reset_password', token, deps.clock.now());
  if (typeof found === 'string') return found;
  const user = await deps.repo.users.byId(tenant.id, found.userId);
  if (!user || user.disabled) return 'unknown';
  return { user, interactionId: typeof found.data.interactionId === 'string' ? found.data.interactionId : null };
}

/**
 * Sets a new password from a reset link. The policy is checked before the
 * link is spent (a refused password leaves it usable; ValidationFailed
 * 'password' / 'confirm'); then, in one transaction, the link is spent (a
 * second use, even a concurrent one, is refused), every other outstanding
 * reset and magic link dies and the address counts as verified (the user
 * proved they read its mail). Then the password is replaced through
 * `setPassword`, which signs the user out everywhere unless the tenant's
 * `password_reset.revoke_sessions` is off (audited `user.password_reset`),
 * and a `password_changed` notice is queued.
 */
export async function resetPassword(deps: Deps, input: { tenant: Tenant; issuer: string; token: string; password: string; confirm: string; ip: string | null }): Promise<ResetLink | TokenRefusal> {
  const { tenant } = input;
  const link = await checkResetLink(deps, tenant, input.token);
  if (typeof link === 'string') return link;
  const { user } = link;
  checkPasswordPolicy(tenant, input.password, { email: user.email });
  if (input.password !== input.confirm) throw new ValidationFailed('confirm', 'The two passwords do not match.');
  const spent = await deps.repo.transaction(async (s) => {
    const now = deps.clock.now();
    const found = await findUserToken(s, tenant.id, 'reset_password', input.token, now);
    if (typeof found === 'string') return found;
    if (!(await consumeUserToken(s, found, now))) return 'used' as const;
    await s.userTokens.invalidate(tenant.id, user.id, ['reset_password', 'magic_link'], now);
    const current = await s.users.byId(tenant.id, user.id);
    if (!current || current.disabled) return 'unknown' as const;
    if (!current.emailVerified) await s.users.update({ ...current, emailVerified: true, updatedAt: now });
    return undefined;
  });
  if (spent) return spent;
  await setPassword(deps, tenant, user, input.password, { actor: `user:${user.id}`, action: 'user.password_reset', ip: input.ip ?? undefined, issuer: input.issuer });
  // Whoever held the mailbox may sign in again at once, wherever the lockout had stopped them.
  await clearLockout(deps, tenant.id, user.id);
  return link;
}
