import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, CompactSign, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createPasswordHasher,
  DEFAULT_ARGON2,
  generateMasterKey,
  generateSigningKey,
  KeyRingError,
  oidcTokenHash,
  pkceS256,
  parseKeyRing,
  randomString,
  safeEqual,
  SECRET_BYTES,
  sha256,
  SIGNING_ALGS,
  typedSecret,
  uuidv7,
  verifySecretHash,
  matchSecretHashes,
} from '../../src/crypto/index.ts';

const B64URL = /^[A-Za-z0-9_-]+$/;
const key32 = (fill: number) => Buffer.alloc(32, fill).toString('base64url');

describe('master key ring (AES-256-GCM, docs/security.md recoverable secrets)', () => {
  const ring = parseKeyRing(`k1:${key32(1)}`);

  it('round-trips and produces v1.<kid>.<base64url> ciphertexts', () => {
    const c = ring.encrypt('private jwk', 'signing_key:t1:kid1');
    expect(c).toMatch(/^v1\.k1\.[A-Za-z0-9_-]+$/);
    expect(ring.decrypt(c, 'signing_key:t1:kid1')).toBe('private jwk');
    expect(ring.keyIdOf(c)).toBe('k1');
    expect(ring.activeId).toBe('k1');
    expect(ring.ids).toEqual(['k1']);
  });

  it('uses a fresh nonce per encryption (NIST SP 800-38D §8: never reuse an IV under one key)', () => {
    const seen = new Set(Array.from({ length: 50 }, () => ring.encrypt('same', 'ctx')));
    expect(seen.size).toBe(50);
    const ivs = new Set([...seen].map((c) => Buffer.from(c.split('.')[2]!, 'base64url').subarray(0, 12).toString('hex')));
    expect(ivs.size).toBe(50);
  });

  it('does not carry the plaintext', () => {
    const c = ring.encrypt('a-very-distinctive-plaintext', 'ctx');
    expect(c).not.toContain('distinctive');
    expect(Buffer.from(c.split('.')[2]!, 'base64url').toString('latin1')).not.toContain('distinctive');
  });

  it('binds the ciphertext to its context (AAD): another context does not decrypt', () => {
    const c = ring.encrypt('secret', 'signing_key:tenantA:kid1');
    expect(() => ring.decrypt(c, 'signing_key:tenantB:kid1')).toThrow(KeyRingError);
    expect(() => ring.decrypt(c, 'signing_key:tenantA:kid2')).toThrow(KeyRingError);
    expect(() => ring.decrypt(c, '')).toThrow(KeyRingError);
  });

  it('rejects any tampering with the body, the tag or the nonce', () => {
    const c = ring.encrypt('secret', 'ctx');
    const [v, id, data] = c.split('.') as [string, string, string];
    const packed = Buffer.from(data, 'base64url');
    for (const at of [0, 12, packed.length - 1]) {
      const copy = Buffer.from(packed);
      copy[at]! ^= 0x01;
      expect(() => ring.decrypt(`${v}.${id}.${copy.toString('base64url')}`, 'ctx')).toThrow(KeyRingError);
    }
    expect(() => ring.decrypt(`${v}.${id}.${packed.subarray(0, 27).toString('base64url')}`, 'ctx')).toThrow(/truncated/);
    expect(() => ring.decrypt(`v2.${id}.${data}`, 'ctx')).toThrow(KeyRingError);
    expect(() => ring.decrypt('garbage', 'ctx')).toThrow(KeyRingError);
    expect(() => ring.keyIdOf('garbage')).toThrow(KeyRingError);
  });

  it('with several keys: the first encrypts, every key decrypts (rotation)', () => {
    const old = parseKeyRing(`old:${key32(1)}`);
    const rotated = parseKeyRing(`new:${key32(2)},old:${key32(1)}`);
    const before = old.encrypt('s1', 'ctx');
    const after = rotated.encrypt('s2', 'ctx');
    expect(rotated.activeId).toBe('new');
    expect(rotated.ids).toEqual(['new', 'old']);
    expect(rotated.keyIdOf(after)).toBe('new');
    expect(rotated.decrypt(before, 'ctx')).toBe('s1');
    expect(rotated.decrypt(after, 'ctx')).toBe('s2');
    // The old ring does not know the new key.
    expect(() => old.decrypt(after, 'ctx')).toThrow(/no master key with id "new"/);
  });

  it('accepts newline-separated entries and surrounding whitespace', () => {
    const r = parseKeyRing(`  a:${key32(3)}\n b:${key32(4)} \n`);
    expect(r.ids).toEqual(['a', 'b']);
  });

  it('a different key under the same id does not authenticate', () => {
    const c = parseKeyRing(`k1:${key32(1)}`).encrypt('secret', 'ctx');
    expect(() => parseKeyRing(`k1:${key32(9)}`).decrypt(c, 'ctx')).toThrow(/does not authenticate/);
  });

  it.each([
    ['empty', '', /empty/],
    ['blank lines', ' \n , ', /empty/],
    ['no separator', key32(1), /id:base64url/],
    ['empty id', `:${key32(1)}`, /id:base64url/],
    ['bad id characters', `k.1:${key32(1)}`, /id:base64url/],
    ['a 128-bit key', `k1:${Buffer.alloc(16, 1).toString('base64url')}`, /32 bytes/],
    ['a 512-bit key', `k1:${Buffer.alloc(64, 1).toString('base64url')}`, /32 bytes/],
    ['a duplicate id', `k1:${key32(1)},k1:${key32(2)}`, /twice/],
  ])('rejects %s', (_, text, message) => {
    expect(() => parseKeyRing(text)).toThrow(KeyRingError);
    expect(() => parseKeyRing(text)).toThrow(message);
  });

  it('never echoes key material in its errors', () => {
    const secret = Buffer.alloc(16, 7).toString('base64url');
    try {
      parseKeyRing(`k1:${secret}`);
      expect.unreachable();
    } catch (e) {
      expect(String(e)).not.toContain(secret);
    }
  });

  it('generateMasterKey makes a parseable 256-bit key, different every time', () => {
    const a = generateMasterKey();
    const b = generateMasterKey();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.split(':')[1]!, 'base64url')).toHaveLength(32);
    const r = parseKeyRing(a);
    expect(r.decrypt(r.encrypt('x', 'c'), 'c')).toBe('x');
    expect(parseKeyRing(generateMasterKey('custom')).activeId).toBe('custom');
  });
});

describe('random values', () => {
  it('randomString carries the requested entropy as base64url', () => {
    expect(SECRET_BYTES).toBeGreaterThanOrEqual(32); // docs/security.md: at least 256 bits
    const s = randomString();
    expect(s).toMatch(B64URL);
    expect(Buffer.from(s, 'base64url')).toHaveLength(SECRET_BYTES);
    expect(Buffer.from(randomString(9), 'base64url')).toHaveLength(9);
    expect(new Set(Array.from({ length: 100 }, () => randomString())).size).toBe(100);
  });

  it('typedSecret is af_<kind>_<256 random bits>', () => {
    const s = typedSecret('cs');
    expect(s).toMatch(/^af_cs_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(s.slice('af_cs_'.length), 'base64url')).toHaveLength(32);
    expect(typedSecret('cs')).not.toBe(s);
  });

  it('uuidv7 follows RFC 9562 §5.7: version 7, variant 10, 48-bit ms timestamp first', () => {
    const now = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
    const id = uuidv7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(now);
    expect(uuidv7(now)).not.toBe(id);
  });

  it('uuidv7 sorts by creation time', () => {
    const ids = [1, 2, 1000, 2 ** 40].map((t) => uuidv7(1_700_000_000_000 + t));
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('digests and constant-time comparison (docs/security.md machine secrets)', () => {
  it('sha256 is base64url SHA-256 of strings and bytes', () => {
    // FIPS 180-2 test vector "abc".
    expect(sha256('abc')).toBe(Buffer.from('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'hex').toString('base64url'));
    expect(sha256(new TextEncoder().encode('abc'))).toBe(sha256('abc'));
    expect(sha256('')).toBe(createHash('sha256').digest('base64url'));
  });

  it('safeEqual compares exactly, whatever the lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('abc', '')).toBe(false);
    expect(safeEqual('é', 'e\u0301')).toBe(false);
  });

  it('verifySecretHash accepts the secret behind a stored hash and nothing else', () => {
    const secret = typedSecret('rt');
    const stored = sha256(secret);
    expect(verifySecretHash(secret, stored)).toBe(true);
    expect(verifySecretHash(`${secret}x`, stored)).toBe(false);
    expect(verifySecretHash(stored, stored)).toBe(false);
    expect(verifySecretHash(secret, '')).toBe(false);
  });

  it('matchSecretHashes checks one secret against several stored hashes; a value that is not a digest never matches', () => {
    const secret = typedSecret('cs');
    const stored = sha256(secret);
    expect(matchSecretHashes(secret, [sha256('other'), stored, stored.slice(0, 40), `${stored}AA`, 'not base64url!'])).toEqual([false, true, false, false, false]);
    expect(matchSecretHashes('', [sha256('')])).toEqual([true]);
  });
});

describe('password hashing (argon2id, docs/security.md human passwords)', () => {
  const fast = createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

  it('queues hashes and checks beyond its in-flight limit, and completes every one, failures included', async () => {
    const one = createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }, 1);
    const hashes = await Promise.all(['a1', 'b2', 'c3', 'd4'].map((p) => one.hash(p)));
    const checks = await Promise.all([...hashes.map((h, i) => one.verify(h, ['a1', 'b2', 'c3', 'd4'][i]!)), one.verify(hashes[0]!, 'wrong'), one.verify('$argon2id$broken', 'x')]);
    expect(checks).toEqual([true, true, true, true, false, false]);
  });

  it('hashes with argon2id and the configured parameters, salted', async () => {
    const a = await fast.hash('correct horse');
    const b = await fast.hash('correct horse');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
  });

  it('verifies the right password only, and answers false (not an exception) for garbage', async () => {
    const h = await fast.hash('correct horse');
    expect(await fast.verify(h, 'correct horse')).toBe(true);
    expect(await fast.verify(h, 'correct horsE')).toBe(false);
    expect(await fast.verify(h, '')).toBe(false);
    expect(await fast.verify('not a hash', 'correct horse')).toBe(false);
    expect(await fast.verify('', 'correct horse')).toBe(false);
  });

  it('verifies hashes made with other parameters and flags them for rehash', async () => {
    const other = createPasswordHasher({ memoryCost: 2048, timeCost: 1, parallelism: 1 });
    const h = await other.hash('pw');
    expect(await fast.verify(h, 'pw')).toBe(true);
    expect(fast.needsRehash(h)).toBe(true);
    expect(other.needsRehash(h)).toBe(false);
    expect(fast.needsRehash(await fast.hash('pw'))).toBe(false);
    expect(fast.needsRehash('$2b$10$abcdefghijklmnopqrstuu')).toBe(true);
  });

  it('defaults to m=19456 KiB, t=2, p=1 and runs off the event loop', async () => {
    expect(DEFAULT_ARGON2).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(Object.isFrozen(DEFAULT_ARGON2)).toBe(true);
    const hasher = createPasswordHasher();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    let encoded: string;
    try {
      encoded = await hasher.hash('pw');
    } finally {
      clearInterval(timer);
    }
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hasher.needsRehash(encoded)).toBe(false);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('signing keys', () => {
  const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

  it.each(SIGNING_ALGS)('%s: kid is the RFC 7638 thumbprint, the public JWK has no private members, the pair signs/verifies', async (alg) => {
    const key = await generateSigningKey(alg);
    expect(key.alg).toBe(alg);
    expect(key.kid).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const m of PRIVATE_MEMBERS) expect(key.publicJwk).not.toHaveProperty(m);
    expect(key.privateJwk.d).toBeTypeOf('string');
    expect(key.publicJwk).toMatchObject({ kid: key.kid, alg, use: 'sig' });
    expect(key.privateJwk).toMatchObject({ kid: key.kid, alg, use: 'sig' });

    const expected = { RS256: { kty: 'RSA' }, ES256: { kty: 'EC', crv: 'P-256' }, EdDSA: { kty: 'OKP', crv: 'Ed25519' } }[alg];
    expect(key.publicJwk).toMatchObject(expected);
    if (alg === 'RS256') expect(Buffer.from(key.publicJwk.n!, 'base64url')).toHaveLength(256); // 2048-bit modulus

    const jws = await new CompactSign(new TextEncoder().encode('payload')).setProtectedHeader({ alg, kid: key.kid }).sign(await importJWK(key.privateJwk, alg));
    const { payload } = await compactVerify(jws, await importJWK(key.publicJwk, alg));
    expect(new TextDecoder().decode(payload)).toBe('payload');
  });

  it('generates a different key every time', async () => {
    const [a, b] = await Promise.all([generateSigningKey('ES256'), generateSigningKey('ES256')]);
    expect(a.kid).not.toBe(b.kid);
  });
});

describe('OIDC token hashes and PKCE (known answers)', () => {
  it('oidcTokenHash: OIDC Core §A.3 example at_hash for RS256; SHA-512 left half for EdDSA', () => {
    expect(oidcTokenHash('RS256', 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y')).toBe('77QmUPtjPfzWtF2AnpK9RQ');
    expect(oidcTokenHash('ES256', 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y')).toBe('77QmUPtjPfzWtF2AnpK9RQ');
    const sha512 = createHash('sha512').update('token').digest();
    expect(oidcTokenHash('EdDSA', 'token')).toBe(sha512.subarray(0, 32).toString('base64url'));
    expect(() => oidcTokenHash('HS256', 'token')).toThrow();
  });

  it('pkceS256: RFC 7636 Appendix B', () => {
    expect(pkceS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
});
