/**
 * One entry of a tenant's hash-chained audit log (mirrors `audit_events`).
 * `hash` = SHA-256 over `prevHash` and the event's canonical JSON, so any
 * edit, deletion or reordering breaks the chain (`authflow audit verify`).
 * Actors and targets are ids (`user:<id>`), never emails: once a user is
 * deleted the log still holds, pseudonymous.
 */
export interface AuditEvent {
  readonly id: string;
  readonly tenantId: string;
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly ip: string | null;
  readonly prevHash: string;
  readonly hash: string;
}

/** What a caller appends; the store assigns id, seq and the hashes. */
export type NewAuditEvent = Pick<AuditEvent, 'tenantId' | 'at' | 'actor' | 'action'> & Partial<Pick<AuditEvent, 'target' | 'data' | 'ip'>>;
