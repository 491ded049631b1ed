import { sha256, uuidv7 } from '../../crypto/index.ts';
import type { Stores } from '../ports.ts';
import type { AuditEvent, NewAuditEvent } from './audit-event.ts';

/** The hash an empty chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 over the previous hash and everything the event says (not its own hash). */
export function auditHash(event: Omit<AuditEvent, 'hash'>): string {
  const { id, tenantId, seq, at, actor, action, target, data, ip, prevHash } = event;
  return sha256(`${prevHash}\n${canonicalJson({ id, tenantId, seq, at, actor, action, target, data, ip })}`);
}

/**
 * Appends an event to its tenant's chain, with `s` the stores of an open
 * transaction: the event commits (or not) with the change it records, and
 * the chain head is locked until then, so appends never fork the chain.
 */
export async function recordAudit(s: Stores, event: NewAuditEvent): Promise<AuditEvent> {
  const head = await s.audit.head(event.tenantId);
  const base = {
    id: uuidv7(event.at),
    tenantId: event.tenantId,
    seq: (head?.seq ?? 0) + 1,
    at: event.at,
    actor: event.actor,
    action: event.action,
    target: event.target ?? null,
    data: event.data ?? {},
    ip: event.ip ?? null,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const full: AuditEvent = { ...base, hash: auditHash(base) };
  await s.audit.insert(full);
  return full;
}
