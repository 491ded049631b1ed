// Password hashes made by other systems, verified as they are so that users
// imported with them can sign in; after the first successful sign-in the core
// replaces them with argon2id (docs/security.md "imported bcrypt/argon2 hashes verify
// and are upgraded on next login").
//
// Accepted encodings (salt and hash in base64: standard `+/` or passlib's
// "adapted" `./`, padding optional):
//   argon2id / argon2i   $argon2id$v=19$m=<KiB>,t=<t>,p=<p>$<salt>$<hash>   (PHC)
//   bcrypt               $2a$ / $2b$ / $2y$<cost>$<53 chars>
//   scrypt               $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>     (PHC, as passlib)
//   PBKDF2               $pbkdf2-sha256$<i>$<salt>$<hash>, also i=<i>; -sha512, -sha1 (and passlib's $pbkdf2$ = sha1)
// Cost parameters are capped: an imported hash must not turn a sign-in into a
// denial of service.
import { pbkdf2, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { verify as argon2Verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

export type PasswordHashFormat = 'argon2id' | 'argon2i' | 'bcrypt' | 'scrypt' | 'pbkdf2-sha1' | 'pbkdf2-sha256' | 'pbkdf2-sha512';

/** The most a stored hash may cost to verify. */
export const HASH_COST_LIMITS = Object.freeze({
  argon2MemoryKiB: 256 * 1024,
  argon2TimeCost: 16,
  argon2Parallelism: 16,
  bcryptCost: 15,
  scryptLog2N: 20,
  scryptMemoryBytes: 1024 * 1024 * 1024,
  pbkdf2Iterations: 10_000_000,
});

/** What a hash is, or why it cannot be used. */
export type HashInspection = { readonly ok: true; readonly format: PasswordHashFormat } | { readonly ok: false; readonly reason: string };

const B64 = '[A-Za-z0-9+./]+={0,2}';
const ARGON2 = new RegExp(`^\\$(argon2id|argon2i)\\$(?:v=(16|19)\\$)?m=(\\d{1,10}),t=(\\d{1,10}),p=(\\d{1,3})\\$(${B64})\\$(${B64})$`);
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const SCRYPT = new RegExp(`^\\$scrypt\\$ln=(\\d{1,2}),r=(\\d{1,4}),p=(\\d{1,4})\\$(${B64})\\$(${B64})$`);
const PBKDF2 = new RegExp(`^\\$pbkdf2(?:-(sha1|sha256|sha512))?\\$(?:i=)?(\\d{1,9})\\$(${B64})\\$(${B64})$`);

/** Decodes standard or passlib-adapted base64 (`.` for `+`), padding optional. */
function b64(s: string): Buffer {
  return Buffer.from(s.replaceAll('.', '+'), 'base64');
}

type Parsed =
  | { format: 'argon2id' | 'argon2i' }
  | { format: 'bcrypt' }
  | { format: 'scrypt'; n: number; r: number; p: number; salt: Buffer; hash: Buffer }
  | { format: 'pbkdf2-sha1' | 'pbkdf2-sha256' | 'pbkdf2-sha512'; digest: string; iterations: number; salt: Buffer; hash: Buffer };

function parse(encoded: string): Parsed | string {
  if (encoded.length > 1024) return 'is longer than any supported password hash';
  let m = ARGON2.exec(encoded);
  if (m) {
    const [mem, t, p] = [Number(m[3]), Number(m[4]), Number(m[5])];
    if (mem > HASH_COST_LIMITS.argon2MemoryKiB || t > HASH_COST_LIMITS.argon2TimeCost || p > HASH_COST_LIMITS.argon2Parallelism || t < 1 || p < 1 || mem < 8 * p)
      return `has argon2 parameters outside the accepted range (m ≤ ${HASH_COST_LIMITS.argon2MemoryKiB}, t ≤ ${HASH_COST_LIMITS.argon2TimeCost}, p ≤ ${HASH_COST_LIMITS.argon2Parallelism})`;
    if (b64(m[6]!).length < 8 || b64(m[7]!).length < 4) return 'has an argon2 salt or hash that is too short';
    return { format: m[1] as 'argon2id' | 'argon2i' };
  }
  m = BCRYPT.exec(encoded);
  if (m) {
    const cost = Number(m[1]);
    if (cost < 4 || cost > HASH_COST_LIMITS.bcryptCost) return `has a bcrypt cost of ${cost} (accepted: 4 to ${HASH_COST_LIMITS.bcryptCost})`;
    return { format: 'bcrypt' };
  }
  m = SCRYPT.exec(encoded);
  if (m) {
    const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const n = 2 ** ln;
    if (ln < 1 || ln > HASH_COST_LIMITS.scryptLog2N || r < 1 || p < 1 || p > 16 || 128 * n * r > HASH_COST_LIMITS.scryptMemoryBytes)
      return `has scrypt parameters outside the accepted range (ln ≤ ${HASH_COST_LIMITS.scryptLog2N}, p ≤ 16, 128·N·r ≤ 1 GiB)`;
    const salt = b64(m[4]!);
    const hash = b64(m[5]!);
    if (hash.length < 16 || hash.length > 128) return 'has a scrypt hash that is not 16 to 128 bytes long';
    return { format: 'scrypt', n, r, p, salt, hash };
  }
  m = PBKDF2.exec(encoded);
  if (m) {
    const digest = m[1] ?? 'sha1';
    const iterations = Number(m[2]);
    if (iterations < 1 || iterations > HASH_COST_LIMITS.pbkdf2Iterations) return `has ${iterations} PBKDF2 iterations (accepted: 1 to ${HASH_COST_LIMITS.pbkdf2Iterations})`;
    const salt = b64(m[3]!);
    const hash = b64(m[4]!);
    if (hash.length < 16 || hash.length > 128) return 'has a PBKDF2 hash that is not 16 to 128 bytes long';
    return { format: `pbkdf2-${digest}` as 'pbkdf2-sha1', digest, iterations, salt, hash };
  }
  if (/^\$(argon2|2[aby]?\$|scrypt|pbkdf2)/.test(encoded)) return 'is malformed (see the accepted formats in docs/user-import.md)';
  return 'is not in a supported format (argon2id, argon2i, bcrypt, scrypt or PBKDF2 in PHC/passlib form)';
}

/** Says whether `encoded` is a hash authflow can verify (format and cost within limits), and which. */
export function inspectPasswordHash(encoded: string): HashInspection {
  const parsed = parse(encoded);
  return typeof parsed === 'string' ? { ok: false, reason: parsed } : { ok: true, format: parsed.format };
}

function scryptAsync(password: BinaryLike, salt: BinaryLike, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

function pbkdf2Async(password: BinaryLike, salt: BinaryLike, iterations: number, keylen: number, digest: string): Promise<Buffer> {
  return new Promise((resolve, reject) => pbkdf2(password, salt, iterations, keylen, digest, (err, key) => (err ? reject(err) : resolve(key))));
}

/**
 * Verifies `password` against any accepted hash, off the event loop (argon2
 * and node:crypto on the thread pool; bcryptjs yields between rounds).
 * False for a wrong password and for anything malformed or over the limits.
 */
export async function verifyPasswordHash(encoded: string, password: string): Promise<boolean> {
  const h = parse(encoded);
  if (typeof h === 'string') return false;
  try {
    switch (h.format) {
      case 'argon2id':
      case 'argon2i':
        return await argon2Verify(encoded, password);
      case 'bcrypt':
        return await bcrypt.compare(password, encoded);
      case 'scrypt': {
        const key = await scryptAsync(password, h.salt, h.hash.length, { N: h.n, r: h.r, p: h.p, maxmem: 128 * h.n * h.r * 2 + 1024 * 1024 });
        return timingSafeEqual(key, h.hash);
      }
      default: {
        const key = await pbkdf2Async(password, h.salt, h.iterations, h.hash.length, h.digest);
        return timingSafeEqual(key, h.hash);
      }
    }
  } catch {
    return false;
  }
}
