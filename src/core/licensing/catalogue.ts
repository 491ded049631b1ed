/**
 * The one catalogue of what a license can grant, and what an instance without
 * a license gets. docs/licensing.md lists the same table; keep them together.
 */

/** Features a license (or plan) can turn on. Anything not listed here is always available. */
export const ENTITLEMENTS = ['custom_domains', 'audit.export', 'branding', 'mfa.sms', 'authz.policies', 'usage.reports'] as const;
export type Entitlement = (typeof ENTITLEMENTS)[number];

/** Quantities a license can cap. `mau`: distinct users per UTC month (instance-wide, or the tenant's for a tenant license). */
export const LIMITS = ['mau', 'tenants', 'clients'] as const;
export type LimitName = (typeof LIMITS)[number];
export type Limits = Partial<Record<LimitName, number>>;

/**
 * Without a license: everything an evaluation needs — OpenID Connect, passwords,
 * passkeys, TOTP, magic links, RBAC, webhooks, any number of tenants and
 * clients — with a soft ceiling of 1,000 monthly active users.
 */
export const COMMUNITY = Object.freeze({
  plan: 'community',
  entitlements: Object.freeze([] as Entitlement[]),
  limits: Object.freeze({ mau: 1000 } as Limits),
});

/** Default days a license keeps working after it expires, and after a limit is first exceeded. */
export const DEFAULT_GRACE_DAYS = 14;

/** Shares of a limit at which the operator is warned. */
export const THRESHOLDS = [0.8, 1] as const;

export function isEntitlement(name: string): name is Entitlement {
  return (ENTITLEMENTS as readonly string[]).includes(name);
}

export function isLimitName(name: string): name is LimitName {
  return (LIMITS as readonly string[]).includes(name);
}
