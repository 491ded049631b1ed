import { sha256 } from '../../../crypto/index.ts';
import { consumeLimit, limitReached, type Limit } from '../../abuse/rate-limit.ts';
import type { FlowDeps } from '../../interaction/deps.ts';
import { RateLimited, ValidationFailed } from '../../errors.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import { PASSWORD, verifyPassword } from '../password.ts';
import type { User } from '../user.ts';

/** What the account use-cases need: the hosted pages' flow dependencies. */
export type AccountDeps = Pick<FlowDeps, 'repo' | 'clock' | 'passwords' | 'mail' | 'client'>;

/** Wrong current passwords on the account page, per user: then the page waits (a stolen session cannot brute-force the password). */
const CURRENT_PASSWORD_FAILURES: Limit = { max: 5, windowMs: 15 * 60_000 };

/** The actor and target name of a user in the audit log (never the email). */
export const userRef = (user: Pick<User, 'id'>): string => `user:${user.id}`;

/** A rate-limit key part for an email address: hashed, so the counters table holds no address. */
export const emailKey = (email: string): string => sha256(email);

/** Whether the user has a password (passwordless users confirm sensitive actions otherwise). */
export async function hasPassword(deps: Pick<AccountDeps, 'repo'>, user: User): Promise<boolean> {
  return (await deps.repo.credentials.ofUser(user.tenantId, user.id, PASSWORD)).length > 0;
}

/**
 * Re-checks the signed-in user's current password before a sensitive change
 * (email, password, deletion). Failures are counted per user; once the budget
 * is spent the page answers RateLimited whatever is typed.
 */
export async function checkCurrentPassword(deps: AccountDeps, tenant: Tenant, user: User, password: string, field = 'current_password'): Promise<void> {
  const key = `account-password:${tenant.id}:${user.id}`;
  const now = deps.clock.now();
  const gate = await limitReached(deps.repo.rateLimits, key, CURRENT_PASSWORD_FAILURES, now);
  if (gate.limited) throw new RateLimited('Too many wrong passwords. Wait a few minutes and try again.', gate.retryAfter);
  if (await verifyPassword(deps, user, password)) return;
  await consumeLimit(deps.repo.rateLimits, key, CURRENT_PASSWORD_FAILURES, now, 'Too many wrong passwords. Wait a few minutes and try again.');
  throw new ValidationFailed(field, 'is not correct');
}

