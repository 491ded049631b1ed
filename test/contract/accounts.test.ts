// Contract of the account stores added by migration 0003 on SQLite and
// Postgres: users (update, delete, search), mailed single-use tokens, the
// outbox and its claims, terms acceptances, devices, the audit chain and
// rate-limit windows. Every read is scoped by tenant.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHash, GENESIS_HASH, recordAudit } from '../../src/core/audit/record.ts';
import { Conflict } from '../../src/core/errors.ts';
import type { OutboxItem } from '../../src/core/mail/outbox-item.ts';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import type { User } from '../../src/core/users/user.ts';
import { checkUserTokenCode, consumeUserToken, findUserToken, issueUserToken, MAX_CODE_ATTEMPTS } from '../../src/core/users/user-token.ts';
import { revokeUserAccess } from '../../src/core/users/revoke-access.ts';
import { createRepository } from '../../src/db/index.ts';
import { randomString, uuidv7 } from '../../src/crypto/index.ts';
import { DIALECTS, openHarness, type Harness } from '../helpers/contract.ts';

const NOW = 1_750_000_000_000;

describe.each(DIALECTS)('account stores on %s', (dialect) => {
  let h: Harness;
  let a: Tenant;
  let b: Tenant;
  const tenant = (slug: string): Tenant => ({ id: uuidv7(NOW), slug: `${slug}-${randomString(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`, name: slug, customDomain: null, settings: {}, createdAt: NOW, updatedAt: NOW });
  const user = (t: Tenant, email: string, extra: Partial<User> = {}): User => ({
    id: uuidv7(NOW),
    tenantId: t.id,
    email,
    emailVerified: false,
    phone: null,
    phoneVerified: false,
    name: null,
    givenName: null,
    familyName: null,
    locale: null,
    picture: null,
    attributes: {},
    externalId: null,
    disabled: false,
    createdAt: NOW,
    updatedAt: NOW,
    lastLoginAt: null,
    ...extra,
  });

  beforeAll(async () => {
    h = await openHarness(dialect);
    a = tenant('a');
    b = tenant('b');
    await h.repo.tenants.insert(a);
    await h.repo.tenants.insert(b);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('users: update replaces the profile, refuses a taken email, and search matches email, name and external id', async () => {
    const ada = user(a, `ada-${randomString(4).toLowerCase()}@example.com`, { name: 'Ada Lovelace', externalId: 'crm-1' });
    const bob = user(a, `bob-${randomString(4).toLowerCase()}@example.com`, { name: 'Bob' });
    await h.repo.users.insert(ada);
    await h.repo.users.insert(bob);
    expect(await h.repo.users.update({ ...ada, name: 'Ada King', updatedAt: NOW + 1 })).toBe(true);
    expect((await h.repo.users.byId(a.id, ada.id))?.name).toBe('Ada King');
    await expect(h.repo.users.update({ ...bob, email: ada.email })).rejects.toBeInstanceOf(Conflict);
    expect(await h.repo.users.update({ ...bob, tenantId: b.id })).toBe(false);
    expect((await h.repo.users.byExternalId(a.id, 'crm-1'))?.id).toBe(ada.id);
    expect(await h.repo.users.byExternalId(b.id, 'crm-1')).toBeUndefined();
    expect((await h.repo.users.list(a.id, { limit: 10, search: 'KING' })).map((u) => u.id)).toEqual([ada.id]);
    expect((await h.repo.users.list(a.id, { limit: 10, search: 'crm-' })).map((u) => u.id)).toEqual([ada.id]);
    expect((await h.repo.users.list(a.id, { limit: 10, search: '%' })).length).toBe(0);
    expect(await h.repo.users.list(b.id, { limit: 10, search: 'ada' })).toEqual([]);
    expect(await h.repo.users.delete(b.id, bob.id)).toBe(false);
    expect(await h.repo.users.delete(a.id, bob.id)).toBe(true);
    expect(await h.repo.users.byId(a.id, bob.id)).toBeUndefined();
  });

  it('user tokens: single use, the newest link wins, codes allow a few attempts, tenant-scoped', async () => {
    const u = user(a, `tok-${randomString(4).toLowerCase()}@example.com`);
    await h.repo.users.insert(u);
    const first = await h.repo.transaction((s) => issueUserToken(s, { tenantId: a.id, userId: u.id, kind: 'verify_email', now: NOW, ttlMs: 60_000, withCode: true }));
    expect(first.token).toMatch(/^af_ve_/);
    expect(first.code).toMatch(/^\d{6}$/);
    const second = await h.repo.transaction((s) => issueUserToken(s, { tenantId: a.id, userId: u.id, kind: 'verify_email', now: NOW, ttlMs: 60_000, withCode: true }));
    expect(await findUserToken(h.repo, a.id, 'verify_email', first.token, NOW)).toBe('used');
    expect(await findUserToken(h.repo, b.id, 'verify_email', second.token, NOW)).toBe('unknown');
    expect(await findUserToken(h.repo, a.id, 'reset_password', second.token, NOW)).toBe('unknown');
    expect(await findUserToken(h.repo, a.id, 'verify_email', second.token, NOW + 60_000)).toBe('expired');
    const found = await findUserToken(h.repo, a.id, 'verify_email', second.token, NOW);
    if (typeof found === 'string') throw new Error(found);
    const wrong = second.code === '000000' ? '111111' : '000000';
    for (let i = 1; i < MAX_CODE_ATTEMPTS; i++) expect(await checkUserTokenCode(h.repo, found, wrong, NOW)).toBe('wrong');
    expect(await checkUserTokenCode(h.repo, found, second.code!, NOW)).toBe('ok');
    expect(await checkUserTokenCode(h.repo, found, wrong, NOW)).toBe('used');
    expect(await findUserToken(h.repo, a.id, 'verify_email', second.token, NOW)).toBe('used');

    const reset = await h.repo.transaction((s) => issueUserToken(s, { tenantId: a.id, userId: u.id, kind: 'reset_password', now: NOW, ttlMs: 60_000 }));
    const record = await findUserToken(h.repo, a.id, 'reset_password', reset.token, NOW);
    if (typeof record === 'string') throw new Error(record);
    const both = await Promise.all([consumeUserToken(h.repo, record, NOW), consumeUserToken(h.repo, record, NOW)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(await h.repo.userTokens.deleteExpired(NOW + 120_000)).toBeGreaterThanOrEqual(3);
  });

  it('revokeUserAccess ends every session but the one kept, revokes refresh tokens, and kills pending links', async () => {
    const u = user(a, `out-${randomString(4).toLowerCase()}@example.com`);
    await h.repo.users.insert(u);
    const session = (id: string) => ({ id, tenantId: a.id, userId: u.id, secretHash: randomString(), amr: ['pwd'], acr: null, authTime: NOW, userAgent: 'UA', ip: '127.0.0.1', createdAt: NOW, lastSeenAt: NOW, idleExpiresAt: NOW + 3_600_000, expiresAt: NOW + 7_200_000, endedAt: null });
    const [keep, drop] = [uuidv7(NOW), uuidv7(NOW + 1)];
    await h.repo.sessions.insert(session(keep));
    await h.repo.sessions.insert(session(drop));
    expect((await h.repo.sessions.liveOfUser(a.id, u.id, NOW)).map((s) => s.id).sort()).toEqual([keep, drop].sort());
    const reset = await h.repo.transaction((s) => issueUserToken(s, { tenantId: a.id, userId: u.id, kind: 'reset_password', now: NOW, ttlMs: 60_000 }));
    const result = await h.repo.transaction((s) => revokeUserAccess(s, { tenantId: a.id, userId: u.id, now: NOW, exceptSessionId: keep }));
    expect(result.sessions).toBe(1);
    expect((await h.repo.sessions.liveOfUser(a.id, u.id, NOW)).map((s) => s.id)).toEqual([keep]);
    expect(await h.repo.revocations.anyRevoked(a.id, { session: drop }, NOW)).toBe(true);
    expect(await h.repo.revocations.anyRevoked(a.id, { session: keep }, NOW)).toBe(false);
    expect(await findUserToken(h.repo, a.id, 'reset_password', reset.token, NOW)).toBe('used');
  });

  it('outbox: claims hand each due item to one sender at a time, with a lease; failures retry or give up', async () => {
    const item = (at: number): OutboxItem => ({ id: uuidv7(at), tenantId: a.id, userId: null, kind: 'email', recipient: 'x@example.com', subject: 's', payload: { text: 't', html: 'h' }, status: 'pending', attempts: 0, nextAttemptAt: at, claimedUntil: null, lastError: null, createdAt: at, sentAt: null });
    const items = [item(NOW), item(NOW + 1), item(NOW + 2), item(NOW + 10_000)];
    for (const i of items) await h.repo.outbox.enqueue(i);
    const other = createRepository(await h.openAnother());
    const [one, two] = await Promise.all([h.repo.outbox.claim(NOW + 5, 2, 30_000), other.outbox.claim(NOW + 5, 2, 30_000)]);
    const claimed = [...one, ...two].map((i) => i.id).sort();
    expect(claimed).toEqual(items.slice(0, 3).map((i) => i.id).sort());
    expect(await h.repo.outbox.claim(NOW + 5, 10, 30_000)).toEqual([]);
    // The leases lapse: another sender may take those items over (with the one that became due meanwhile).
    expect((await h.repo.outbox.claim(NOW + 30_006, 10, 30_000)).map((i) => i.id).sort()).toEqual(items.map((i) => i.id).sort());
    await h.repo.outbox.markSent(items[0]!.id, NOW + 7);
    await h.repo.outbox.markFailed(items[1]!.id, '451 try later', NOW + 60_000);
    await h.repo.outbox.markFailed(items[2]!.id, '550 no such user', null);
    const byId = async (id: string) => (await h.repo.outbox.byId(id))!;
    expect(await byId(items[0]!.id)).toMatchObject({ status: 'sent', sentAt: NOW + 7, attempts: 1 });
    expect(await byId(items[1]!.id)).toMatchObject({ status: 'pending', nextAttemptAt: NOW + 60_000, attempts: 1, lastError: '451 try later', claimedUntil: null });
    expect(await byId(items[2]!.id)).toMatchObject({ status: 'failed', lastError: '550 no such user' });
    expect(await h.repo.outbox.nextDue()).toBe(NOW + 10_000);
    expect((await h.repo.outbox.list({ limit: 10, tenantId: a.id, status: 'pending' })).map((i) => i.id)).toEqual([items[3]!.id, items[1]!.id]);
    expect(await h.repo.outbox.list({ limit: 10, tenantId: b.id })).toEqual([]);
  });

  it('terms acceptances are idempotent (the first time stays); devices report whether they are new', async () => {
    const u = user(a, `terms-${randomString(4).toLowerCase()}@example.com`);
    await h.repo.users.insert(u);
    await h.repo.terms.accept({ tenantId: a.id, userId: u.id, version: '2026-01', acceptedAt: NOW });
    await h.repo.terms.accept({ tenantId: a.id, userId: u.id, version: '2026-01', acceptedAt: NOW + 5 });
    expect(await h.repo.terms.ofUser(a.id, u.id)).toEqual([{ tenantId: a.id, userId: u.id, version: '2026-01', acceptedAt: NOW }]);
    expect(await h.repo.terms.accepted(a.id, u.id, '2026-01')).toBe(true);
    expect(await h.repo.terms.accepted(a.id, u.id, '2026-02')).toBe(false);
    expect(await h.repo.terms.accepted(b.id, u.id, '2026-01')).toBe(false);

    const device = { tenantId: a.id, userId: u.id, deviceHash: randomString(), userAgent: 'UA 1', ip: '10.0.0.1', firstSeenAt: NOW, lastSeenAt: NOW };
    expect(await h.repo.devices.seen({ ...device, id: uuidv7(NOW) })).toEqual({ isNew: true });
    expect(await h.repo.devices.seen({ ...device, id: uuidv7(NOW), userAgent: 'UA 2', lastSeenAt: NOW + 9 })).toEqual({ isNew: false });
    const seen = await h.repo.devices.ofUser(a.id, u.id);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ userAgent: 'UA 2', firstSeenAt: NOW, lastSeenAt: NOW + 9 });
  });

  it('audit: appends chain per tenant without gaps, also under concurrent transactions', async () => {
    const t = tenant('audit');
    await h.repo.tenants.insert(t);
    const other = createRepository(await h.openAnother());
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? h.repo : other).transaction((s) => recordAudit(s, { tenantId: t.id, at: NOW + i, actor: 'admin', action: 'test.appended', target: `user:${i}`, data: { i } }))),
    );
    const events = await h.repo.audit.list(t.id, { limit: 100, afterSeq: 0 });
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    let prev = GENESIS_HASH;
    for (const e of events) {
      expect(e.prevHash).toBe(prev);
      const { hash, ...rest } = e;
      expect(auditHash(rest)).toBe(hash);
      prev = hash;
    }
    expect((await h.repo.audit.list(t.id, { limit: 100, target: 'user:3' })).map((e) => e.data)).toEqual([{ i: 3 }]);
    expect((await h.repo.audit.list(t.id, { limit: 2 })).map((e) => e.seq)).toEqual([20, 19]);
    expect((await h.repo.audit.list(t.id, { limit: 2, beforeSeq: 19 })).map((e) => e.seq)).toEqual([18, 17]);
    expect(await h.repo.audit.list(a.id, { limit: 100, action: 'test.appended' })).toEqual([]);
  });

  it('rate limits: a fixed window counts hits, restarts when it ends, and can be reset', async () => {
    const key = `login:${randomString(6)}`;
    expect(await h.repo.rateLimits.hit(key, 1000, NOW)).toEqual({ count: 1, resetAt: NOW + 1000 });
    const other = createRepository(await h.openAnother());
    await Promise.all([h.repo.rateLimits.hit(key, 1000, NOW + 1), other.rateLimits.hit(key, 1000, NOW + 2)]);
    expect(await h.repo.rateLimits.peek(key, NOW + 3)).toMatchObject({ count: 3, resetAt: NOW + 1000 });
    expect(await h.repo.rateLimits.hit(key, 1000, NOW + 1000)).toEqual({ count: 1, resetAt: NOW + 2000 });
    await h.repo.rateLimits.reset(key);
    expect((await h.repo.rateLimits.peek(key, NOW + 1001)).count).toBe(0);
    await h.repo.rateLimits.hit(key, 1000, NOW);
    expect(await h.repo.rateLimits.deleteExpired(NOW + 5000)).toBeGreaterThanOrEqual(1);
  });
});
