import { RateLimited } from '../errors.ts';
import type { AttemptPolicy } from '../ports.ts';
import { noticeTime, recordSecurityEvent, type SecurityDeps } from '../security/record.ts';
import { NO_SIGNALS } from '../security/signals.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import type { TenantSettings } from '../tenants/settings.ts';
import { waitText } from '../duration.ts';
import { networkOf, normalizeIp } from './network.ts';

/** One try of a secret a person types (a password now; second factors use the same counters later). */
export interface SecretAttempt {
  readonly tenant: Tenant;
  /** What is being guessed: `password`, `totp`, … (each has its own counters). */
  readonly factor: string;
  /** The account when the identifier names one; undefined otherwise (the counters and answers are the same). */
  readonly user: { readonly id: string; readonly email: string } | undefined;
  /** A stable key for the identifier typed (hashed), used when it names no account. */
  readonly identifierKey: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** SHA-256 of the browser's device cookie, when it sent one. */
  readonly deviceHash?: string | undefined;
  /** The tenant's issuer, for the link in the notice. */
  readonly issuer?: string | undefined;
}

export type LockoutDeps = SecurityDeps;

const tooMany = (seconds: number) => `Too many failed sign-in attempts. Try again in ${waitText(seconds)}.`;

/** The prefix of every lockout counter of an account (a user id), for `authflow user unlock`. */
export const lockoutPrefix = (tenantId: string, account: string): string => `lock:${tenantId}:${account}:`;

/** Per (account, address or device): `free_failures` immediate tries, then waits doubling from `first_wait` to `max_wait`. */
export function pairPolicy(l: TenantSettings['lockout']): AttemptPolicy {
  const waits: number[] = [];
  for (let w = l.first_wait; waits.at(-1) !== l.max_wait; w *= 2) waits.push(Math.min(w, l.max_wait));
  return { free: l.free_failures, waits: waits.map((s) => s * 1000), windowMs: l.forget_after * 1000 };
}

/** Per account: `account_max_failures` in a row, then nothing until a success elsewhere or `forget_after` without tries. */
export function accountPolicy(l: TenantSettings['lockout']): AttemptPolicy {
  return { free: l.account_max_failures, waits: [l.forget_after * 1000], windowMs: l.forget_after * 1000 };
}

/**
 * Verifies a typed secret under the tenant's lockout (docs/abuse.md). Every
 * try is counted before `verify` runs, in one atomic statement per counter,
 * so parallel tries never get past the budget; a success clears the
 * counters it went through.
 *
 * - From an address that already failed too often for any accounts (or its
 *   /24, /64), nothing is tried.
 * - Per (account, address): `free_failures`, then doubling waits up to
 *   `max_wait` — the temporary lock of that pair only. A browser the user
 *   signed in with before (its device cookie) has its own counter instead,
 *   so an attacker elsewhere cannot lock the owner out of it.
 * - Per account (not from a known device): at most `account_max_failures`
 *   in a row, from all addresses together.
 *
 * Throws RateLimited (with how long to wait) whether or not the account
 * exists. The lock and repeated failures are security events, mailed once.
 */
export async function verifyWithLockout(deps: LockoutDeps, a: SecretAttempt, verify: () => Promise<boolean>): Promise<boolean> {
  const { tenant } = a;
  const settings = settingsOf(tenant);
  const store = deps.repo.rateLimits;
  const signals = deps.signals ?? NO_SIGNALS;
  const now = deps.clock.now();
  const ip = normalizeIp(a.ip) ?? 'unknown';
  const addresses = addressKeys(tenant, ip);
  const th = settings.throttle;
  const [byIp, byNet] = await store.peekMany([addresses.ip, addresses.net], now);
  if (byIp!.count >= th.sign_in_failures_per_address.max || byNet!.count >= th.sign_in_failures_per_network.max) {
    signals.throttled('sign_in_address');
    const over = byIp!.count >= th.sign_in_failures_per_address.max ? byIp! : byNet!;
    throw new RateLimited(tooMany((over.resetAt - now) / 1000), (over.resetAt - now) / 1000);
  }

  const base = lockoutPrefix(tenant.id, a.user?.id ?? `id-${a.identifierKey}`) + `${a.factor}:`;
  const known = a.user !== undefined && a.deviceHash !== undefined && (await deps.repo.devices.known(tenant.id, a.user.id, a.deviceHash));
  const pairKey = known ? `${base}device:${a.deviceHash}` : `${base}ip:${ip}`;
  const accountKey = `${base}account`;
  const pair = await store.attempt(pairKey, pairPolicy(settings.lockout), now);
  if (!pair.allowed) {
    signals.throttled('sign_in_lockout');
    throw new RateLimited(tooMany((pair.blockedUntil - now) / 1000), (pair.blockedUntil - now) / 1000);
  }
  const account = known ? undefined : await store.attempt(accountKey, accountPolicy(settings.lockout), now);
  if (account && !account.allowed) {
    signals.throttled('sign_in_lockout');
    throw new RateLimited(tooMany((account.blockedUntil - now) / 1000), (account.blockedUntil - now) / 1000);
  }

  if (await verify()) {
    await store.resetMany(known ? [pairKey] : [pairKey, accountKey]);
    return true;
  }
  await countAddressFailure(deps, tenant, ip);
  if (a.user) await noteFailure(deps, a, { pairCount: pair.count, pairWait: pair.blockedUntil - now, accountCount: account?.count, known });
  return false;
}

function addressKeys(tenant: Tenant, ip: string) {
  return { ip: `signin-fail-ip:${tenant.id}:${ip}`, net: `signin-fail-net:${tenant.id}:${networkOf(ip) ?? ip}` };
}

/** A failed sign-in from `ip`, for the per-address and per-network budgets (counted after the fact: successes never spend them). */
async function countAddressFailure(deps: LockoutDeps, tenant: Tenant, ip: string): Promise<void> {
  const th = settingsOf(tenant).throttle;
  const keys = addressKeys(tenant, ip);
  const now = deps.clock.now();
  const perIp = th.sign_in_failures_per_address.window;
  const perNet = th.sign_in_failures_per_network.window;
  if (perIp === perNet) await deps.repo.rateLimits.hitMany([keys.ip, keys.net], perIp * 1000, now);
  else await Promise.all([deps.repo.rateLimits.hit(keys.ip, perIp * 1000, now), deps.repo.rateLimits.hit(keys.net, perNet * 1000, now)]);
}

/** The failure that starts a lock, or crosses the tenant's `notify_after`, is a security event (and a notice). */
async function noteFailure(deps: LockoutDeps, a: SecretAttempt, c: { pairCount: number; pairWait: number; accountCount: number | undefined; known: boolean }): Promise<void> {
  const l = settingsOf(a.tenant).lockout;
  const pair = pairPolicy(l);
  const locksPair = c.pairCount === pair.free + pair.waits.length - 1;
  const locksAccount = c.accountCount === l.account_max_failures;
  const notify = c.accountCount === l.notify_after && !locksPair && !locksAccount;
  if (!locksPair && !locksAccount && !notify) return;
  const user = a.user!;
  const time = noticeTime(deps.clock.now());
  const link = a.issuer ? `${a.issuer}/forgot-password` : '';
  const common = { tenant: a.tenant, user, ip: a.ip, userAgent: a.userAgent };
  const { mailed } = await deps.repo.transaction((s) => {
    if (notify) {
      return recordSecurityEvent(s, deps, { ...common, kind: 'failed_sign_ins', data: { factor: a.factor, failures: c.accountCount }, notice: { template: 'failed_sign_ins', vars: { count: String(c.accountCount), ip: a.ip ?? 'an unknown address', time, link: a.issuer ? `${a.issuer}/account` : '' } } });
    }
    const scope = locksAccount ? 'account' : c.known ? 'device' : 'address';
    const seconds = locksAccount ? l.forget_after : Math.round(c.pairWait / 1000);
    const count = locksAccount ? l.account_max_failures : c.pairCount;
    return recordSecurityEvent(s, deps, {
      ...common,
      kind: 'lockout',
      data: { factor: a.factor, scope, failures: count, seconds },
      notice: { template: 'account_locked', vars: { count: String(count), wait: waitText(seconds), scope: scope === 'account' ? 'from any new browser' : `from ${a.ip ?? 'that address'}`, ip: a.ip ?? 'an unknown address', time, link } },
    });
  });
  if (mailed) deps.mail.wake();
}

/** Forgets every lockout counter of the user (an admin unlocked the account, or its password was reset). Returns how many there were. */
export function clearLockout(deps: Pick<LockoutDeps, 'repo'>, tenantId: string, userId: string): Promise<number> {
  return deps.repo.rateLimits.resetPrefix(lockoutPrefix(tenantId, userId));
}
