import { z } from 'zod';

/** OAuth grant types authflow implements. */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** Scopes defined by OpenID Connect Core §5.4 and §11; tenants add their own. */
export const STANDARD_SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'] as const;

const DAY = 86_400;
const seconds = (min: number, max: number) => z.number().int().min(min).max(max);
const scopeName = z.string().regex(/^[a-z][a-z0-9_.:-]{0,63}$/, 'must be 1–64 characters: lower-case letters, digits, _ . : -');
const claimName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'must be a claim name of 1–64 characters');

/**
 * Per-tenant settings. Stored as what the admin set; read through this schema
 * so defaults apply. Lifetimes are in seconds.
 */
export const tenantSettingsSchema = z.strictObject({
  access_token_ttl: seconds(60, DAY).default(600),
  id_token_ttl: seconds(60, DAY).default(3600),
  auth_code_ttl: seconds(10, 600).default(60),
  refresh_token_ttl: seconds(300, 365 * DAY).default(30 * DAY),
  refresh_token_idle_ttl: seconds(300, 365 * DAY).default(14 * DAY),
  session_idle_ttl: seconds(300, 90 * DAY).default(DAY),
  session_absolute_ttl: seconds(300, 365 * DAY).default(30 * DAY),
  grant_types: z.array(z.enum(GRANT_TYPES)).min(1).default([...GRANT_TYPES]),
  self_registration: z.boolean().default(false),
  password_policy: z.strictObject({ min_length: z.number().int().min(8).max(256).default(8) }).prefault({}),
  /** Custom scopes and the user claims each releases. */
  scopes: z
    .record(scopeName, z.strictObject({ description: z.string().max(200).optional(), claims: z.array(claimName).max(50).default([]) }))
    .default({})
    .refine((s) => !Object.keys(s).some((k) => (STANDARD_SCOPES as readonly string[]).includes(k)), 'must not redefine a standard OpenID Connect scope'),
  /** Seconds a rotated signing key is published in JWKS before it signs. */
  key_rotation_delay: seconds(0, 30 * DAY).default(3600),
});

export type TenantSettings = z.output<typeof tenantSettingsSchema>;

/** The scopes a tenant's clients may request: the standard ones plus the tenant's own. */
export function scopesOf(settings: TenantSettings): Set<string> {
  return new Set([...STANDARD_SCOPES, ...Object.keys(settings.scopes)]);
}

/** The longest lifetime of a token signed with a tenant key: retired keys stay published this long. */
export function maxSignedTokenTtl(settings: TenantSettings, clientOverrides: readonly (number | null)[] = []): number {
  return Math.max(settings.access_token_ttl, settings.id_token_ttl, ...clientOverrides.map((n) => n ?? 0));
}
