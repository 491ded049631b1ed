import { sha256, typedSecret, uuidv7 } from '../../crypto/index.ts';
import type { Clock } from '../clock.ts';
import type { MailDeps } from '../mail/mail.ts';
import { noticeTime, recordSecurityEvent } from '../security/record.ts';
import type { SecuritySignals } from '../security/signals.ts';
import type { Repository } from '../ports.ts';
import type { Device } from '../sessions/sso.ts';
import type { Tenant } from '../tenants/tenant.ts';

type Deps = { readonly repo: Pick<Repository, 'transaction'>; readonly clock: Clock; readonly mail: MailDeps; readonly signals?: SecuritySignals | undefined };

/** Prefix of the device cookie's secret (a typed secret: a leaked one says what it is). */
const KIND = 'dv';

/** A device secret as the cookie may carry it (anything else is replaced by a new one). */
function wellFormed(secret: string | undefined): secret is string {
  return secret !== undefined && secret.startsWith(`af_${KIND}_`) && secret.length <= 100;
}

/** The stored hash of the browser's device cookie, when it carries a well-formed one. */
export function deviceHashOf(secret: string | undefined): string | undefined {
  return wellFormed(secret) ? sha256(secret) : undefined;
}

/**
 * Records a sign-in of `userId` from this browser, recognised by its
 * long-lived device cookie (256 random bits; only the SHA-256 is stored).
 * When the browser is new for the user and the user had signed in before
 * (from another device), the sign-in is a `user.new_device` audit event and a
 * `new_device` notice is queued. Returns the secret the browser must keep
 * when it had none (or a malformed one), so the caller sets the cookie.
 */
export async function recordSignInDevice(deps: Deps, tenant: Tenant, input: { issuer: string; userId: string; secret: string | undefined; device: Device }): Promise<{ secret: string | undefined; isNew: boolean }> {
  const fresh = wellFormed(input.secret) ? undefined : typedSecret(KIND);
  const secret = fresh ?? input.secret!;
  const { userAgent, ip } = input.device;
  const alerted = await deps.repo.transaction(async (s) => {
    const now = deps.clock.now();
    const user = await s.users.byId(tenant.id, input.userId);
    if (!user) return { isNew: false, alert: false };
    const known = await s.devices.ofUser(tenant.id, user.id);
    const { isNew } = await s.devices.seen({ id: uuidv7(now), tenantId: tenant.id, userId: user.id, deviceHash: sha256(secret), userAgent, ip, firstSeenAt: now, lastSeenAt: now });
    // A first sign-in ever is no news; a new browser after others (or after sign-ins from before devices were tracked) is.
    const alert = isNew && (known.length > 0 || user.lastLoginAt !== null);
    if (!alert) return { isNew, alert };
    const { mailed } = await recordSecurityEvent(s, deps, {
      tenant,
      kind: 'new_device',
      user,
      ip,
      userAgent,
      data: { user_agent: userAgent, ip },
      audit: { action: 'user.new_device' },
      notice: { template: 'new_device', vars: { user_agent: userAgent ?? 'an unknown browser', ip: ip ?? 'an unknown address', time: noticeTime(now), link: `${input.issuer}/account` } },
    });
    return { isNew, alert: mailed };
  });
  if (alerted.alert) deps.mail.wake();
  return { secret: fresh, isNew: alerted.isNew };
}
