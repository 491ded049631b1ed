// Contract of the stores behind the browser flows on SQLite and Postgres:
// authorization codes are consumed exactly once, also under concurrency
// (RFC 6749 §4.1.2 single use), and only in their tenant; emails are unique
// per tenant; ending a session records its revocation once; a user × client
// grant is one row; interactions are tenant-scoped and swept when expired.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Conflict } from '../../src/core/errors.ts';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import type { User } from '../../src/core/users/user.ts';
import { consumeAuthorizationCode, issueAuthorizationCode } from '../../src/core/oauth/codes.ts';
import { randomString, sha256, uuidv7 } from '../../src/crypto/index.ts';
import { DIALECTS, openHarness, type Harness } from '../helpers/contract.ts';

const NOW = 1_750_000_000_000;

describe.each(DIALECTS)('browser-flow stores on %s', (dialect) => {
  let h: Harness;
  let a: Tenant;
  let b: Tenant;
  let user: User;
  const clock = { now: () => NOW };

  const tenant = (slug: string): Tenant => ({ id: uuidv7(NOW), slug: `${slug}-${randomString(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`, name: slug, customDomain: null, settings: {}, createdAt: NOW, updatedAt: NOW });
  const newUser = (t: Tenant, email: string): User => ({
    id: uuidv7(NOW), tenantId: t.id, email, emailVerified: false, phone: null, phoneVerified: false, name: null, givenName: null, familyName: null,
    locale: null, picture: null, attributes: {}, externalId: null, disabled: false, createdAt: NOW, updatedAt: NOW, lastLoginAt: null,
  });
  const codeInput = () => ({
    tenantId: a.id, clientId: 'c1', userId: user.id, grantId: uuidv7(NOW), sessionId: null, redirectUri: 'https://rp.example/cb', scope: 'openid email',
    nonce: 'n', codeChallenge: 'x'.repeat(43), codeChallengeMethod: 'S256' as const, claims: { id_token: { email: { essential: true } } }, authTime: NOW - 1000, acr: null, amr: ['pwd'], ttlSeconds: 60,
  });

  beforeAll(async () => {
    h = await openHarness(dialect);
    a = tenant('a');
    b = tenant('b');
    await h.repo.tenants.insert(a);
    await h.repo.tenants.insert(b);
    user = newUser(a, 'ada@example.com');
    await h.repo.users.insert(user);
  });
  afterAll(async () => h?.close());

  it('a code is stored as its SHA-256 and comes back once, as it was; then as used (a replay)', async () => {
    const deps = { repo: h.repo, clock };
    const input = codeInput();
    const code = await issueAuthorizationCode(deps, input);
    expect(code).toMatch(/^af_ac_[A-Za-z0-9_-]{43}$/);
    const rows = await h.database.db.select().from(h.database.schema.authCodes);
    expect(rows.some((r) => r.codeHash === sha256(code))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(code);
    const first = await consumeAuthorizationCode(deps, a.id, code);
    const { ttlSeconds: _ttl, ...stored } = input;
    expect(first).toMatchObject({ ...stored, usedAt: null, createdAt: NOW, expiresAt: NOW + 60_000, codeHash: sha256(code) });
    expect(first!.familyId).toMatch(/^[0-9a-f-]{36}$/);
    const replay = await consumeAuthorizationCode(deps, a.id, code);
    expect(replay!.usedAt).toBe(NOW);
    expect(replay!.familyId).toBe(first!.familyId);
  });

  it("another tenant's code, or a code never issued, is unknown (and is not burnt by the attempt)", async () => {
    const deps = { repo: h.repo, clock };
    const code = await issueAuthorizationCode(deps, codeInput());
    expect(await consumeAuthorizationCode(deps, b.id, code)).toBeUndefined();
    expect(await consumeAuthorizationCode(deps, a.id, `af_ac_${randomString()}`)).toBeUndefined();
    expect(await consumeAuthorizationCode(deps, a.id, 'not-a-code')).toBeUndefined();
    expect((await consumeAuthorizationCode(deps, a.id, code))!.usedAt).toBeNull();
  });

  it('concurrent redemptions of one code: exactly one sees it unused', async () => {
    const deps = { repo: h.repo, clock };
    const code = await issueAuthorizationCode(deps, codeInput());
    const results = await Promise.all(Array.from({ length: 8 }, () => consumeAuthorizationCode(deps, a.id, code)));
    expect(results.filter((r) => r && r.usedAt === null)).toHaveLength(1);
    expect(results.filter((r) => r && r.usedAt !== null)).toHaveLength(7);
  });

  it('emails are unique per tenant, not across tenants', async () => {
    await expect(h.repo.users.insert(newUser(a, 'ada@example.com'))).rejects.toBeInstanceOf(Conflict);
    await h.repo.users.insert(newUser(b, 'ada@example.com'));
    expect((await h.repo.users.byEmail(b.id, 'ada@example.com'))!.tenantId).toBe(b.id);
    expect(await h.repo.users.byId(b.id, user.id)).toBeUndefined();
  });

  it('ending a session sets ended_at and records one session revocation until the given time; a second end does nothing', async () => {
    const id = uuidv7(NOW);
    await h.repo.sessions.insert({ id, tenantId: a.id, userId: user.id, secretHash: sha256(randomString()), amr: ['pwd'], acr: null, authTime: NOW, userAgent: 'ua', ip: '127.0.0.1', createdAt: NOW, lastSeenAt: NOW, idleExpiresAt: NOW + 1000, expiresAt: NOW + 5000, endedAt: null });
    expect(await h.repo.sessions.end(b.id, id, NOW + 1, NOW + 5000)).toBe(false); // not this tenant's
    expect(await h.repo.sessions.end(a.id, id, NOW + 1, NOW + 5000)).toBe(true);
    expect(await h.repo.sessions.end(a.id, id, NOW + 2, NOW + 9000)).toBe(false);
    expect((await h.repo.sessions.byId(a.id, id))!.endedAt).toBe(NOW + 1);
    const revs = (await h.database.db.select().from(h.database.schema.revocations)).filter((r) => r.value === id);
    expect(revs).toEqual([{ tenantId: a.id, kind: 'session', value: id, createdAt: NOW + 1, expiresAt: NOW + 5000 }]);
  });

  it('a user × client grant is one row; saving a new id replaces the old row', async () => {
    const g = { id: uuidv7(NOW), tenantId: a.id, userId: user.id, clientId: 'c1', scopes: ['openid'], createdAt: NOW, updatedAt: NOW, revokedAt: NOW };
    await h.repo.grants.save(g);
    await h.repo.grants.save({ ...g, id: uuidv7(NOW + 1), scopes: ['openid', 'email'], revokedAt: null });
    const got = await h.repo.grants.byUserAndClient(a.id, user.id, 'c1');
    expect(got).toMatchObject({ scopes: ['openid', 'email'], revokedAt: null });
    expect(got!.id).not.toBe(g.id);
    expect(await h.repo.grants.byUserAndClient(b.id, user.id, 'c1')).toBeUndefined();
  });

  it('interactions are read in their tenant only, updated, deleted once, and swept when expired', async () => {
    const ix = { id: uuidv7(NOW), tenantId: a.id, clientId: 'c1', secretHash: sha256('s'), request: { clientId: 'c1' } as never, step: 'identify', state: {}, userId: null, createdAt: NOW, expiresAt: NOW + 600_000 };
    await h.repo.interactions.insert(ix);
    expect(await h.repo.interactions.byId(b.id, ix.id)).toBeUndefined();
    await h.repo.interactions.update({ ...ix, step: 'consent', state: { identifier: 'ada@example.com' }, userId: user.id });
    expect(await h.repo.interactions.byId(a.id, ix.id)).toMatchObject({ step: 'consent', state: { identifier: 'ada@example.com' }, userId: user.id });
    expect(await h.repo.interactions.delete(a.id, ix.id)).toBe(true);
    expect(await h.repo.interactions.delete(a.id, ix.id)).toBe(false);
    await h.repo.interactions.insert({ ...ix, id: uuidv7(NOW), expiresAt: NOW - 1 });
    expect(await h.repo.interactions.deleteExpired(NOW)).toBeGreaterThanOrEqual(1);
  });
});
