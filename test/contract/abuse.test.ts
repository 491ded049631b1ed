// Contract: the abuse and security stores on SQLite and Postgres — lockout
// attempts claimed atomically (parallel tries on two connections never get
// past the budget), multi-key windows, unlock by prefix, security events and
// the addresses API keys were used from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKey } from '../../src/core/apikeys/api-key.ts';
import type { SecurityEvent } from '../../src/core/security/security-event.ts';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import type { User } from '../../src/core/users/user.ts';
import { randomString, sha256, uuidv7 } from '../../src/crypto/index.ts';
import { createRepository } from '../../src/db/index.ts';
import { DIALECTS, openHarness, type Harness } from '../helpers/contract.ts';

const NOW = 1_760_000_000_000;
const POLICY = { free: 3, waits: [1000, 2000, 4000], windowMs: 60_000 };

describe.each(DIALECTS)('abuse and security stores on %s', (dialect) => {
  let h: Harness;
  let t: Tenant;
  let u: User;

  beforeAll(async () => {
    h = await openHarness(dialect);
    t = { id: uuidv7(NOW), slug: `abuse-${randomString(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`, name: 'abuse', customDomain: null, settings: {}, createdAt: NOW, updatedAt: NOW };
    await h.repo.tenants.insert(t);
    u = { id: uuidv7(NOW), tenantId: t.id, email: 'sec@example.com', emailVerified: true, phone: null, phoneVerified: false, name: null, givenName: null, familyName: null, locale: null, picture: null, attributes: {}, externalId: null, disabled: false, createdAt: NOW, updatedAt: NOW, lastLoginAt: null };
    await h.repo.users.insert(u);
  });
  afterAll(async () => h?.close());

  it('attempt: free tries, then each try waits longer; a running wait refuses without counting; the window forgets', async () => {
    const key = `lock:${randomString(8)}`;
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push(await h.repo.rateLimits.attempt(key, POLICY, NOW));
    expect(tries.map((x) => [x.allowed, x.count, x.blockedUntil - NOW])).toEqual([[true, 1, 0], [true, 2, 0], [true, 3, 1000]]);
    expect(await h.repo.rateLimits.attempt(key, POLICY, NOW + 999)).toEqual({ allowed: false, count: 3, blockedUntil: NOW + 1000 });
    expect(await h.repo.rateLimits.attempt(key, POLICY, NOW + 1000)).toEqual({ allowed: true, count: 4, blockedUntil: NOW + 3000 });
    expect(await h.repo.rateLimits.attempt(key, POLICY, NOW + 3000)).toEqual({ allowed: true, count: 5, blockedUntil: NOW + 7000 });
    // The last wait repeats.
    expect(await h.repo.rateLimits.attempt(key, POLICY, NOW + 7000)).toEqual({ allowed: true, count: 6, blockedUntil: NOW + 11_000 });
    expect((await h.repo.rateLimits.peek(key, NOW + 7001)).blockedUntil).toBe(NOW + 11_000);
    // A minute without tries: the counter starts again.
    expect(await h.repo.rateLimits.attempt(key, POLICY, NOW + 7000 + 60_000)).toMatchObject({ allowed: true, count: 1 });
  });

  it('attempt: 40 parallel tries on two connections claim exactly the free budget', async () => {
    const other = createRepository(await h.openAnother());
    const key = `lock:${randomString(8)}`;
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? other : h.repo).rateLimits.attempt(key, POLICY, NOW)));
    const allowed = results.filter((r) => r.allowed);
    expect(allowed).toHaveLength(3);
    expect(allowed.map((r) => r.count).sort()).toEqual([1, 2, 3]);
    expect((await h.repo.rateLimits.peek(key, NOW)).count).toBe(3);
  });

  it('hitMany counts several keys in one window; peekMany reads them; resetMany and resetPrefix forget them', async () => {
    const p = `lock:${randomString(8)}:`;
    const keys = [`${p}a`, `${p}b`];
    expect(await h.repo.rateLimits.hitMany(keys, 1000, NOW)).toEqual([{ count: 1, resetAt: NOW + 1000 }, { count: 1, resetAt: NOW + 1000 }]);
    expect(await h.repo.rateLimits.hitMany([keys[1]!, keys[0]!], 1000, NOW + 10)).toEqual([{ count: 2, resetAt: NOW + 1000 }, { count: 2, resetAt: NOW + 1000 }]);
    expect(await h.repo.rateLimits.hitMany(keys, 1000, NOW + 1000)).toEqual([{ count: 1, resetAt: NOW + 2000 }, { count: 1, resetAt: NOW + 2000 }]);
    expect(await h.repo.rateLimits.peekMany([...keys, `${p}none`], NOW + 1001)).toEqual([{ count: 1, resetAt: NOW + 2000 }, { count: 1, resetAt: NOW + 2000 }, { count: 0, resetAt: NOW + 1001 }]);
    await h.repo.rateLimits.resetMany([keys[0]!]);
    expect((await h.repo.rateLimits.peek(keys[0]!, NOW + 1001)).count).toBe(0);
    // A prefix is matched literally: `_` and `%` are not wildcards.
    await h.repo.rateLimits.hit(`${p.slice(0, -2)}_x`, 1000, NOW);
    await h.repo.rateLimits.attempt(`${p}c`, POLICY, NOW);
    expect(await h.repo.rateLimits.resetPrefix(p)).toBe(2);
    expect((await h.repo.rateLimits.peek(`${p.slice(0, -2)}_x`, NOW)).count).toBe(1);
  });

  it('deleteExpired keeps a counter whose wait still runs', async () => {
    const key = `lock:${randomString(8)}`;
    await h.repo.rateLimits.attempt(key, { free: 1, waits: [120_000], windowMs: 1000 }, NOW);
    await h.repo.rateLimits.deleteExpired(NOW + 5000);
    expect((await h.repo.rateLimits.peek(key, NOW + 5000)).blockedUntil).toBe(NOW + 120_000);
    await h.repo.rateLimits.deleteExpired(NOW + 120_001);
    expect((await h.repo.rateLimits.peek(key, NOW + 5000)).blockedUntil).toBe(0);
  });

  it('security events: newest first, filtered by user, kind and time, paged by id, tenant-scoped, gone with the user', async () => {
    const ev = (kind: SecurityEvent['kind'], at: number, userId: string | null): SecurityEvent => ({ id: uuidv7(at), tenantId: t.id, userId, kind, at, ip: '192.0.2.1', userAgent: 'ua', data: { n: at - NOW } });
    const events = [ev('lockout', NOW + 1, u.id), ev('new_device', NOW + 2, u.id), ev('api_key_new_address', NOW + 3, null)];
    for (const e of events) await h.repo.securityEvents.insert(e);
    expect((await h.repo.securityEvents.list(t.id, { limit: 10 })).map((e) => e.kind)).toEqual(['api_key_new_address', 'new_device', 'lockout']);
    expect(await h.repo.securityEvents.list(t.id, { limit: 10, kind: 'lockout' })).toEqual([events[0]]);
    expect((await h.repo.securityEvents.list(t.id, { limit: 10, userId: u.id })).map((e) => e.kind)).toEqual(['new_device', 'lockout']);
    expect((await h.repo.securityEvents.list(t.id, { limit: 10, since: NOW + 2 })).length).toBe(2);
    expect((await h.repo.securityEvents.list(t.id, { limit: 1, before: events[2]!.id })).map((e) => e.kind)).toEqual(['new_device']);
    expect(await h.repo.securityEvents.list(uuidv7(NOW), { limit: 10 })).toEqual([]);
    await h.repo.users.delete(t.id, u.id);
    expect((await h.repo.securityEvents.list(t.id, { limit: 10 })).map((e) => e.kind)).toEqual(['api_key_new_address']);
    await h.repo.users.insert(u);
  });

  it('API key addresses: the first use is no news, a new address is, a known one is not', async () => {
    const key: ApiKey = { id: uuidv7(NOW), tenantId: t.id, name: 'k', keyId: randomString(12), secretHash: sha256(randomString()), scopes: [], expiresAt: null, lastUsedAt: null, useCount: 0, revokedAt: null, createdAt: NOW };
    await h.repo.apiKeys.insert(key);
    expect(await h.repo.apiKeyAddresses.seen(key.id, '192.0.2.1', NOW)).toEqual({ isNew: true, first: true });
    expect(await h.repo.apiKeyAddresses.seen(key.id, '192.0.2.1', NOW + 1)).toEqual({ isNew: false, first: false });
    expect(await h.repo.apiKeyAddresses.seen(key.id, '2001:db8::1', NOW + 2)).toEqual({ isNew: true, first: false });
  });

  it('devices: known only for the user and the hash it was seen with', async () => {
    const hash = sha256(randomString());
    await h.repo.devices.seen({ id: uuidv7(NOW), tenantId: t.id, userId: u.id, deviceHash: hash, userAgent: null, ip: null, firstSeenAt: NOW, lastSeenAt: NOW });
    expect(await h.repo.devices.known(t.id, u.id, hash)).toBe(true);
    expect(await h.repo.devices.known(t.id, u.id, sha256('other'))).toBe(false);
    expect(await h.repo.devices.known(uuidv7(NOW), u.id, hash)).toBe(false);
  });
});
