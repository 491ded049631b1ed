import { consumeLimit, type Limit } from '../../abuse/rate-limit.ts';
import { recordAudit } from '../../audit/record.ts';
import { noticeTime, recordSecurityEvent } from '../../security/record.ts';
import { Conflict, ValidationFailed } from '../../errors.ts';
import { queueEmail } from '../../mail/mail.ts';
import { settingsOf, type Tenant } from '../../tenants/tenant.ts';
import { isEmail, normalizeEmail, type User } from '../user.ts';
import { consumeUserToken, findUserToken, issueUserToken, type TokenRefusal } from '../user-token.ts';
import { lifetimeText } from '../../duration.ts';
import { checkCurrentPassword, hasPassword, userRef, type AccountDeps } from './internal.ts';

/** Change requests per user: each one mails a stranger's address, so keep it from becoming a spam cannon. */
const REQUESTS: Limit = { max: 5, windowMs: 60 * 60_000 };

/**
 * Step 1 of an email change: the signed-in user gives the new address and,
 * if they have one, their current password. A single-use `email_change`
 * token carrying the new address is mailed to that address (`link` builds the
 * confirmation URL from the token). Nothing changes until it is confirmed.
 * Whether the address is taken is not checked here, so the form reveals no
 * other account; the confirmation refuses a taken one.
 */
export async function requestEmailChange(
  deps: AccountDeps,
  tenant: Tenant,
  user: User,
  input: { email: string; password: string },
  link: (token: string) => string,
): Promise<{ email: string }> {
  const email = normalizeEmail(input.email);
  if (!email) throw new ValidationFailed('email', 'Enter the new email address.');
  if (input.email.length > 320 || !isEmail(email)) throw new ValidationFailed('email', 'is not a valid email address');
  if (email === user.email) throw new ValidationFailed('email', 'is already your address');
  const settings = settingsOf(tenant);
  const domains = settings.registration.allowed_email_domains;
  if (domains.length && !domains.includes(email.slice(email.indexOf('@') + 1))) throw new ValidationFailed('email', `must be an address at ${domains.join(', ')}`);
  if (await hasPassword(deps, user)) await checkCurrentPassword(deps, tenant, user, input.password);
  await consumeLimit(deps.repo.rateLimits, `account-email:${tenant.id}:${user.id}`, REQUESTS, deps.clock.now(), 'Too many email change requests. Try again later.');
  const ttl = settings.email_verification.token_ttl;
  await deps.repo.transaction(async (s) => {
    const now = deps.clock.now();
    const issued = await issueUserToken(s, { tenantId: tenant.id, userId: user.id, kind: 'email_change', now, ttlMs: ttl * 1000, data: { email } });
    await queueEmail(s, deps.mail, { tenant, userId: user.id, to: email, template: 'email_change', vars: { link: link(issued.token), expires_in: lifetimeText(ttl), new_email: email, old_email: user.email } });
    await recordAudit(s, { tenantId: tenant.id, at: now, actor: userRef(user), action: 'user.email_change_requested', target: userRef(user) });
  });
  deps.mail.wake();
  return { email };
}

/** Why a confirmation link did not change the address: the token's refusal, or the address got taken meanwhile. */
export type EmailChangeRefusal = TokenRefusal | 'taken';

/** The address a confirmation link would switch to (for the page that asks to confirm), or why it cannot. */
export async function inspectEmailChange(deps: AccountDeps, tenant: Tenant, token: string): Promise<{ email: string } | EmailChangeRefusal> {
  const found = await findUserToken(deps.repo, tenant.id, 'email_change', token, deps.clock.now());
  if (typeof found === 'string') return found;
  return { email: String(found.data.email) };
}

/**
 * Step 2: the link from the new address's mailbox is confirmed (possession of
 * the token proves control of that address). In one transaction the token is
 * spent, the address replaced and marked verified, links mailed to the old
 * address stop working, and `user.email_changed` is audited.
 */
export async function confirmEmailChange(deps: AccountDeps, tenant: Tenant, token: string): Promise<{ user: User } | EmailChangeRefusal> {
  let mailed = false;
  try {
    const done = await deps.repo.transaction(async (s): Promise<{ user: User } | EmailChangeRefusal> => {
      const now = deps.clock.now();
      const found = await findUserToken(s, tenant.id, 'email_change', token, now);
      if (typeof found === 'string') return found;
      const user = await s.users.byId(tenant.id, found.userId);
      if (!user || user.disabled) return 'unknown';
      const email = String(found.data.email);
      const holder = await s.users.byEmail(tenant.id, email);
      if (holder && holder.id !== user.id) return 'taken';
      if (!(await consumeUserToken(s, found, now))) return 'used';
      const next: User = { ...user, email, emailVerified: true, updatedAt: now };
      await s.users.update(next);
      await s.userTokens.invalidate(tenant.id, user.id, ['verify_email', 'reset_password', 'magic_link'], now);
      await recordAudit(s, { tenantId: tenant.id, at: now, actor: userRef(user), action: 'user.email_changed', target: userRef(user) });
      // The old address is told: if someone else made the change, its owner is the one who must know.
      mailed = (await recordSecurityEvent(s, deps, { tenant, kind: 'email_changed', user, data: {}, audit: false, notice: { template: 'email_changed', to: user.email, vars: { new_email: email, time: noticeTime(now) } } })).mailed;
      return { user: next };
    });
    if (mailed) deps.mail.wake();
    return done;
  } catch (e) {
    // Taken between the check and the write (another account, another server).
    if (e instanceof Conflict) return 'taken';
    throw e;
  }
}
