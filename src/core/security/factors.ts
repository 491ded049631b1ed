import type { Stores } from '../ports.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { noticeTime, recordSecurityEvent, type SecurityDeps } from './record.ts';

/** What a second-factor enrolment or removal tells the user, e.g. "An authenticator app (TOTP) was added". */
const LABELS: Readonly<Record<string, string>> = { totp: 'An authenticator app (TOTP)', webauthn: 'A passkey or security key', recovery_code: 'Recovery codes', phone: 'A phone number for sign-in codes' };

/**
 * Records that a second factor (a credential kind: `totp`, `webauthn`, …)
 * was added to or removed from the user's account, with `s` the stores of the
 * transaction that makes the change: a `factor_added` / `factor_removed`
 * security event, audited, with a notice to the user. Returns whether mail
 * was queued (the caller wakes the sender after the commit).
 */
export async function recordFactorChange(
  s: Stores,
  deps: Omit<SecurityDeps, 'repo'>,
  input: { tenant: Tenant; user: { id: string; email: string }; change: 'added' | 'removed'; factor: string; ip?: string | null; userAgent?: string | null; issuer?: string },
): Promise<boolean> {
  const label = LABELS[input.factor] ?? `A sign-in method (${input.factor})`;
  const { mailed } = await recordSecurityEvent(s, deps, {
    tenant: input.tenant,
    kind: input.change === 'added' ? 'factor_added' : 'factor_removed',
    user: input.user,
    ip: input.ip,
    userAgent: input.userAgent,
    data: { factor: input.factor },
    notice: { template: 'factor_changed', vars: { change: `${label} was ${input.change === 'added' ? 'added' : 'removed'}`, time: noticeTime(deps.clock.now()), link: input.issuer ? `${input.issuer}/account` : '' } },
  });
  return mailed;
}
