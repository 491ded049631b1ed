import type { SigningAlg } from '../../crypto/index.ts';
import type { SigningKey } from './signing-key.ts';

/**
 * Where a key stands at `now`:
 * - `next`: published in JWKS, not yet signing (relying parties learn it first);
 * - `active`: signing (the newest activated key of its alg);
 * - `retired`: no longer signing, still published until every token it signed has expired;
 * - `expired`: gone from JWKS.
 */
export type KeyStatus = 'next' | 'active' | 'retired' | 'expired';

export function keyStatus(key: SigningKey, now: number): KeyStatus {
  if (key.state === 'retired' || (key.retiredAt !== null && now >= key.retiredAt)) {
    return key.expiresAt !== null && now >= key.expiresAt ? 'expired' : 'retired';
  }
  return key.activatedAt !== null && now >= key.activatedAt ? 'active' : 'next';
}

/** Keys to publish in JWKS: next, active and retired-but-unexpired. */
export function publishedKeys(keys: readonly SigningKey[], now: number): SigningKey[] {
  return keys.filter((k) => keyStatus(k, now) !== 'expired');
}

/** The key that signs for `alg` now: the most recently activated active one. */
export function activeKeyFor(keys: readonly SigningKey[], alg: SigningAlg, now: number): SigningKey | undefined {
  let best: SigningKey | undefined;
  for (const k of keys) {
    if (k.alg !== alg || keyStatus(k, now) !== 'active') continue;
    if (!best || (k.activatedAt ?? 0) > (best.activatedAt ?? 0)) best = k;
  }
  return best;
}

/** The earliest future moment at which some key changes status (caches of key sets must not outlive it). */
export function nextKeyTransition(keys: readonly SigningKey[], now: number): number | undefined {
  const times = keys.flatMap((k) => [k.activatedAt, k.retiredAt, k.expiresAt]).filter((t): t is number => t !== null && t > now);
  return times.length ? Math.min(...times) : undefined;
}
