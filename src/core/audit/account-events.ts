import type { Repository } from '../ports.ts';
import type { AuditEvent, NewAuditEvent } from './audit-event.ts';
import { recordAudit } from './record.ts';

/**
 * What happens to an account through the hosted pages and the token endpoint, in the tenant's audit log
 * beside the admin actions: sign-ins (and failed ones), sign-outs, consents granted, refresh-token reuse.
 * Each names the client and the method; actors and targets are ids, never emails.
 */
export type AccountAction = 'user.signed_in' | 'user.sign_in_failed' | 'user.signed_out' | 'user.consent_granted' | 'token.refresh_reused';

export interface AccountEvent extends Omit<NewAuditEvent, 'action' | 'actor'> {
  readonly action: AccountAction;
  /** Defaults to the user the event is about, or `anonymous` when no account is known. */
  readonly actor?: string;
}

/** Appends one account event in a transaction of its own. */
export function appendAccountEvent(repo: Pick<Repository, 'transaction'>, event: AccountEvent): Promise<AuditEvent> {
  return repo.transaction((s) => recordAudit(s, { ...event, actor: event.actor ?? event.target ?? 'anonymous' }));
}
