/** A user's acceptance of one version of the tenant's terms (mirrors `terms_acceptances`). */
export interface TermsAcceptance {
  readonly tenantId: string;
  readonly userId: string;
  readonly version: string;
  readonly acceptedAt: number;
}

/** A browser a user signed in from (mirrors `user_devices`); the device cookie's secret is stored as SHA-256. */
export interface UserDevice {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly deviceHash: string;
  readonly userAgent: string | null;
  readonly ip: string | null;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
}
