import { importKey, signJwt, type JWTPayload, type KeyRing, type SigningAlg, type SigningKeyHandle } from '../../../crypto/index.ts';
import type { Clock } from '../../clock.ts';
import type { Directory } from '../../directory.ts';
import { activeKeyFor, publishedKeys } from '../../keys/lifecycle.ts';
import { signingKeyContext, type SigningKey } from '../../keys/signing-key.ts';
import { Unavailable } from '../../errors.ts';

/**
 * Signs and verifies with a tenant's keys. Private keys are decrypted and
 * imported once per kid and kept in memory; which key is active is decided
 * at each call from the (cached) key rows and the clock, so a rotation takes
 * effect at its activation time without a restart.
 */
export interface TenantSigner {
  /** Signs `claims` with the tenant's active key for `alg`; returns the JWT and the kid used. */
  sign(tenantId: string, alg: SigningAlg, claims: JWTPayload, typ?: string): Promise<{ jwt: string; kid: string }>;
  /** The public key for `kid` if it is currently published (next, active or retired-unexpired) in this tenant. */
  verificationKey(tenantId: string, kid: string): Promise<{ key: SigningKeyHandle; alg: SigningAlg } | undefined>;
}

export function createSigner(deps: { directory: Directory; keyRing: KeyRing; clock: Clock }): TenantSigner {
  const privateKeys = new Map<string, Promise<SigningKeyHandle>>();
  const publicKeys = new Map<string, Promise<SigningKeyHandle>>();
  const cacheKey = (k: SigningKey) => `${k.tenantId}:${k.kid}`;

  const privateKeyOf = (k: SigningKey) => {
    let p = privateKeys.get(cacheKey(k));
    if (!p) {
      p = importKey(JSON.parse(deps.keyRing.decrypt(k.privateJwkEnc, signingKeyContext(k.tenantId, k.kid))), k.alg);
      privateKeys.set(cacheKey(k), p);
      p.catch(() => privateKeys.delete(cacheKey(k)));
    }
    return p;
  };

  return {
    async sign(tenantId, alg, claims, typ) {
      const key = activeKeyFor(await deps.directory.signingKeys(tenantId), alg, deps.clock.now());
      if (!key) throw new Unavailable(`the tenant has no active ${alg} signing key; run "authflow key rotate --alg ${alg} --delay 0"`);
      const jwt = await signJwt(await privateKeyOf(key), { alg, kid: key.kid, ...(typ ? { typ } : {}) }, claims);
      return { jwt, kid: key.kid };
    },
    async verificationKey(tenantId, kid) {
      const key = publishedKeys(await deps.directory.signingKeys(tenantId), deps.clock.now()).find((k) => k.kid === kid);
      if (!key) return undefined;
      let p = publicKeys.get(cacheKey(key));
      if (!p) {
        p = importKey(key.publicJwk, key.alg);
        publicKeys.set(cacheKey(key), p);
      }
      return { key: await p, alg: key.alg };
    },
  };
}
