import type { TenantSettings } from '../tenants/settings.ts';
import type { User } from '../users/user.ts';

/**
 * The user fields claims are made from: a narrow view of a user record, so
 * the ID token and UserInfo share one mapping (`updatedAt` in milliseconds).
 */
export type ClaimsUser = Pick<User, 'id' | 'email' | 'emailVerified' | 'phone' | 'phoneVerified' | 'name' | 'givenName' | 'familyName' | 'locale' | 'picture' | 'attributes' | 'updatedAt'>;

/** OIDC Core §5.5 `claims` request for one target: claim name → null (voluntary) or `{ essential, value, values }`. */
export type RequestedClaims = Readonly<Record<string, unknown>>;

/** OIDC Core §5.1 profile claims that live in a user's attributes rather than in a column. */
const PROFILE_ATTRIBUTES = ['middle_name', 'nickname', 'preferred_username', 'profile', 'website', 'gender', 'birthdate', 'zoneinfo'] as const;

/** Claims never taken from a user's attributes: they are set by the protocol, not the profile. */
const PROTOCOL_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'sid', 'at_hash', 'c_hash', 'scope', 'client_id', 'cnf']);

/** Every claim a user record can supply, by name (OIDC Core §5.1 standard claims plus the tenant's custom-scope claims). */
function available(user: ClaimsUser, settings: TenantSettings): Map<string, () => unknown> {
  const m = new Map<string, () => unknown>([
    ['name', () => user.name],
    ['given_name', () => user.givenName],
    ['family_name', () => user.familyName],
    ['locale', () => user.locale],
    ['picture', () => user.picture],
    ['updated_at', () => Math.floor(user.updatedAt / 1000)],
    ['email', () => user.email],
    ['email_verified', () => user.emailVerified],
    ['phone_number', () => user.phone],
    ['phone_number_verified', () => (user.phone ? user.phoneVerified : null)],
    ['address', () => user.attributes.address],
  ]);
  for (const a of PROFILE_ATTRIBUTES) m.set(a, () => user.attributes[a]);
  for (const scope of Object.values(settings.scopes)) for (const c of scope.claims) if (!m.has(c) && !PROTOCOL_CLAIMS.has(c)) m.set(c, () => user.attributes[c]);
  return m;
}

/** OIDC Core §5.4: the claims each standard scope requests; custom scopes list theirs in the tenant's settings. */
function claimsOfScope(scope: string, settings: TenantSettings): readonly string[] {
  switch (scope) {
    case 'profile':
      return ['name', 'family_name', 'given_name', ...PROFILE_ATTRIBUTES, 'picture', 'locale', 'updated_at'];
    case 'email':
      return ['email', 'email_verified'];
    case 'address':
      return ['address'];
    case 'phone':
      return ['phone_number', 'phone_number_verified'];
    default:
      return settings.scopes[scope]?.claims ?? [];
  }
}

/**
 * The user claims released for `scopes` (OIDC Core §5.4) and for the claims
 * individually requested through the `claims` parameter (§5.5, essential or
 * voluntary), always with `sub` (§5.3.2). Claims the user has no value for are
 * left out (§5.3.2: "the Claim SHOULD NOT be present"), never sent as null.
 * One function for the ID token and UserInfo so the two never disagree.
 */
export function userClaims(user: ClaimsUser, scopes: readonly string[], settings: TenantSettings, requested?: RequestedClaims | null): Record<string, unknown> {
  const sources = available(user, settings);
  const names = new Set<string>();
  for (const s of scopes) for (const c of claimsOfScope(s, settings)) names.add(c);
  if (requested) for (const c of Object.keys(requested)) names.add(c);
  const out: Record<string, unknown> = { sub: user.id };
  for (const c of names) {
    const v = sources.get(c)?.();
    if (v !== undefined && v !== null && v !== '') out[c] = v;
  }
  return out;
}

/** The `claims` request member for one target (`id_token` or `userinfo`), if it is well formed. */
export function requestedClaimsFor(claims: Readonly<Record<string, unknown>> | null | undefined, target: 'id_token' | 'userinfo'): RequestedClaims | null {
  const member = claims?.[target];
  return member && typeof member === 'object' && !Array.isArray(member) ? (member as RequestedClaims) : null;
}

/** OIDC Discovery §3 `claims_supported`: every user claim this tenant can release (standard, and its custom scopes'). */
export function supportedUserClaims(settings: TenantSettings): string[] {
  const names = new Set<string>(['sub']);
  for (const s of ['profile', 'email', 'address', 'phone', ...Object.keys(settings.scopes)]) for (const c of claimsOfScope(s, settings)) if (!PROTOCOL_CLAIMS.has(c)) names.add(c);
  return [...names];
}
