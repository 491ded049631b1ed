/** A single sign-on session of one user in one tenant (mirrors the `sessions` table). */
export interface Session {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  /** SHA-256 of the cookie's secret: the cookie itself is never stored. */
  readonly secretHash: string;
  /** RFC 8176 authentication method references, e.g. ["pwd"]. */
  readonly amr: readonly string[];
  readonly acr: string | null;
  /** Milliseconds: when the user last actively authenticated (OIDC Core §2 auth_time). */
  readonly authTime: number;
  readonly userAgent: string | null;
  readonly ip: string | null;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly idleExpiresAt: number;
  /** Absolute end, whatever the activity. */
  readonly expiresAt: number;
  readonly endedAt: number | null;
}

/** Whether the session can still be used at `now`. */
export function isLive(s: Session, now: number): boolean {
  return s.endedAt === null && now < s.idleExpiresAt && now < s.expiresAt;
}
