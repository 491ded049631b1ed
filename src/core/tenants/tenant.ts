import { ValidationFailed } from '../errors.ts';

/** Per-tenant settings; later issues add lifetimes, policies, scopes and theme. */
export type TenantSettings = Record<string, unknown>;

export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly customDomain: string | null;
  readonly settings: TenantSettings;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Slugs that would collide with instance-level paths or confuse users. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'admin', 'api', 'app', 'assets', 'auth', 'authflow', 'default', 'healthz', 'instance', 'login', 'logout',
  'metrics', 'oauth', 'oidc', 'readyz', 'root', 'static', 'system', 't', 'well-known', 'www',
]);

/** A DNS label (RFC 1035 §2.3.1, lower case) that is not reserved. */
export function validateSlug(slug: string): string {
  if (!SLUG.test(slug)) throw new ValidationFailed('slug', 'must be 1–63 lower-case letters, digits or hyphens, not starting or ending with a hyphen');
  if (RESERVED_SLUGS.has(slug)) throw new ValidationFailed('slug', `"${slug}" is reserved`);
  return slug;
}

/** The tenant's issuer identifier: its custom domain, or `{public_url}/t/{slug}`. */
export function issuerOf(tenant: Pick<Tenant, 'slug' | 'customDomain'>, publicUrl: string): string {
  return tenant.customDomain ? `https://${tenant.customDomain}` : `${publicUrl}/t/${tenant.slug}`;
}

export function discoveryUrlOf(issuer: string): string {
  return `${issuer}/.well-known/openid-configuration`;
}
