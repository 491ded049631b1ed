import { uuidv7, type PasswordHasher } from '../../crypto/index.ts';
import { recordAudit } from '../audit/record.ts';
import type { MailDeps } from '../mail/mail.ts';
import { noticeTime, recordSecurityEvent } from '../security/record.ts';
import type { SecuritySignals } from '../security/signals.ts';
import type { Clock } from '../clock.ts';
import { NotFound } from '../errors.ts';
import type { Repository } from '../ports.ts';
import { settingsOf, type Tenant } from '../tenants/tenant.ts';
import { PASSWORD } from './password.ts';
import { checkPasswordPolicy } from './password-policy.ts';
import { revokeUserAccess } from './revoke-access.ts';
import type { User } from './user.ts';

type Deps = { readonly repo: Pick<Repository, 'transaction'>; readonly passwords: PasswordHasher; readonly clock: Clock; readonly mail: MailDeps; readonly signals?: SecuritySignals | undefined };

export interface SetPasswordOptions {
  /** Sign the user out everywhere; undefined: the tenant's `password_reset.revoke_sessions` (default true). */
  readonly revokeSessions?: boolean | undefined;
  /** The session to keep (the one the user changed the password from). */
  readonly exceptSessionId?: string | undefined;
  /** Audit actor: `admin`, `api_key:<id>`, `user:<id>`. */
  readonly actor: string;
  /** Audit action (default `user.password_set`; the reset flow passes its own). */
  readonly action?: string | undefined;
  readonly ip?: string | undefined;
  /** The tenant's issuer: the notice links to its password reset page. */
  readonly issuer?: string | undefined;
}

/**
 * Sets a user's password (admin, account page, reset): checks the tenant's
 * password policy, hashes with argon2id before the transaction (never holding
 * the write lock while hashing), then in one transaction replaces the password
 * credential, signs the user out everywhere (unless told otherwise) and records
 * the audit event and a `password_changed` security event, whose notice tells
 * the user (the reset, account page and admin all pass here). Returns what was revoked.
 */
export async function setPassword(deps: Deps, tenant: Tenant, user: User, password: string, options: SetPasswordOptions): Promise<{ sessions: number; refreshFamilies: number }> {
  checkPasswordPolicy(tenant, password, { email: user.email });
  const hash = await deps.passwords.hash(password);
  const revoke = options.revokeSessions ?? settingsOf(tenant).password_reset.revoke_sessions;
  const { revoked, mailed } = await deps.repo.transaction(async (s) => {
    if (!(await s.users.byId(tenant.id, user.id))) throw new NotFound(`no user "${user.id}" in tenant ${tenant.slug}`);
    const now = deps.clock.now();
    await s.credentials.deleteOfUser(tenant.id, user.id, PASSWORD);
    await s.credentials.insert({ id: uuidv7(now), userId: user.id, tenantId: tenant.id, kind: PASSWORD, secret: hash, data: {}, createdAt: now, lastUsedAt: null });
    // Outstanding reset and magic links die with the old password, whether or not sessions are kept.
    await s.userTokens.invalidate(tenant.id, user.id, ['reset_password', 'magic_link'], now);
    const revoked = revoke ? await revokeUserAccess(s, { tenantId: tenant.id, userId: user.id, now, exceptSessionId: options.exceptSessionId }) : { sessions: 0, refreshFamilies: 0 };
    await recordAudit(s, {
      tenantId: tenant.id,
      at: now,
      actor: options.actor,
      action: options.action ?? 'user.password_set',
      target: `user:${user.id}`,
      data: { sessions_ended: revoked.sessions, refresh_families_revoked: revoked.refreshFamilies },
      ...(options.ip ? { ip: options.ip } : {}),
    });
    const via = options.action === 'user.password_reset' ? 'reset' : options.actor.startsWith('user:') ? 'account' : 'admin';
    const { mailed } = await recordSecurityEvent(s, deps, {
      tenant,
      kind: 'password_changed',
      user,
      ip: options.ip,
      data: { via, sessions_ended: revoked.sessions },
      audit: false,
      notice: { template: 'password_changed', vars: { time: noticeTime(now), link: options.issuer ? `${options.issuer}/forgot-password` : '' } },
    });
    return { revoked, mailed };
  });
  if (mailed) deps.mail.wake();
  return revoked;
}
