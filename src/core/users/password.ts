import { randomString, type PasswordHasher } from '../../crypto/index.ts';
import type { Clock } from '../clock.ts';
import type { Repository } from '../ports.ts';
import type { User } from './user.ts';

/** The credential kind holding a user's argon2id password hash. */
export const PASSWORD = 'password';

type Deps = { readonly repo: Pick<Repository, 'credentials'>; readonly passwords: PasswordHasher; readonly clock: Clock };

const dummies = new WeakMap<PasswordHasher, Promise<string>>();

/**
 * A hash of a random password made with the current parameters: verified
 * against when the user is unknown or has no password, so that case costs the
 * same argon2id time as a wrong password (no user enumeration by timing).
 */
function dummyHash(passwords: PasswordHasher): Promise<string> {
  let p = dummies.get(passwords);
  if (!p) {
    p = passwords.hash(randomString());
    dummies.set(passwords, p);
  }
  return p;
}

/**
 * Checks a password for `user` (undefined: nobody has that identifier).
 * argon2id runs off the event loop. On success with outdated parameters, or
 * with a hash imported from another system (bcrypt, argon2i, scrypt, PBKDF2:
 * `passwords.verify` dispatches by prefix), the hash is replaced by argon2id
 * with the current parameters (rehashed on login; the credential's
 * data keeps its import marker so a re-import does not put the old hash back).
 * Disabled users never pass.
 */
export async function verifyPassword(deps: Deps, user: User | undefined, password: string): Promise<boolean> {
  const credential = user ? (await deps.repo.credentials.ofUser(user.tenantId, user.id, PASSWORD))[0] : undefined;
  const encoded = credential?.secret ?? (await dummyHash(deps.passwords));
  // Bounded input: argon2 hashes whatever it is given, and a megabyte password is a cheap DoS.
  const ok = password.length <= 1024 && (await deps.passwords.verify(encoded, password));
  if (!ok || !user || !credential || user.disabled) return false;
  const now = deps.clock.now();
  if (deps.passwords.needsRehash(encoded)) await deps.repo.credentials.updateSecret(user.tenantId, credential.id, await deps.passwords.hash(password));
  await deps.repo.credentials.recordUse(user.tenantId, credential.id, now);
  return true;
}

/** Warms the dummy hash so the first unknown-user login is not faster than later ones. */
export function prepareDummyHash(passwords: PasswordHasher): Promise<unknown> {
  return dummyHash(passwords);
}
