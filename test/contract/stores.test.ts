import { eq } from 'drizzle-orm';
import { calculateJwkThumbprint, compactVerify, CompactSign, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/core/apikeys/create-api-key.ts';
import type { ApiKey } from '../../src/core/apikeys/api-key.ts';
import { Conflict, Unavailable, ValidationFailed } from '../../src/core/errors.ts';
import { signingKeyContext, type SigningKey } from '../../src/core/keys/signing-key.ts';
import { createTenant } from '../../src/core/tenants/create-tenant.ts';
import type { Tenant } from '../../src/core/tenants/tenant.ts';
import { generateMasterKey, generateSigningKey, KeyRingError, parseKeyRing, randomString, sha256, uuidv7, verifySecretHash } from '../../src/crypto/index.ts';
import { createRepository, DatabaseError } from '../../src/db/index.ts';
import { DIALECTS, openHarness, type Harness } from '../helpers/contract.ts';

const NOW = Date.UTC(2030, 5, 1, 12, 0, 0);
const clock = { now: () => NOW };
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

let counter = 0;
/** A slug no other test in this file uses. */
const slug = (stem: string) => `${stem}-${++counter}`;

function tenantRecord(overrides: Partial<Tenant> = {}): Tenant {
  const s = overrides.slug ?? slug('raw');
  return { id: uuidv7(NOW), slug: s, name: s, customDomain: null, settings: {}, createdAt: NOW, updatedAt: NOW, ...overrides };
}

function apiKeyRecord(overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: uuidv7(NOW),
    tenantId: null,
    name: 'ci',
    keyId: randomString(9),
    secretHash: sha256(randomString()),
    scopes: ['tenants:read'],
    expiresAt: null,
    lastUsedAt: null,
    useCount: 0,
    revokedAt: null,
    createdAt: NOW,
    ...overrides,
  };
}

/** The error `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

const byAlg = (a: SigningKey, b: SigningKey) => a.alg.localeCompare(b.alg);

// One real key pair reused for raw signing-key rows, so only createTenant pays for RSA.
const sampleKey = generateSigningKey('ES256');

async function signingKeyRecord(tenantId: string, overrides: Partial<SigningKey> = {}): Promise<SigningKey> {
  const g = await sampleKey;
  const kid = randomString(16);
  return {
    id: uuidv7(NOW),
    tenantId,
    kid,
    alg: 'ES256',
    state: 'active',
    publicJwk: { ...g.publicJwk, kid },
    privateJwkEnc: 'v1.test.not-a-real-ciphertext',
    createdAt: NOW,
    activatedAt: NOW,
    retiredAt: null,
    expiresAt: null,
    ...overrides,
  };
}

describe.each(DIALECTS)('stores contract on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(dialect);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A tenant row with two signing-key rows, written in one transaction. */
  async function tenantWithKeys(): Promise<{ tenant: Tenant; keys: SigningKey[] }> {
    const tenant = tenantRecord();
    const keys = [await signingKeyRecord(tenant.id), await signingKeyRecord(tenant.id, { alg: 'RS256' })];
    await h.repo.transaction(async (s) => {
      await s.tenants.insert(tenant);
      for (const k of keys) await s.signingKeys.insert(k);
    });
    return { tenant, keys };
  }

  /** Deletes a tenant row with plain drizzle (no store method is part of this contract). */
  const deleteTenantRow = (id: string) => h.database.transaction(async (tx) => void (await tx.delete(h.database.schema.tenants).where(eq(h.database.schema.tenants.id, id))));

  describe('createTenant', () => {
    let acme: { tenant: Tenant; keys: SigningKey[] };
    let other: { tenant: Tenant; keys: SigningKey[] };
    beforeAll(async () => {
      acme = await createTenant({ repo: h.repo, keyRing: h.keyRing, clock }, { slug: slug('acme'), name: '  Acme Corp  ' });
      other = await createTenant({ repo: h.repo, keyRing: h.keyRing, clock }, { slug: slug('other'), customDomain: 'Login.Other.Example.COM' });
    });

    it('stores the tenant and two active signing keys, RS256 and ES256, that read back unchanged', async () => {
      const { tenant, keys } = acme;
      expect(tenant).toMatchObject({ name: 'Acme Corp', customDomain: null, createdAt: NOW, updatedAt: NOW });
      expect(await h.repo.tenants.bySlug(tenant.slug)).toEqual(tenant);
      expect(await h.repo.tenants.byId(tenant.id)).toEqual(tenant);

      const stored = await h.repo.signingKeys.listByTenant(tenant.id);
      expect(stored.sort(byAlg)).toEqual([...keys].sort(byAlg));
      expect(stored.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
      for (const k of stored) {
        expect(k).toMatchObject({ tenantId: tenant.id, state: 'active', createdAt: NOW, activatedAt: NOW, retiredAt: null, expiresAt: null });
        expect(k.kid).toBe(await calculateJwkThumbprint(k.publicJwk, 'sha256'));
        for (const m of PRIVATE_MEMBERS) expect(k.publicJwk).not.toHaveProperty(m);
        expect(k.privateJwkEnc).toMatch(new RegExp(`^v1\\.${h.keyRing.activeId}\\.`));
        expect(k.privateJwkEnc).not.toContain('"d"');
      }
    });

    // docs/security.md: signing private keys are AES-256-GCM under the master key ring,
    // bound to their row, so a ciphertext copied to another row or tenant is useless.
    it('encrypts each private JWK under the key ring, bound to its tenant and kid', async () => {
      const { tenant } = acme;
      const stored = (await h.repo.signingKeys.listByTenant(tenant.id)).sort(byAlg);
      expect(stored).toHaveLength(2);
      for (const k of stored) {
        const privateJwk = JSON.parse(h.keyRing.decrypt(k.privateJwkEnc, signingKeyContext(tenant.id, k.kid))) as JWK;
        expect(privateJwk.d).toBeTypeOf('string');
        expect(privateJwk.kid).toBe(k.kid);
        // The private key belongs to the published public key.
        const jws = await new CompactSign(new TextEncoder().encode('hello')).setProtectedHeader({ alg: k.alg, kid: k.kid }).sign(await importJWK(privateJwk, k.alg));
        await expect(compactVerify(jws, await importJWK(k.publicJwk, k.alg))).resolves.toBeTruthy();

        expect(() => h.keyRing.decrypt(k.privateJwkEnc, signingKeyContext(other.tenant.id, k.kid))).toThrow(KeyRingError);
        expect(() => h.keyRing.decrypt(k.privateJwkEnc, signingKeyContext(tenant.id, `${k.kid}x`))).toThrow(KeyRingError);
        expect(() => parseKeyRing(generateMasterKey(h.keyRing.activeId)).decrypt(k.privateJwkEnc, signingKeyContext(tenant.id, k.kid))).toThrow(KeyRingError);
      }
      // Swapping the two keys' ciphertexts breaks both.
      const [a, b] = stored as [SigningKey, SigningKey];
      expect(() => h.keyRing.decrypt(a.privateJwkEnc, signingKeyContext(tenant.id, b.kid))).toThrow(KeyRingError);
    });

    it('lower-cases a custom domain and keeps it', async () => {
      expect(other.tenant.customDomain).toBe('login.other.example.com');
      expect((await h.repo.tenants.byId(other.tenant.id))?.customDomain).toBe('login.other.example.com');
    });

    it('rejects a duplicate slug with Conflict and writes nothing more', async () => {
      const { tenant } = acme;
      const s = tenant.slug;
      const before = await h.repo.tenants.count();
      const e = await rejection(createTenant({ repo: h.repo, keyRing: h.keyRing, clock }, { slug: s, name: 'Second' }));
      expect(e).toBeInstanceOf(Conflict);
      expect((e as Conflict).code).toBe('conflict');
      expect(await h.repo.tenants.count()).toBe(before);
      expect((await h.repo.tenants.bySlug(s))?.id).toBe(tenant.id);
      expect(await h.repo.signingKeys.listByTenant(tenant.id)).toHaveLength(2);
    });

    it('two concurrent creations of one slug: exactly one wins, the other gets Conflict', async () => {
      const s = slug('race');
      const results = await Promise.allSettled([0, 1].map(() => createTenant({ repo: h.repo, keyRing: h.keyRing, clock }, { slug: s })));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(Conflict);
      const tenant = await h.repo.tenants.bySlug(s);
      expect(tenant?.id).toBe((won[0] as PromiseFulfilledResult<{ tenant: Tenant }>).value.tenant.id);
      expect(await h.repo.signingKeys.listByTenant(tenant!.id)).toHaveLength(2);
    });

    it('rejects an invalid slug or custom domain before writing anything', async () => {
      const before = await h.repo.tenants.count();
      await expect(createTenant({ repo: h.repo, keyRing: h.keyRing, clock }, { slug: 'Bad_Slug' })).rejects.toBeInstanceOf(ValidationFailed);
      await expect(createTenant({ repo: h.repo, keyRing: h.keyRing, clock }, { slug: 'api' })).rejects.toBeInstanceOf(ValidationFailed);
      await expect(createTenant({ repo: h.repo, keyRing: h.keyRing, clock }, { slug: slug('ok'), customDomain: 'not a domain' })).rejects.toMatchObject({ field: 'custom_domain' });
      expect(await h.repo.tenants.count()).toBe(before);
    });
  });

  describe('tenant store', () => {
    it('unique slug and custom domain are enforced by the database as Conflict', async () => {
      const t = tenantRecord({ customDomain: `${slug('uniq')}.example.com` });
      await h.repo.tenants.insert(t);
      await expect(h.repo.tenants.insert(tenantRecord({ slug: t.slug }))).rejects.toBeInstanceOf(Conflict);
      await expect(h.repo.tenants.insert(tenantRecord({ customDomain: t.customDomain }))).rejects.toBeInstanceOf(Conflict);
      await expect(h.repo.tenants.insert(tenantRecord({ id: t.id }))).rejects.toBeInstanceOf(Conflict);
    });

    it('round-trips settings JSON and reads by id and slug; unknown ids read as undefined', async () => {
      const t = tenantRecord({ settings: { nested: { list: [1, 'two', null], flag: true } } });
      await h.repo.tenants.insert(t);
      expect(await h.repo.tenants.byId(t.id)).toEqual(t);
      expect(await h.repo.tenants.bySlug(t.slug)).toEqual(t);
      expect(await h.repo.tenants.byId(uuidv7())).toBeUndefined();
      expect(await h.repo.tenants.bySlug('no-such-tenant')).toBeUndefined();
      expect((await h.repo.tenants.list()).map((x) => x.id)).toContain(t.id);
      expect(await h.repo.tenants.count()).toBe((await h.repo.tenants.list()).length);
    });

    it('signing keys are listed per tenant only (docs/security.md tenant isolation)', async () => {
      const { tenant: a, keys: ka } = await tenantWithKeys();
      const { tenant: b } = await tenantWithKeys();
      const listed = await h.repo.signingKeys.listByTenant(a.id);
      expect(listed.sort(byAlg)).toEqual(ka.sort(byAlg));
      expect(listed.every((k) => k.tenantId === a.id)).toBe(true);
      expect((await h.repo.signingKeys.listByTenant(b.id)).every((k) => k.tenantId === b.id)).toBe(true);
      expect(await h.repo.signingKeys.listByTenant(uuidv7())).toEqual([]);
    });

    it('enforces foreign keys: a signing key for a missing tenant is a DatabaseError, not a Conflict', async () => {
      const { keys } = await tenantWithKeys();
      const orphan: SigningKey = { ...keys[0]!, id: uuidv7(), tenantId: uuidv7() };
      const e = await rejection(h.repo.signingKeys.insert(orphan));
      expect(e).toBeInstanceOf(DatabaseError);
      expect((e as DatabaseError).code).toMatch(/^(SQLITE_CONSTRAINT_FOREIGNKEY|23503)$/);
      await expect(h.repo.apiKeys.insert(apiKeyRecord({ tenantId: uuidv7() }))).rejects.toBeInstanceOf(DatabaseError);
    });

    it('deleting a tenant row cascades to its signing keys and API keys, and only to them', async () => {
      const { tenant: doomed, keys } = await tenantWithKeys();
      const { tenant: kept } = await tenantWithKeys();
      const doomedKey = apiKeyRecord({ tenantId: doomed.id });
      const keptKey = apiKeyRecord({ tenantId: kept.id });
      const instanceKey = apiKeyRecord({ tenantId: null });
      for (const k of [doomedKey, keptKey, instanceKey]) await h.repo.apiKeys.insert(k);
      expect(keys).toHaveLength(2);

      await deleteTenantRow(doomed.id);

      expect(await h.repo.tenants.byId(doomed.id)).toBeUndefined();
      expect(await h.repo.signingKeys.listByTenant(doomed.id)).toEqual([]);
      expect(await h.repo.apiKeys.byKeyId(doomedKey.keyId)).toBeUndefined();
      expect(await h.repo.tenants.byId(kept.id)).toBeDefined();
      expect(await h.repo.signingKeys.listByTenant(kept.id)).toHaveLength(2);
      expect(await h.repo.apiKeys.byKeyId(keptKey.keyId)).toEqual(keptKey);
      expect(await h.repo.apiKeys.byKeyId(instanceKey.keyId)).toEqual(instanceKey);
    });
  });

  describe('API keys', () => {
    // docs/security.md machine secrets: ≥ 256 random bits, typed prefix, stored only as SHA-256.
    it('createApiKey returns af_<env>_<keyId>_<secret> once and stores only its SHA-256', async () => {
      const tenant = tenantRecord();
      await h.repo.tenants.insert(tenant);
      const { apiKey, token } = await createApiKey({ stores: h.repo, clock }, { tenantId: tenant.id, name: ' deploy bot ', scopes: ['clients:write', 'clients:write', 'tenants:read'], env: 'test' });
      expect(token).toMatch(/^af_test_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
      const [, , keyId, ...rest] = token.split('_');
      expect(keyId).toBe(apiKey.keyId);
      expect(Buffer.from(rest.join('_'), 'base64url')).toHaveLength(32);
      expect(apiKey).toMatchObject({ tenantId: tenant.id, name: 'deploy bot', scopes: ['clients:write', 'tenants:read'], useCount: 0, lastUsedAt: null, revokedAt: null, expiresAt: null, createdAt: NOW });

      const stored = await h.repo.apiKeys.byKeyId(apiKey.keyId);
      expect(stored).toEqual(apiKey);
      expect(stored!.secretHash).toBe(sha256(token));
      expect(verifySecretHash(token, stored!.secretHash)).toBe(true);
      const secret = rest.join('_');
      expect(JSON.stringify(stored)).not.toContain(secret);
    });

    it('an instance key has a null tenant, and an expiry round-trips', async () => {
      const expiresAt = NOW + 86_400_000;
      const { apiKey } = await createApiKey({ stores: h.repo, clock }, { tenantId: null, name: 'admin', scopes: ['*'], expiresAt });
      expect(await h.repo.apiKeys.byKeyId(apiKey.keyId)).toEqual({ ...apiKey, tenantId: null, expiresAt });
    });

    it('byKeyId of an unknown key is undefined; a duplicate key id is a Conflict', async () => {
      expect(await h.repo.apiKeys.byKeyId('nosuchkeyid0')).toBeUndefined();
      const k = apiKeyRecord();
      await h.repo.apiKeys.insert(k);
      await expect(h.repo.apiKeys.insert(apiKeyRecord({ keyId: k.keyId }))).rejects.toBeInstanceOf(Conflict);
      await expect(h.repo.apiKeys.insert(apiKeyRecord({ id: k.id }))).rejects.toBeInstanceOf(Conflict);
    });

    it('rejects bad input without writing', async () => {
      await expect(createApiKey({ stores: h.repo, clock }, { tenantId: null, name: 'x', scopes: [] })).rejects.toMatchObject({ field: 'scopes' });
      await expect(createApiKey({ stores: h.repo, clock }, { tenantId: null, name: 'x', scopes: ['root'] })).rejects.toMatchObject({ field: 'scopes' });
      await expect(createApiKey({ stores: h.repo, clock }, { tenantId: null, name: 'x', scopes: ['*'], env: 'Live_1' })).rejects.toMatchObject({ field: 'env' });
      await expect(createApiKey({ stores: h.repo, clock }, { tenantId: null, name: '   ', scopes: ['*'] })).rejects.toMatchObject({ field: 'name' });
    });
  });

  describe('repo.transaction', () => {
    it('commits everything written in it', async () => {
      const t = tenantRecord();
      const k = apiKeyRecord({ tenantId: t.id });
      expect(
        await h.repo.transaction(async (s) => {
          await s.tenants.insert(t);
          await s.apiKeys.insert(k);
          return 'done';
        }),
      ).toBe('done');
      expect(await h.repo.tenants.byId(t.id)).toEqual(t);
      expect(await h.repo.apiKeys.byKeyId(k.keyId)).toEqual(k);
    });

    it('a failure inside rolls back everything written in it, and the error comes out unchanged', async () => {
      const t = tenantRecord();
      const k = apiKeyRecord({ tenantId: t.id });
      const failure = new Error('stop here');
      const e = await rejection(
        h.repo.transaction(async (s) => {
          await s.tenants.insert(t);
          await s.apiKeys.insert(k);
          // Reads inside the transaction see its own writes.
          expect(await s.tenants.byId(t.id)).toEqual(t);
          throw failure;
        }),
      );
      expect(e).toBe(failure);
      expect(await h.repo.tenants.byId(t.id)).toBeUndefined();
      expect(await h.repo.apiKeys.byKeyId(k.keyId)).toBeUndefined();
    });

    it('a database error inside rolls back the writes before it', async () => {
      const existing = tenantRecord();
      await h.repo.tenants.insert(existing);
      const t = tenantRecord();
      await expect(
        h.repo.transaction(async (s) => {
          await s.tenants.insert(t);
          await s.tenants.insert(tenantRecord({ slug: existing.slug }));
        }),
      ).rejects.toBeInstanceOf(Conflict);
      expect(await h.repo.tenants.byId(t.id)).toBeUndefined();
    });

    it('a domain error keeps its class and code', async () => {
      await expect(h.repo.transaction(async () => Promise.reject(new ValidationFailed('slug', 'nope')))).rejects.toMatchObject({ name: 'ValidationFailed', code: 'validation_failed', field: 'slug' });
    });

    it('a nested repo.transaction joins the outer one: the outer failure undoes the inner writes', async () => {
      const outer = tenantRecord();
      const inner = tenantRecord();
      const direct = tenantRecord();
      await expect(
        h.repo.transaction(async (s) => {
          await s.tenants.insert(outer);
          await h.repo.transaction(async (s2) => {
            expect(await s2.tenants.byId(outer.id)).toEqual(outer);
            await s2.tenants.insert(inner);
          });
          // A store call on the repository itself, inside the transaction, joins it too.
          await h.repo.tenants.insert(direct);
          throw new Error('undo all');
        }),
      ).rejects.toThrow('undo all');
      for (const t of [outer, inner, direct]) expect(await h.repo.tenants.byId(t.id)).toBeUndefined();
    });

    it('a nested commit is not a real commit: data is visible outside only after the outer one', async () => {
      const t = tenantRecord();
      let seenOutsideAfterInner: Tenant | undefined | 'unset' = 'unset';
      await h.repo.transaction(async () => {
        await h.repo.transaction(async (s2) => s2.tenants.insert(t));
        // A second handle is another connection: it must not see uncommitted data.
        const other = await h.openAnother();
        try {
          seenOutsideAfterInner = await createRepository(other).tenants.byId(t.id);
        } finally {
          await other.close();
        }
      });
      expect(seenOutsideAfterInner).toBeUndefined();
      expect(await h.repo.tenants.byId(t.id)).toEqual(t);
    });

    // An error thrown by application code inside a transaction is not a database
    // error and must come out as it went in (code, class, message), even when it
    // carries a `cause`.
    it('an error with a cause thrown inside comes out unchanged', async () => {
      const failure = new Unavailable('the master key cannot be read', { cause: new Error('ENOENT: /etc/authflow/master.key') });
      const e = await rejection(h.repo.transaction(async () => Promise.reject(failure)));
      expect(e).toBe(failure);
    });
  });

  // docs/security.md, errors / STYLE rule 13: no SQL, no bound values in errors or logs.
  describe('DatabaseError', () => {
    const distinctive = () => `DISTINCTIVE-${randomString(6)}`;

    function expectSanitised(e: unknown, values: readonly string[]) {
      expect(e).toBeInstanceOf(DatabaseError);
      const text = [String(e), (e as Error).message, (e as Error).stack ?? '', JSON.stringify(e)].join('\n');
      for (const v of values) expect(text).not.toContain(v);
      expect(text).not.toMatch(/insert into|values \(|params:/i);
      expect((e as Error).cause).toBeUndefined();
      expect((e as DatabaseError).code).toBeTruthy();
    }

    it('a NOT NULL violation carries neither the SQL nor the other bound values', async () => {
      const values = [distinctive(), distinctive(), distinctive()];
      const e = await rejection(h.repo.apiKeys.insert(apiKeyRecord({ name: null as unknown as string, keyId: values[0]!, secretHash: values[1]!, id: values[2]! })));
      expectSanitised(e, values);
      expect((e as DatabaseError).code).toMatch(/^(SQLITE_CONSTRAINT_NOTNULL|23502)$/);
    });

    it('the same holds inside repo.transaction', async () => {
      const values = [distinctive(), distinctive()];
      const e = await rejection(h.repo.transaction((s) => s.apiKeys.insert(apiKeyRecord({ name: null as unknown as string, keyId: values[0]!, secretHash: values[1]! }))));
      expectSanitised(e, values);
    });

    // A store's DatabaseError passes through repo.transaction without being wrapped again.
    it('is wrapped once, inside a transaction as outside', async () => {
      const outside = await rejection(h.repo.apiKeys.insert(apiKeyRecord({ name: null as unknown as string })));
      const inside = await rejection(h.repo.transaction((s) => s.apiKeys.insert(apiKeyRecord({ name: null as unknown as string }))));
      expect((inside as Error).message).toBe((outside as Error).message);
    });

    // Postgres puts the offending value in the message of data exceptions (class
    // 22, e.g. 22P02 `invalid input syntax for type integer: "<value>"`). SQLite
    // has no such error (it stores any value), so this case exists on Postgres only.
    it.runIf(dialect === 'postgres')('a type error carries no bound value (Postgres data exceptions quote it)', async () => {
      const value = distinctive();
      const e = await rejection(h.repo.apiKeys.insert(apiKeyRecord({ useCount: value as unknown as number })));
      expectSanitised(e, [value]);
    });
  });
});
