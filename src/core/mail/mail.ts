import { uuidv7 } from '../../crypto/index.ts';
import type { Clock } from '../clock.ts';
import type { Stores } from '../ports.ts';
import type { Tenant } from '../tenants/tenant.ts';
import type { OutboxItem } from './outbox-item.ts';

/** The messages authflow sends; each has an HTML and a text template (templates/email/). */
export const EMAIL_TEMPLATES = ['verify_email', 'reset_password', 'magic_link', 'email_change', 'password_changed', 'new_device', 'account_exists', 'account_locked', 'failed_sign_ins', 'refresh_reuse', 'email_changed', 'factor_changed'] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

/** A rendered message. */
export interface ComposedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * Renders a message from its template with the tenant's overrides (a port:
 * the server's template engine implements it; values are escaped there).
 */
export interface EmailComposer {
  compose(tenant: Tenant, template: EmailTemplate, vars: Readonly<Record<string, string>>): ComposedEmail;
}

/** What queueing mail needs. `wake` nudges the sender after the caller's commit (it also polls). */
export interface MailDeps {
  readonly composer: EmailComposer;
  readonly clock: Clock;
  readonly wake: () => void;
}

/**
 * Renders a message and puts it in the durable outbox, with `s` the stores of
 * the caller's transaction: it is sent only if that transaction commits, and
 * never inside the request (the sender delivers it in the background). Call
 * `deps.wake()` after the commit.
 */
export async function queueEmail(
  s: Stores,
  deps: Pick<MailDeps, 'composer' | 'clock'>,
  input: { tenant: Tenant; userId: string | null; to: string; template: EmailTemplate; vars: Readonly<Record<string, string>> },
): Promise<OutboxItem> {
  const now = deps.clock.now();
  const { subject, text, html } = deps.composer.compose(input.tenant, input.template, { tenant_name: input.tenant.name, email: input.to, ...input.vars });
  const item: OutboxItem = {
    id: uuidv7(now),
    tenantId: input.tenant.id,
    userId: input.userId,
    kind: 'email',
    recipient: input.to,
    subject,
    payload: { template: input.template, text, html },
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    claimedUntil: null,
    lastError: null,
    createdAt: now,
    sentAt: null,
  };
  await s.outbox.enqueue(item);
  return item;
}
