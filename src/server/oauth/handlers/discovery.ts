import type { H3Event } from 'h3';
import { buildServerMetadata } from '../../../core/oauth/metadata/server-metadata.ts';
import { settingsOf, type Tenant } from '../../../core/tenants/tenant.ts';
import type { OAuthContext } from '../context.ts';
import { cacheable, serveCacheable, type Cacheable } from '../internal/cacheable.ts';
import { tenantOf } from '../tenant.ts';

/** Seconds a relying party may cache the metadata (it changes only when the tenant's settings do). */
export const METADATA_MAX_AGE = 300;

/**
 * GET /t/:tenant/.well-known/openid-configuration (OIDC Discovery §4) and
 * GET /.well-known/oauth-authorization-server/t/:tenant (RFC 8414 §3, the
 * path-inserted form): one document, built from the registered capabilities.
 */
export function discovery(ctx: OAuthContext) {
  // The tenant record is replaced on any change, so it keys the rendered document.
  const rendered = new WeakMap<Tenant, { issuer: string; doc: Cacheable }>();
  const grantTypes = ctx.deps.grants.map((g) => g.grantType);
  return async (event: H3Event): Promise<Response> => {
    const { tenant, issuer } = await tenantOf(event, ctx.deps);
    let hit = rendered.get(tenant);
    if (!hit || hit.issuer !== issuer) {
      hit = { issuer, doc: cacheable(buildServerMetadata({ issuer, settings: settingsOf(tenant), capabilities: ctx.capabilities, grantTypes })) };
      rendered.set(tenant, hit);
    }
    return serveCacheable(event, hit.doc, 'application/json', METADATA_MAX_AGE);
  };
}
