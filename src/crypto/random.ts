import { randomBytes, randomInt } from 'node:crypto';

/** Bytes of entropy in every machine secret (docs/security.md: at least 256 bits). */
export const SECRET_BYTES = 32;

/** A random base64url string carrying `bytes` bytes of entropy. */
export function randomString(bytes: number = SECRET_BYTES): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * A typed machine secret: `af_<kind>_<random>`. The prefix lets secret
 * scanners and humans tell what leaked; the random part carries 256 bits.
 */
export function typedSecret(kind: string): string {
  return `af_${kind}_${randomString()}`;
}

/** A random, time-ordered UUIDv7 (RFC 9562) for record ids: sortable, never sequential on the wire. */
export function uuidv7(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `n` uniformly random decimal digits (a short code typed by a person; pair it with an attempt limit). */
export function randomDigits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(randomInt(0, 10));
  return out;
}
