import type { ClaimsUser } from '../claims.ts';

/**
 * A refresh token as stored (RFC 6749 §6, RFC 9700 §4.14.2): only the SHA-256
 * of the opaque `af_rt_…` value. Every use rotates it: the used row keeps
 * `usedAt`, its successor has `parentId` = its id and the same `familyId` and
 * absolute `expiresAt`. Presenting a used row again revokes the family.
 */
export interface RefreshToken {
  readonly id: string;
  readonly tokenHash: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly userId: string;
  readonly grantId: string;
  readonly familyId: string;
  readonly parentId: string | null;
  readonly sessionId: string | null;
  /** Space-separated. */
  readonly scope: string;
  /** Milliseconds: the original authentication, unchanged across rotations (OIDC Core §12.2). */
  readonly authTime: number;
  readonly acr: string | null;
  readonly amr: readonly string[];
  readonly createdAt: number;
  /** Absolute end of the family (milliseconds). */
  readonly expiresAt: number;
  /** End if unused until then (milliseconds); never after `expiresAt`. */
  readonly idleExpiresAt: number;
  readonly usedAt: number | null;
  readonly revokedAt: number | null;
}

/** One indexed read on the hot path: the token with its user and the state of its grant (consent). */
export interface RefreshTokenLookup {
  readonly token: RefreshToken;
  /** Undefined when the user no longer exists. */
  readonly user: (ClaimsUser & { readonly disabled: boolean }) | undefined;
  /** False when the grant was revoked or no longer exists. */
  readonly grantActive: boolean;
}
