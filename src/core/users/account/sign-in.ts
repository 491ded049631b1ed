import { consumeLimit, limitReached, type Limit } from '../../abuse/rate-limit.ts';
import { RateLimited, ValidationFailed } from '../../errors.ts';
import type { Session } from '../../sessions/session.ts';
import { establishSession, resumeSession, touchSession, type Device, type StartedSession } from '../../sessions/sso.ts';
import { settingsOf, type Tenant } from '../../tenants/tenant.ts';
import { verifyPassword } from '../password.ts';
import { isEmail, normalizeEmail, type User } from '../user.ts';
import { emailKey, type AccountDeps } from './internal.ts';

/** Failed sign-ins on the account page per account and client IP before it waits (docs/security.md, abuse). */
const SIGN_IN_FAILURES: Limit = { max: 10, windowMs: 15 * 60_000 };

const TOO_MANY = 'Too many failed sign-ins. Wait a few minutes and try again.';

/** Who is on the account page: a live SSO session of an enabled user. */
export interface AccountHolder {
  readonly session: Session;
  readonly user: User;
}

/** The live session the cookie names and its user (enabled), or undefined: the page asks to sign in. */
export async function resumeAccount(deps: AccountDeps, tenant: Tenant, secret: string | undefined): Promise<AccountHolder | undefined> {
  const session = await resumeSession(deps, tenant, secret);
  if (!session) return undefined;
  const user = await deps.repo.users.byId(tenant.id, session.userId);
  if (!user || user.disabled) return undefined;
  await touchSession(deps, tenant, session);
  return { session, user };
}

/**
 * Signs in on the account page with email and password, establishing (or
 * renewing) the tenant's SSO session. An unknown address, a wrong password and
 * a disabled user all give `undefined` after the same argon2id work (no user
 * enumeration); failures are counted per address and IP, and once that budget
 * is spent RateLimited is thrown for known and unknown addresses alike.
 * `unverified`: the password was right but the tenant requires a verified
 * address the user has not confirmed yet.
 */
export async function signInToAccount(
  deps: AccountDeps,
  tenant: Tenant,
  input: { identifier: string; password: string; device: Device; current: Session | undefined },
): Promise<StartedSession | 'unverified' | undefined> {
  const email = normalizeEmail(input.identifier);
  if (!email || input.identifier.length > 320 || !isEmail(email)) throw new ValidationFailed('identifier', 'Enter a valid email address.');
  const key = `account-login:${tenant.id}:${emailKey(email)}:${input.device.ip ?? '-'}`;
  const now = deps.clock.now();
  const gate = await limitReached(deps.repo.rateLimits, key, SIGN_IN_FAILURES, now);
  if (gate.limited) throw new RateLimited(TOO_MANY, gate.retryAfter);
  const user = await deps.repo.users.byEmail(tenant.id, email);
  if (!(await verifyPassword(deps, user, input.password))) {
    await consumeLimit(deps.repo.rateLimits, key, SIGN_IN_FAILURES, now, TOO_MANY);
    return undefined;
  }
  await deps.repo.rateLimits.reset(key);
  // As the hosted login: a tenant that requires a verified address lets nobody in before (said only after the right password).
  if (settingsOf(tenant).email_verification.required && !user!.emailVerified) return 'unverified';
  await deps.repo.users.recordLogin(tenant.id, user!.id, now);
  return establishSession(deps, tenant, { userId: user!.id, amr: ['pwd'], acr: null, at: now }, input.device, input.current);
}
