// Contract of grant revocation on SQLite and Postgres (docs/architecture.md: refresh-token
// families and auth codes hang off a grant; revoking it revokes them): the
// grant stores list and revoke only in their tenant; revoking marks the grant,
// every token of every family of the grant, and records one `grant`
// revocation that outlives the longest access token; all of it commits or
// none of it does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentAdmin } from '../../src/core/admin/consents.ts';
import { LOCAL_ADMIN } from '../../src/core/admin/index.ts';
import { clientFieldsSchema } from '../../src/core/clients/client-input.ts';
import { MAX_ACCESS_TOKEN_TTL, revokeGrant } from '../../src/core/consents/revoke-grant.ts';
import type { UserGrant } from '../../src/core/consents/user-grant.ts';
import type { RefreshToken } from '../../src/core/oauth/tokens/refresh-token.ts';
import { tenantSettingsSchema } from '../../src/core/tenants/settings.ts';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import type { User } from '../../src/core/users/user.ts';
import { generateMasterKey, parseKeyRing, randomString, sha256, uuidv7 } from '../../src/crypto/index.ts';
import { DIALECTS, openHarness, type Harness } from '../helpers/contract.ts';

const NOW = 1_750_000_000_000;
const MIN = 60_000;

describe('MAX_ACCESS_TOKEN_TTL', () => {
  it('is the cap of access_token_ttl in tenant settings and client registrations (a grant revocation is kept that long)', () => {
    expect(tenantSettingsSchema.safeParse({ access_token_ttl: MAX_ACCESS_TOKEN_TTL }).success).toBe(true);
    expect(tenantSettingsSchema.safeParse({ access_token_ttl: MAX_ACCESS_TOKEN_TTL + 1 }).success).toBe(false);
    expect(clientFieldsSchema.shape.access_token_ttl.safeParse(MAX_ACCESS_TOKEN_TTL).success).toBe(true);
    expect(clientFieldsSchema.shape.access_token_ttl.safeParse(MAX_ACCESS_TOKEN_TTL + 1).success).toBe(false);
  });
});

describe.each(DIALECTS)('grant revocation on %s', (dialect) => {
  let h: Harness;
  let a: Tenant;
  let b: Tenant;
  let ada: User;

  const tenant = (slug: string): Tenant => ({ id: uuidv7(NOW), slug: `${slug}-${randomString(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`, name: slug, customDomain: null, settings: {}, createdAt: NOW, updatedAt: NOW });
  const newUser = (t: Tenant, email: string): User => ({
    id: uuidv7(NOW), tenantId: t.id, email, emailVerified: false, phone: null, phoneVerified: false, name: null, givenName: null, familyName: null,
    locale: null, picture: null, attributes: {}, externalId: null, disabled: false, createdAt: NOW, updatedAt: NOW, lastLoginAt: null,
  });
  const grant = async (t: Tenant, user: User, clientId: string, at = NOW): Promise<UserGrant> => {
    const g: UserGrant = { id: uuidv7(at), tenantId: t.id, userId: user.id, clientId, scopes: ['openid', 'offline_access'], createdAt: at, updatedAt: at, revokedAt: null };
    await h.repo.grants.save(g);
    return g;
  };
  /** A refresh token of `g`'s family `familyId` (a fresh one unless given). */
  const token = async (g: UserGrant, fields: Partial<RefreshToken> = {}): Promise<RefreshToken> => {
    const t: RefreshToken = {
      id: uuidv7(NOW), tokenHash: sha256(randomString()), tenantId: g.tenantId, clientId: g.clientId, userId: g.userId, grantId: g.id, familyId: uuidv7(NOW), parentId: null, sessionId: null,
      scope: 'openid offline_access', authTime: NOW, acr: null, amr: ['pwd'], createdAt: NOW, expiresAt: NOW + 60 * MIN, idleExpiresAt: NOW + 30 * MIN, usedAt: null, revokedAt: null, ...fields,
    };
    await h.repo.refreshTokens.insert(t);
    return t;
  };
  const rows = async (g: UserGrant) => (await h.database.db.select().from(h.database.schema.refreshTokens)).filter((r) => r.grantId === g.id);
  const revocationsOf = async (value: string) => (await h.database.db.select().from(h.database.schema.revocations)).filter((r) => r.value === value);

  beforeAll(async () => {
    h = await openHarness(dialect);
    a = tenant('a');
    b = tenant('b');
    await h.repo.tenants.insert(a);
    await h.repo.tenants.insert(b);
    ada = newUser(a, 'ada@example.com');
    await h.repo.users.insert(ada);
  });
  afterAll(async () => h?.close());

  it('byId and liveOfUser read in their tenant only; liveOfUser leaves revoked grants out, oldest first', async () => {
    const user = newUser(a, 'list@example.com');
    await h.repo.users.insert(user);
    const second = await grant(a, user, 'c2', NOW + 2);
    const first = await grant(a, user, 'c1', NOW + 1);
    await grant(a, user, 'c3', NOW + 3).then((g) => h.repo.grants.revoke(a.id, g.id, NOW + 4));
    expect((await h.repo.grants.liveOfUser(a.id, user.id)).map((g) => g.clientId)).toEqual(['c1', 'c2']);
    expect(await h.repo.grants.liveOfUser(b.id, user.id)).toEqual([]);
    expect(await h.repo.grants.byId(a.id, first.id)).toEqual(first);
    expect(await h.repo.grants.byId(b.id, second.id)).toBeUndefined();
  });

  it('revoke sets revoked_at once, and only in the grant\'s tenant', async () => {
    const g = await grant(a, ada, 'once');
    expect(await h.repo.grants.revoke(b.id, g.id, NOW + 1)).toBe(false);
    expect((await h.repo.grants.byId(a.id, g.id))!.revokedAt).toBeNull();
    expect(await h.repo.grants.revoke(a.id, g.id, NOW + 1)).toBe(true);
    expect(await h.repo.grants.revoke(a.id, g.id, NOW + 2)).toBe(false);
    expect((await h.repo.grants.byId(a.id, g.id))!.revokedAt).toBe(NOW + 1);
  });

  it('revokeGrant revokes the grant, every token of each of its families (counting the live ones) and records one grant revocation', async () => {
    const g = await grant(a, ada, 'web');
    const untouched = await grant(a, ada, 'other');
    // Family 1: rotated once (a used parent, a live child). Family 2: live. Family 3: idle-expired. Family 4: already revoked.
    const parent = await token(g, { usedAt: NOW - 1 });
    await token(g, { familyId: parent.familyId, parentId: parent.id });
    await token(g);
    await token(g, { idleExpiresAt: NOW - 1 });
    await token(g, { revokedAt: NOW - 5 });
    const otherToken = await token(untouched);

    const result = await h.repo.transaction((s) => revokeGrant(s, g, NOW));
    expect(result).toEqual({ refreshTokens: 2 });
    expect((await h.repo.grants.byId(a.id, g.id))!.revokedAt).toBe(NOW);
    const after = await rows(g);
    expect(after).toHaveLength(5);
    expect(after.map((r) => r.revokedAt).sort()).toEqual([NOW - 5, NOW, NOW, NOW, NOW].sort());
    expect((await h.repo.refreshTokens.lookup(a.id, otherToken.tokenHash))!.token.revokedAt).toBeNull();
    expect((await h.repo.refreshTokens.lookup(a.id, parent.tokenHash))!.grantActive).toBe(false);
    // One `grant` entry, kept past the longest access token (plus a margin for requests in flight).
    const [entry, ...more] = await revocationsOf(g.id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ tenantId: a.id, kind: 'grant', createdAt: NOW });
    expect(entry!.expiresAt).toBeGreaterThan(NOW + MAX_ACCESS_TOKEN_TTL * 1000);
    expect(await h.repo.revocations.anyRevoked(a.id, { grant: g.id }, NOW + MAX_ACCESS_TOKEN_TTL * 1000)).toBe(true);
    expect(await h.repo.revocations.anyRevoked(b.id, { grant: g.id }, NOW)).toBe(false);
    expect(await h.repo.revocations.anyRevoked(a.id, { grant: untouched.id }, NOW)).toBe(false);

    // A second revocation (a concurrent one that lost) does nothing.
    expect(await h.repo.transaction((s) => revokeGrant(s, g, NOW + 10))).toBeUndefined();
    expect((await revocationsOf(g.id))[0]).toEqual(entry);
  });

  it('all of it is one transaction: a failure after it leaves the grant, its tokens and the deny list as they were', async () => {
    const g = await grant(a, ada, 'atomic');
    const t = await token(g);
    await expect(
      h.repo.transaction(async (s) => {
        await revokeGrant(s, g, NOW);
        throw new Error('fails after the revocation');
      }),
    ).rejects.toThrow('fails after the revocation');
    expect((await h.repo.grants.byId(a.id, g.id))!.revokedAt).toBeNull();
    expect((await h.repo.refreshTokens.lookup(a.id, t.tokenHash))!.token.revokedAt).toBeNull();
    expect(await revocationsOf(g.id)).toEqual([]);
  });

  it('the admin use-cases are principal-checked: scopes, and other tenants\' users read as not found', async () => {
    const admin = consentAdmin({ repo: h.repo, clock: { now: () => NOW }, keyRing: parseKeyRing(generateMasterKey('test')), publicUrl: 'http://localhost' });
    const user = newUser(a, 'scoped@example.com');
    await h.repo.users.insert(user);
    const g = await grant(a, user, 'scoped-client');
    const reader = { kind: 'api_key' as const, tenantId: a.id, scopes: ['users:read'] };
    const foreign = { kind: 'api_key' as const, tenantId: b.id, scopes: ['*'] };
    expect((await admin.list(reader, a.slug, 'SCOPED@example.com')).items.map((c) => c.client_id)).toEqual(['scoped-client']);
    await expect(admin.revoke(reader, a.slug, user.id, 'scoped-client')).rejects.toMatchObject({ code: 'not_permitted' });
    await expect(admin.revokeAll(reader, a.slug, user.id)).rejects.toMatchObject({ code: 'not_permitted' });
    await expect(admin.list({ ...reader, scopes: ['clients:read'] }, a.slug, user.id)).rejects.toMatchObject({ code: 'not_permitted' });
    await expect(admin.list(foreign, a.slug, user.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(admin.revoke(foreign, a.slug, user.id, 'scoped-client')).rejects.toMatchObject({ code: 'not_found' });
    await expect(admin.revoke(foreign, b.slug, user.id, 'scoped-client')).rejects.toMatchObject({ code: 'not_found', message: `no user "${user.id}" in tenant ${b.slug}` });
    await expect(admin.revokeAll(foreign, b.slug, user.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await h.repo.grants.byId(a.id, g.id))!.revokedAt).toBeNull();
    // A grant whose client was deleted is still listed (no name) and can be revoked.
    const revoked = await admin.revoke(LOCAL_ADMIN, a.id, user.email, 'scoped-client');
    expect(revoked.revoked).toEqual([{ client_id: 'scoped-client', client_name: null, scopes: ['openid', 'offline_access'], created_at: new Date(NOW).toISOString(), updated_at: new Date(NOW).toISOString(), revoked_at: new Date(NOW).toISOString(), refresh_tokens_revoked: 0 }]);
    await expect(admin.revoke(LOCAL_ADMIN, a.id, user.email, 'scoped-client')).rejects.toMatchObject({ code: 'not_found' });
  });
});
