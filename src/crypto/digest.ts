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

/** Constant-time check of a presented secret against a stored SHA-256 (base64url). */
export function verifySecretHash(presented: string, storedHash: string): boolean {
  return safeEqual(sha256(presented), storedHash);
}
