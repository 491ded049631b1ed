import type { H3Event } from 'h3';
import { jwksMaxAge, publicJwks } from '../../../core/keys/jwks.ts';
import { nextKeyTransition } from '../../../core/keys/lifecycle.ts';
import type { SigningKey } from '../../../core/keys/signing-key.ts';
import { settingsOf } from '../../../core/tenants/tenant.ts';
import type { OAuthContext } from '../context.ts';
import { cacheable, serveCacheable, type Cacheable } from '../internal/cacheable.ts';
import { tenantOf } from '../tenant.ts';

/**
 * GET /t/:tenant/jwks — the tenant's public keys (RFC 7517 §5): next, active
 * and retired-unexpired. Cacheable for a short time (see `jwksMaxAge`), with
 * an ETag for cheap revalidation.
 */
export function jwks(ctx: OAuthContext) {
  // The directory hands out the same key list until any key changes; the set it publishes also changes at key transitions.
  const rendered = new WeakMap<readonly SigningKey[], { doc: Cacheable; until: number }>();
  return async (event: H3Event): Promise<Response> => {
    const { tenant } = await tenantOf(event, ctx.deps);
    const keys = await ctx.deps.directory.signingKeys(tenant.id);
    const now = ctx.deps.clock.now();
    let hit = rendered.get(keys);
    if (!hit || now >= hit.until) {
      hit = { doc: cacheable(publicJwks(keys, now)), until: nextKeyTransition(keys, now) ?? Infinity };
      rendered.set(keys, hit);
    }
    return serveCacheable(event, hit.doc, 'application/jwk-set+json', jwksMaxAge(keys, settingsOf(tenant), now));
  };
}
