import { z } from 'zod';
import { EMAIL_TEMPLATES } from '../mail/mail.ts';
import { GRANT_TYPES } from '../oauth/grant-types/grant-type.ts';

/** Profile fields a tenant may require at registration. */
export const PROFILE_FIELDS = ['name', 'given_name', 'family_name', 'phone', 'locale'] as const;


/** Scopes defined by OpenID Connect Core §5.4 and §11; tenants add their own. */
export const STANDARD_SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'] as const;

const DAY = 86_400;
const seconds = (min: number, max: number) => z.number().int().min(min).max(max);
const scopeName = z.string().regex(/^[a-z][a-z0-9_.:-]{0,63}$/, 'must be 1–64 characters: lower-case letters, digits, _ . : -');
const count = (min: number, max: number) => z.number().int().min(min).max(max);
/** A budget: at most `max` events per `window` seconds. */
const budget = (max: number, window: number) => z.strictObject({ max: count(1, 1_000_000).default(max), window: seconds(1, DAY).default(window) }).prefault({});
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
  /** People may create their own accounts from the hosted login page. */
  self_registration: z.boolean().default(false),
  registration: z
    .strictObject({
      /** Only addresses at these domains may register (empty: any). */
      allowed_email_domains: z.array(z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'must be a lower-case domain name such as example.com')).max(100).default([]),
      /** Profile fields the registration form requires (the email and password always are). */
      required_fields: z.array(z.enum(PROFILE_FIELDS)).default([]),
    })
    .prefault({}),
  email_verification: z
    .strictObject({
      /** Users must verify their address before they can sign in. */
      required: z.boolean().default(false),
      /** Seconds a verification link and code stay valid. */
      token_ttl: seconds(300, 7 * DAY).default(DAY),
    })
    .prefault({}),
  password_policy: z
    .strictObject({
      min_length: z.number().int().min(8).max(256).default(8),
      /** Refuse the shipped list of the most common passwords (NIST SP 800-63B §5.1.1.2). */
      refuse_common: z.boolean().default(true),
    })
    .prefault({}),
  password_reset: z
    .strictObject({
      /** Seconds a reset link stays valid. */
      token_ttl: seconds(300, DAY).default(1800),
      /** A reset or a change of password signs the user out of every other session and revokes their refresh tokens. */
      revoke_sessions: z.boolean().default(true),
    })
    .prefault({}),
  magic_links: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** The link may be opened on another device than the one that asked for it (which then continues). */
      cross_device: z.boolean().default(false),
      token_ttl: seconds(60, 3600).default(900),
    })
    .prefault({}),
  /** The current terms of service and privacy policy; publishing a new version asks every user to accept it again. */
  terms: z
    .strictObject({
      version: z.string().trim().min(1).max(64),
      terms_url: z.url({ protocol: /^https?$/ }),
      privacy_url: z.url({ protocol: /^https?$/ }).optional(),
    })
    .nullable()
    .default(null),
  /** Per-template overrides of the emails (Mustache subset, like templates/email/). */
  emails: z.partialRecord(z.enum(EMAIL_TEMPLATES), z.strictObject({ subject: z.string().max(200).optional(), text: z.string().max(20_000).optional(), html: z.string().max(50_000).optional() })).default({}),
  /** Custom scopes and the user claims each releases. */
  scopes: z
    .record(scopeName, z.strictObject({ description: z.string().max(200).optional(), claims: z.array(claimName).max(50).default([]) }))
    .default({})
    .refine((s) => !Object.keys(s).some((k) => (STANDARD_SCOPES as readonly string[]).includes(k)), 'must not redefine a standard OpenID Connect scope'),
  /**
   * Wrong passwords (and, later, second factors) per account (docs/abuse.md):
   * `free_failures` per account and address, then waits doubling from
   * `first_wait` up to `max_wait` (the lock of that address); at most
   * `account_max_failures` in a row for the whole account (NIST SP 800-63B
   * §5.2.2: never more than 100); `forget_after` seconds without a failure
   * start a counter afresh; `notify_after` failures tell the user.
   */
  lockout: z
    .strictObject({
      free_failures: count(1, 100).default(5),
      first_wait: seconds(1, 3600).default(60),
      max_wait: seconds(1, DAY).default(900),
      account_max_failures: count(1, 100).default(100),
      forget_after: seconds(60, 30 * DAY).default(12 * 3600),
      notify_after: count(1, 100).default(10),
    })
    .prefault({})
    .refine((l) => l.max_wait >= l.first_wait, 'max_wait must be at least first_wait'),
  /** Budgets per client address and per network (/24 for IPv4, /64 for IPv6), in `window` seconds (docs/abuse.md). */
  throttle: z
    .strictObject({
      /** Failed sign-ins from one address, whatever the account (credential stuffing). */
      sign_in_failures_per_address: budget(30, 900),
      sign_in_failures_per_network: budget(100, 900),
      /** Posts of any sign-in form (login, account sign-in, forgot password, magic link, registration). */
      form_posts_per_address: budget(60, 60),
      form_posts_per_network: budget(300, 60),
      /** Failed client authentications at the token, introspection and revocation endpoints. */
      client_auth_failures_per_client: budget(20, 300),
      client_auth_failures_per_address: budget(20, 300),
    })
    .prefault({}),
  /** Requests per second the tenant's endpoints answer per server process (null: no quota), with bursts up to `burst` (default 2 × the rate). */
  rate_limits: z
    .strictObject({
      requests_per_second: count(1, 1_000_000).nullable().default(null),
      burst: count(1, 10_000_000).nullable().default(null),
    })
    .prefault({}),
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
