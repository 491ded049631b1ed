import type { KeyRing } from '../../crypto/index.ts';
import type { Repository } from '../ports.ts';
import { signingKeyContext } from './signing-key.ts';

/**
 * Re-encrypts every recoverable secret not yet under the ring's active
 * master key, in one durable transaction. Idempotent: a second run finds
 * nothing to do.
 */
export async function reencryptSecrets(repo: Repository, ring: KeyRing): Promise<{ signingKeys: number }> {
  return repo.transaction(
    async (s) => {
      let signingKeys = 0;
      for (const key of await s.signingKeys.listAll()) {
        if (ring.keyIdOf(key.privateJwkEnc) === ring.activeId) continue;
        const context = signingKeyContext(key.tenantId, key.kid);
        await s.signingKeys.update({ ...key, privateJwkEnc: ring.encrypt(ring.decrypt(key.privateJwkEnc, context), context) });
        signingKeys++;
      }
      return { signingKeys };
    },
    { durable: true },
  );
}

/** Master key ids still used by some ciphertext. */
export async function masterKeysInUse(repo: Repository, ring: KeyRing): Promise<Set<string>> {
  return new Set((await repo.signingKeys.listAll()).map((k) => ring.keyIdOf(k.privateJwkEnc)));
}
