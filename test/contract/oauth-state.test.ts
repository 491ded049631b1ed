// Contract of the deny list (`revocations`) and of used client-assertion jtis
// (`used_jtis`) on SQLite and Postgres: one-query reads scoped by tenant,
// idempotent writes that keep the later expiry, single use under concurrency
// (RFC 7523 §3 item 7), and bounded removal of expired rows.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomString, uuidv7 } from '../../src/crypto/index.ts';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import { DIALECTS, openHarness, type Harness } from '../helpers/contract.ts';

const NOW = 1_750_000_000_000;

describe.each(DIALECTS)('revocations and used jtis on %s', (dialect) => {
  let h: Harness;
  let a: Tenant;
  let b: Tenant;
  beforeAll(async () => {
    h = await openHarness(dialect);
    const tenant = (slug: string): Tenant => ({ id: uuidv7(NOW), slug: `${slug}-${randomString(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`, name: slug, customDomain: null, settings: {}, createdAt: NOW, updatedAt: NOW });
    a = tenant('a');
    b = tenant('b');
    await h.repo.tenants.insert(a);
    await h.repo.tenants.insert(b);
  });
  afterAll(async () => {
    await h?.close();
  });

  const rows = async () => (await h.database.db.select().from(h.database.schema.revocations)).length;

  it('a revoked jti is found in its tenant until it expires, and never in another tenant', async () => {
    const jti = randomString(16);
    expect(await h.repo.revocations.anyRevoked(a.id, { jti }, NOW)).toBe(false);
    await h.repo.revocations.revoke(a.id, 'jti', jti, NOW + 60_000, NOW);
    expect(await h.repo.revocations.anyRevoked(a.id, { jti }, NOW)).toBe(true);
    expect(await h.repo.revocations.anyRevoked(a.id, { jti: 'other', family: 'f', session: 's', grant: 'g' }, NOW)).toBe(false);
    expect(await h.repo.revocations.anyRevoked(b.id, { jti }, NOW)).toBe(false);
    expect(await h.repo.revocations.anyRevoked(a.id, { jti }, NOW + 60_000)).toBe(false);
    expect(await h.repo.revocations.anyRevoked(a.id, {}, NOW)).toBe(false);
  });

  it('matches any of the kinds a token carries (family, grant, session) in one query', async () => {
    for (const kind of ['family', 'grant', 'session'] as const) {
      const value = randomString(8);
      await h.repo.revocations.revoke(a.id, kind, value, NOW + 60_000, NOW);
      expect(await h.repo.revocations.anyRevoked(a.id, { jti: randomString(8), [kind]: value }, NOW)).toBe(true);
      // The same value under another kind does not match.
      const other = kind === 'family' ? 'session' : 'family';
      expect(await h.repo.revocations.anyRevoked(a.id, { [other]: value }, NOW)).toBe(false);
    }
  });

  it('inside a transaction, a revocation is seen by the same transaction (and by nobody else before it commits)', async () => {
    const jti = randomString(16);
    await h.repo.transaction(async (s) => {
      await s.revocations.revoke(a.id, 'jti', jti, NOW + 60_000, NOW);
      expect(await s.revocations.anyRevoked(a.id, { jti }, NOW)).toBe(true);
      expect(await s.revocations.anyRevoked(b.id, { jti }, NOW)).toBe(false);
    });
    expect(await h.repo.revocations.anyRevoked(a.id, { jti }, NOW)).toBe(true);
  });

  it('revoking twice is idempotent and keeps the later expiry', async () => {
    const jti = randomString(16);
    await h.repo.revocations.revoke(a.id, 'jti', jti, NOW + 120_000, NOW);
    await h.repo.revocations.revoke(a.id, 'jti', jti, NOW + 60_000, NOW);
    expect(await h.repo.revocations.anyRevoked(a.id, { jti }, NOW + 90_000)).toBe(true);
  });

  it('a write removes expired entries, a bounded batch at a time', async () => {
    const later = NOW + 10 * 60_000;
    for (let i = 0; i < 5; i++) await h.repo.revocations.revoke(a.id, 'jti', `old-${i}`, NOW + 1000, NOW);
    const before = await rows();
    await h.repo.revocations.revoke(a.id, 'jti', 'fresh', later + 60_000, later);
    const after = await rows();
    // Everything that expired before `later` went (the old-* ones and earlier tests' entries), the new one came.
    expect(after).toBeLessThanOrEqual(before - 5 + 1);
    expect(await h.repo.revocations.anyRevoked(a.id, { jti: 'fresh' }, later)).toBe(true);
  });

  it('a jti key is usable once until it expires, also under concurrent use', async () => {
    const key = randomString(32);
    expect(await h.repo.usedJtis.use(key, NOW + 60_000, NOW)).toBe(true);
    expect(await h.repo.usedJtis.use(key, NOW + 60_000, NOW + 1000)).toBe(false);
    // Once the first use has expired, the key may be recorded again.
    expect(await h.repo.usedJtis.use(key, NOW + 200_000, NOW + 61_000)).toBe(true);
    const race = randomString(32);
    const results = await Promise.all(Array.from({ length: 8 }, () => h.repo.usedJtis.use(race, NOW + 60_000, NOW)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('expired jti keys are deleted by a later use (at most once a minute per database)', async () => {
    const t0 = NOW + 3_600_000;
    for (let i = 0; i < 3; i++) await h.repo.usedJtis.use(`stale-${i}-${randomString(4)}`, t0 + 1000, t0);
    const count = async () => (await h.database.db.select().from(h.database.schema.usedJtis)).length;
    const before = await count();
    await h.repo.usedJtis.use(randomString(32), t0 + 10 * 60_000, t0 + 5 * 60_000);
    expect(await count()).toBeLessThanOrEqual(before - 3 + 1);
  });
});
