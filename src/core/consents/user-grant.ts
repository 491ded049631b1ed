/**
 * What a user consented to for one client (mirrors the `grants` table; one row
 * per user × client). Authorization codes and refresh-token families carry its
 * id, so revoking the grant revokes them.
 */
export interface UserGrant {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly revokedAt: number | null;
}

/** Whether `grant` (live) already covers every scope in `scopes`. */
export function covers(grant: UserGrant | undefined, scopes: readonly string[]): boolean {
  if (!grant || grant.revokedAt !== null) return false;
  const granted = new Set(grant.scopes);
  return scopes.every((s) => granted.has(s));
}
