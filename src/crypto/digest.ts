import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a machine secret, base64url: the only form in which such secrets are stored. */
export function sha256(value: string | Uint8Array): string {
  return createHash('sha256').update(value).digest('base64url');
}

/**
 * Constant-time equality for strings of any length: both sides are hashed
 * first so neither the content nor the length leaks through timing.
 */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** What a stored SHA-256 that is not one (wrong length, not base64url) is compared against, so the compare still runs. */
const NOT_A_DIGEST = Buffer.alloc(32);

/**
 * Constant-time checks of a presented secret against stored SHA-256s
 * (base64url, as `sha256` writes them): the secret is hashed once, then
 * compared with each stored digest in constant time. A stored value that is
 * not a 32-byte digest never matches, and costs the same compare.
 */
export function matchSecretHashes(presented: string, storedHashes: readonly string[]): boolean[] {
  const digest = createHash('sha256').update(presented).digest();
  return storedHashes.map((stored) => {
    const expected = Buffer.from(stored, 'base64url');
    const valid = expected.length === 32;
    return timingSafeEqual(digest, valid ? expected : NOT_A_DIGEST) && valid;
  });
}

/** Constant-time check of a presented secret against a stored SHA-256 (base64url): one hash, one compare. */
export function verifySecretHash(presented: string, storedHash: string): boolean {
  return matchSecretHashes(presented, [storedHash])[0]!;
}

/**
 * OIDC Core §3.1.3.6 `at_hash` / §3.3.2.11 `c_hash`: base64url of the left half
 * of the hash of `value`, with the hash of the ID token's `alg` — SHA-256 for
 * RS256/ES256; SHA-512 for EdDSA over Ed25519 (the hash Ed25519 itself uses,
 * as OpenID Connect relying parties such as oauth4webapi compute it).
 */
export function oidcTokenHash(alg: string, value: string): string {
  const hash = OIDC_HASH[alg];
  if (!hash) throw new Error(`no OIDC token hash is defined for alg ${alg}`);
  const digest = createHash(hash).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

const OIDC_HASH: Readonly<Record<string, string>> = { RS256: 'sha256', PS256: 'sha256', ES256: 'sha256', EdDSA: 'sha512', Ed25519: 'sha512' };

/** RFC 7636 §4.2 S256: BASE64URL(SHA256(ASCII(code_verifier))) — the same form `sha256` produces. */
export function pkceS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
