import { sha256 } from '../../crypto/index.ts';
import { consumeLimit, type Limit } from '../abuse/rate-limit.ts';
import { lifetimeText } from '../duration.ts';
import { recordAudit } from '../audit/record.ts';
import type { Clock } from '../clock.ts';
import { queueEmail, type MailDeps } from '../mail/mail.ts';
import type { Repository, Stores } from '../ports.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import type { User } from './user.ts';
import { checkUserTokenCode, consumeUserToken, findUserToken, issueUserToken, type TokenRefusal } from './user-token.ts';

type Deps = { readonly repo: Repository; readonly clock: Clock; readonly mail: MailDeps };

/** New verification codes a user may ask for (the first one, sent at registration, is not counted). */
export const RESEND_PER_USER: Limit = { max: 3, windowMs: 15 * 60_000 };
/** New verification links one address may ask for from the public "send a new link" form (keyed by the address's hash, known or not). */
export const RESEND_PER_ADDRESS: Limit = { max: 3, windowMs: 15 * 60_000 };
/** Public verification requests (resends, registrations) from one IP address. */
export const RESEND_PER_IP: Limit = { max: 20, windowMs: 60 * 60_000 };

/**
 * Issues a verify_email token with a 6-digit code for the user's current
 * address and queues the message, with `s` the stores of the caller's
 * transaction (call `deps.mail.wake()` after the commit). The token records
 * the address, so a link for an address the user has since changed proves
 * nothing. Earlier links and codes stop working.
 */
export async function sendVerification(s: Stores, deps: Pick<Deps, 'clock' | 'mail'>, input: { tenant: Tenant; issuer: string; user: User }): Promise<string> {
  const ttl = settingsOf(input.tenant).email_verification.token_ttl;
  const issued = await issueUserToken(s, { tenantId: input.tenant.id, userId: input.user.id, kind: 'verify_email', now: deps.clock.now(), ttlMs: ttl * 1000, withCode: true, data: { email: input.user.email } });
  await queueEmail(s, deps.mail, {
    tenant: input.tenant,
    userId: input.user.id,
    to: input.user.email,
    template: 'verify_email',
    vars: { link: `${input.issuer}/verify-email?token=${encodeURIComponent(issued.token)}`, code: issued.code!, expires_in: lifetimeText(ttl) },
  });
  return issued.record.id;
}

/**
 * A new code for a user who asked for one on the verification page, within
 * RESEND_PER_USER (RateLimited otherwise). Returns the new token's id.
 */
export async function resendVerification(deps: Deps, input: { tenant: Tenant; issuer: string; user: User }): Promise<string> {
  await consumeLimit(deps.repo.rateLimits, `verify-resend:${input.tenant.id}:${input.user.id}`, RESEND_PER_USER, deps.clock.now(), 'You asked for too many codes.');
  const id = await deps.repo.transaction((s) => sendVerification(s, deps, input));
  deps.mail.wake();
  return id;
}

/**
 * The public "send me a new link" form: the same outcome (and about the same
 * work) whether or not the address has an account that needs verifying, so it
 * reveals nothing. Limited per IP and per address (hashed: never stored in
 * clear); RateLimited when either budget is spent.
 */
export async function requestVerificationLink(deps: Deps, input: { tenant: Tenant; issuer: string; email: string; ip: string | null }): Promise<void> {
  const now = deps.clock.now();
  await consumeLimit(deps.repo.rateLimits, `verify-link-ip:${input.tenant.id}:${input.ip ?? 'unknown'}`, RESEND_PER_IP, now, 'Too many requests from your network.');
  await consumeLimit(deps.repo.rateLimits, `verify-link:${input.tenant.id}:${sha256(input.email)}`, RESEND_PER_ADDRESS, now, 'Too many links were requested for this address.');
  const sent = await deps.repo.transaction(async (s) => {
    const user = await s.users.byEmail(input.tenant.id, input.email);
    if (!user || user.emailVerified || user.disabled) return false;
    await sendVerification(s, deps, { tenant: input.tenant, issuer: input.issuer, user });
    return true;
  });
  if (sent) deps.mail.wake();
}

/** Why a link or code did not verify: the pages offer a new one. */
export type VerifyRefusal = TokenRefusal;

/**
 * Marks the user's address verified (and spends the token), with the audit
 * event `user.email_verified`, in one transaction. A token for an address the
 * user no longer has is refused as `used`.
 */
async function markVerified(deps: Pick<Deps, 'repo' | 'clock'>, tenant: Tenant, tokenId: string, userId: string, via: 'link' | 'code', ip: string | null): Promise<User | VerifyRefusal> {
  const now = deps.clock.now();
  return deps.repo.transaction(async (s) => {
    const record = await s.userTokens.byId(tenant.id, tokenId);
    if (!record || record.userId !== userId) return 'unknown';
    if (!(await consumeUserToken(s, record, now))) return 'used';
    const user = await s.users.byId(tenant.id, userId);
    if (!user || (typeof record.data.email === 'string' && record.data.email !== user.email)) return 'used';
    if (user.emailVerified) return user;
    const verified: User = { ...user, emailVerified: true, updatedAt: now };
    await s.users.update(verified);
    await recordAudit(s, { tenantId: tenant.id, at: now, actor: `user:${user.id}`, action: 'user.email_verified', target: `user:${user.id}`, data: { via }, ip });
    return verified;
  });
}

/** The emailed link: the token must be the newest unused, unexpired verify_email token. Spends it. */
export async function verifyEmailByLink(deps: Pick<Deps, 'repo' | 'clock'>, input: { tenant: Tenant; token: string; ip: string | null }): Promise<User | VerifyRefusal> {
  const found = await findUserToken(deps.repo, input.tenant.id, 'verify_email', input.token, deps.clock.now());
  if (typeof found === 'string') return found;
  return markVerified(deps, input.tenant, found.id, found.userId, 'link', input.ip);
}

/** Checks a link token without spending it (the confirmation page shown on GET). */
export async function checkVerificationLink(deps: Pick<Deps, 'repo' | 'clock'>, input: { tenant: Tenant; token: string }): Promise<VerifyRefusal | undefined> {
  const found = await findUserToken(deps.repo, input.tenant.id, 'verify_email', input.token, deps.clock.now());
  return typeof found === 'string' ? found : undefined;
}

/**
 * A code typed on the verification page, against token `tokenId` of `userId`.
 * A wrong code counts an attempt (MAX_CODE_ATTEMPTS, then the token is spent).
 */
export async function verifyEmailByCode(deps: Pick<Deps, 'repo' | 'clock'>, input: { tenant: Tenant; userId: string; tokenId: string; code: string }): Promise<User | VerifyRefusal | 'wrong'> {
  const record = await deps.repo.userTokens.byId(input.tenant.id, input.tokenId);
  if (!record || record.userId !== input.userId || record.kind !== 'verify_email') return 'unknown';
  const checked = await checkUserTokenCode(deps.repo, record, input.code, deps.clock.now());
  if (checked !== 'ok') return checked;
  return markVerified(deps, input.tenant, record.id, record.userId, 'code', null);
}
