import { uuidv7 } from '../../crypto/index.ts';
import { recordAudit } from '../audit/record.ts';
import type { Clock } from '../clock.ts';
import { queueEmail, type EmailTemplate, type MailDeps } from '../mail/mail.ts';
import type { Repository, Stores } from '../ports.ts';
import type { Tenant } from '../tenants/tenant.ts';
import type { SecurityEvent, SecurityEventKind } from './security-event.ts';
import { NO_SIGNALS, type SecuritySignals } from './signals.ts';

export interface SecurityDeps {
  readonly repo: Repository;
  readonly clock: Clock;
  readonly mail: MailDeps;
  /** /metrics counters (absent: nothing counted, as in the CLI). */
  readonly signals?: SecuritySignals | undefined;
}

/** One notice per user and kind in this window at most: an attack must not become a flood of mail. */
export const NOTICE_WINDOW_MS = 6 * 3600_000;

export interface NewSecurityEvent {
  readonly tenant: Tenant;
  readonly kind: SecurityEventKind;
  /** The user it concerns (mailed when `notice` is given). */
  readonly user?: { readonly id: string; readonly email: string } | undefined;
  readonly ip?: string | null | undefined;
  readonly userAgent?: string | null | undefined;
  readonly data?: Readonly<Record<string, unknown>>;
  /**
   * The audit entry: `security.<kind>` by the user (or `system`) unless the
   * caller already appends its own entry for the same change in the same
   * transaction (then false).
   */
  readonly audit?: false | { readonly actor?: string; readonly action?: string };
  /** Mail to the user: the template and its values (tenant name and address are added). */
  readonly notice?: { readonly template: EmailTemplate; readonly vars: Readonly<Record<string, string>>; readonly to?: string } | undefined;
}

/**
 * Records a security event with `s` the stores of an open transaction: the
 * row, its audit entry and its notice (at most one per user and kind per
 * NOTICE_WINDOW_MS, through the outbox) commit together. Returns whether
 * mail was queued (the caller wakes the sender after the commit).
 */
export async function recordSecurityEvent(s: Stores, deps: Omit<SecurityDeps, 'repo'>, e: NewSecurityEvent): Promise<{ event: SecurityEvent; mailed: boolean }> {
  const now = deps.clock.now();
  const userId = e.user?.id ?? null;
  const event: SecurityEvent = { id: uuidv7(now), tenantId: e.tenant.id, userId, kind: e.kind, at: now, ip: e.ip ?? null, userAgent: e.userAgent ?? null, data: e.data ?? {} };
  await s.securityEvents.insert(event);
  if (e.audit !== false) {
    const target = userId ? `user:${userId}` : typeof event.data.api_key_id === 'string' ? `api_key:${event.data.api_key_id}` : null;
    await recordAudit(s, { tenantId: e.tenant.id, at: now, actor: e.audit?.actor ?? (userId ? `user:${userId}` : 'system'), action: e.audit?.action ?? `security.${e.kind}`, target, data: event.data, ...(event.ip ? { ip: event.ip } : {}) });
  }
  let mailed = false;
  if (e.notice && e.user) {
    const { count } = await s.rateLimits.hit(`security-notice:${e.tenant.id}:${e.user.id}:${e.kind}`, NOTICE_WINDOW_MS, now);
    if (count === 1) {
      await queueEmail(s, deps.mail, { tenant: e.tenant, userId: e.user.id, to: e.notice.to ?? e.user.email, template: e.notice.template, vars: e.notice.vars });
      mailed = true;
    }
  }
  (deps.signals ?? NO_SIGNALS).event(e.kind);
  return { event, mailed };
}

/** recordSecurityEvent in a transaction of its own, waking the mail sender after the commit. */
export async function emitSecurityEvent(deps: SecurityDeps, e: NewSecurityEvent): Promise<SecurityEvent> {
  const { event, mailed } = await deps.repo.transaction((s) => recordSecurityEvent(s, deps, e));
  if (mailed) deps.mail.wake();
  return event;
}

/** The UTC time as the notices print it. */
export const noticeTime = (at: number): string => new Date(at).toUTCString();
