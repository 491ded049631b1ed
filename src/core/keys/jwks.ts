import type { TenantSettings } from '../tenants/settings.ts';
import { nextKeyTransition, publishedKeys } from './lifecycle.ts';
import type { SigningKey } from './signing-key.ts';

/** Members of a public JWK that a key set publishes (RFC 7517 §4, RFC 7518 §6): never private or unknown members. */
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

export interface PublicJwk {
  readonly kty: string;
  readonly kid: string;
  readonly alg: string;
  readonly use: 'sig';
  readonly [member: string]: string;
}

/** The tenant's JWK Set at `now` (RFC 7517 §5): next, active and retired-unexpired keys, public members only. */
export function publicJwks(keys: readonly SigningKey[], now: number): { keys: PublicJwk[] } {
  return {
    keys: publishedKeys(keys, now).map((k) => {
      const jwk: Record<string, string> = {};
      for (const m of PUBLIC_MEMBERS) {
        const v = (k.publicJwk as Record<string, unknown>)[m];
        if (typeof v === 'string') jwk[m] = v;
      }
      return { ...jwk, kid: k.kid, alg: k.alg, use: 'sig' } as PublicJwk;
    }),
  };
}

/** The longest a relying party may cache the key set, in seconds. */
export const JWKS_MAX_AGE_CAP = 900;

/**
 * How long the key set may be cached (seconds): short enough that a key
 * published by a rotation is fetched before it starts signing — at most a
 * quarter of the tenant's `key_rotation_delay` (and 15 minutes) — and never
 * past the next moment some key changes status.
 */
export function jwksMaxAge(keys: readonly SigningKey[], settings: TenantSettings, now: number): number {
  let maxAge = Math.min(JWKS_MAX_AGE_CAP, Math.floor(settings.key_rotation_delay / 4));
  const next = nextKeyTransition(keys, now);
  if (next !== undefined) maxAge = Math.min(maxAge, Math.floor((next - now) / 1000));
  return Math.max(0, maxAge);
}
