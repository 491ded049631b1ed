import type { AuditStore } from '../ports.ts';
import type { AuditEvent } from './audit-event.ts';
import { auditEventsAfter } from './query.ts';
import { auditHash, GENESIS_HASH } from './record.ts';

/** What `verifyAuditChain` found: an intact chain and its head, or the first break. */
export type ChainReport =
  | { readonly intact: true; readonly events: number; readonly head: string }
  | { readonly intact: false; readonly events: number; readonly seq: number; readonly reason: string };

/**
 * Recomputes the tenant's whole chain in seq order: seqs run 1, 2, 3… with
 * no gap, each event's prev_hash is the previous event's hash (the genesis
 * hash for the first), and each hash is what `auditHash` gives for the event.
 * Any edit, deletion or reordering of a stored row breaks one of these.
 * `events` counts the events checked (up to the break).
 */
export async function verifyAuditChain(store: AuditStore, tenantId: string, pageSize?: number): Promise<ChainReport> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let events = 0;
  for await (const event of auditEventsAfter(store, tenantId, 0, pageSize)) {
    const reason = breakOf(event, expectedSeq, prevHash);
    if (reason) return { intact: false, events, seq: reason.seq, reason: reason.why };
    events += 1;
    expectedSeq = event.seq + 1;
    prevHash = event.hash;
  }
  return { intact: true, events, head: prevHash };
}

function breakOf(event: AuditEvent, expectedSeq: number, prevHash: string): { seq: number; why: string } | undefined {
  if (event.seq !== expectedSeq) {
    return event.seq > expectedSeq
      ? { seq: expectedSeq, why: expectedSeq === event.seq - 1 ? `event ${expectedSeq} is missing (the next one is ${event.seq})` : `events ${expectedSeq}–${event.seq - 1} are missing` }
      : { seq: event.seq, why: `seq ${event.seq} appears out of order (expected ${expectedSeq})` };
  }
  if (event.prevHash !== prevHash) return { seq: event.seq, why: 'its prev_hash is not the hash of the event before it' };
  const { hash, ...rest } = event;
  if (auditHash(rest) !== hash) return { seq: event.seq, why: 'its content does not match its hash (the row was modified)' };
  return undefined;
}
