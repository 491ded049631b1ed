import { ValidationFailed } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { tenantSettingsSchema, type TenantSettings } from './settings.ts';

/** Settings as the admin set them (defaults are applied on read, see `settingsOf`). */
export type StoredSettings = Record<string, unknown>;

export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly customDomain: string | null;
  readonly settings: StoredSettings;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Slugs that would collide with instance-level paths or confuse users. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'admin', 'api', 'app', 'assets', 'auth', 'authflow', 'default', 'healthz', 'instance', 'login', 'logout',
  'metrics', 'oauth', 'oidc', 'readyz', 'root', 'static', 'system', 't', 'well-known', 'www',
]);

/** A DNS label (RFC 1123 §2.1: letters, digits, hyphens; may start with a digit), lower case, not reserved. */
export function validateSlug(slug: string): string {
  const problem = slugProblem(slug);
  if (problem) throw new ValidationFailed('slug', problem);
  return slug;
}

/** What is wrong with a slug, or undefined (prompts check answers with it as they are typed). */
export function slugProblem(slug: string): string | undefined {
  if (!SLUG.test(slug)) return 'must be 1–63 lower-case letters, digits or hyphens, not starting or ending with a hyphen (e.g. acme)';
  if (RESERVED_SLUGS.has(slug)) return `"${slug}" is reserved`;
  return undefined;
}

/** The tenant's issuer identifier: its custom domain, or `{public_url}/t/{slug}`. */
export function issuerOf(tenant: Pick<Tenant, 'slug' | 'customDomain'>, publicUrl: string): string {
  return tenant.customDomain ? `https://${tenant.customDomain}` : `${publicUrl}/t/${tenant.slug}`;
}

export function discoveryUrlOf(issuer: string): string {
  return `${issuer}/.well-known/openid-configuration`;
}

const effective = new WeakMap<Tenant, TenantSettings>();

/** The tenant's settings with defaults applied (memoised per record). */
export function settingsOf(tenant: Tenant): TenantSettings {
  let s = effective.get(tenant);
  if (!s) {
    s = parseInput(tenantSettingsSchema, tenant.settings, 'settings');
    effective.set(tenant, s);
  }
  return s;
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** A fully qualified DNS name, lower-cased, or null to clear it. */
export function validateCustomDomain(domain: string | null | undefined): string | null {
  if (!domain) return null;
  const d = domain.toLowerCase();
  if (!DOMAIN.test(d)) throw new ValidationFailed('custom_domain', 'must be a fully qualified DNS name such as id.example.com');
  return d;
}
