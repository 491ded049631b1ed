// The chain arithmetic of the audit log (docs/security.md, audit): canonical JSON,
// the hash of an event, and verification in seq order, page by page. The
// stored chain is an array here; test/integration/audit.test.ts tampers with
// real rows on SQLite and Postgres.
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/core/audit/audit-event.ts';
import { auditHash, canonicalJson, GENESIS_HASH } from '../../src/core/audit/record.ts';
import { verifyAuditChain } from '../../src/core/audit/verify.ts';
import type { AuditQuery, AuditStore } from '../../src/core/ports.ts';

const TENANT = '0190c0de-0000-7000-8000-000000000001';

function chain(n: number): AuditEvent[] {
  const out: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const base = { id: `0190c0de-0000-7000-8000-${String(seq).padStart(12, '0')}`, tenantId: TENANT, seq, at: 1_700_000_000_000 + seq, actor: 'admin', action: 'client.created', target: `client:c${seq}`, data: { n: seq, nested: { b: 1, a: [1, 'x'] } }, ip: null, prevHash };
    const event = { ...base, hash: auditHash(base) };
    out.push(event);
    prevHash = event.hash;
  }
  return out;
}

/** The list half of AuditStore over an array, as the stores answer it (ascending after `afterSeq`). */
function storeOf(events: readonly AuditEvent[]): AuditStore & { reads: number } {
  const store = {
    reads: 0,
    head: async () => undefined,
    insert: async () => {},
    list: async (_tenantId: string, q: AuditQuery) => {
      store.reads += 1;
      return [...events].sort((a, b) => a.seq - b.seq).filter((e) => e.seq > (q.afterSeq ?? 0)).slice(0, q.limit);
    },
  };
  return store;
}

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order, drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});

describe('auditHash', () => {
  it('changes when any field of the event or the previous hash changes', () => {
    const [e] = chain(1);
    const { hash: _h, ...base } = e!;
    const h = auditHash(base);
    expect(h).toMatch(/^[A-Za-z0-9_-]{43}$/); // SHA-256, base64url
    for (const change of [{ seq: 2 }, { at: base.at + 1 }, { actor: 'api_key:x' }, { action: 'client.deleted' }, { target: null }, { data: { n: 2 } }, { ip: '10.0.0.1' }, { prevHash: 'f'.repeat(64) }, { tenantId: 'other' }, { id: 'x' }]) {
      expect(auditHash({ ...base, ...change }), JSON.stringify(change)).not.toBe(h);
    }
  });
});

describe('verifyAuditChain', () => {
  it('an empty chain is intact with the genesis head', async () => {
    expect(await verifyAuditChain(storeOf([]), TENANT)).toEqual({ intact: true, events: 0, head: GENESIS_HASH });
  });

  it('an intact chain across several pages reports its length and head', async () => {
    const events = chain(10);
    const store = storeOf(events);
    expect(await verifyAuditChain(store, TENANT, 3)).toEqual({ intact: true, events: 10, head: events[9]!.hash });
    expect(store.reads).toBe(4); // 3 + 3 + 3 + 1: streamed, never all at once
  });

  it('modified data: broken at that seq', async () => {
    const events = chain(6);
    events[3] = { ...events[3]!, data: { n: 999 } };
    expect(await verifyAuditChain(storeOf(events), TENANT, 4)).toMatchObject({ intact: false, seq: 4, events: 3, reason: expect.stringMatching(/modified/) });
  });

  it('a row rewritten with a recomputed hash still breaks at the next event (its prev_hash)', async () => {
    const events = chain(5);
    const { hash: _h, ...base } = { ...events[1]!, actor: 'someone-else' };
    events[1] = { ...base, hash: auditHash(base) };
    expect(await verifyAuditChain(storeOf(events), TENANT)).toMatchObject({ intact: false, seq: 3, reason: expect.stringMatching(/prev_hash/) });
  });

  it('a deleted event: the gap is reported at the missing seq', async () => {
    const events = chain(5).filter((e) => e.seq !== 3);
    expect(await verifyAuditChain(storeOf(events), TENANT)).toMatchObject({ intact: false, seq: 3, events: 2, reason: 'event 3 is missing (the next one is 4)' });
  });

  it('the newest events deleted cannot be told from a shorter chain, but the head changes', async () => {
    const events = chain(5);
    const r = await verifyAuditChain(storeOf(events.slice(0, 4)), TENANT);
    expect(r).toEqual({ intact: true, events: 4, head: events[3]!.hash });
    expect(r.intact && r.head).not.toBe(events[4]!.hash);
  });

  it('a first event that does not start from the genesis hash is a break at seq 1', async () => {
    const events = chain(2).slice(1).map((e) => ({ ...e, seq: 1 }));
    expect(await verifyAuditChain(storeOf(events), TENANT)).toMatchObject({ intact: false, seq: 1 });
  });
});
