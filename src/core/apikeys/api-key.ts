/** A management API key. Its secret exists only in the string shown once at creation; we keep its SHA-256. */
export interface ApiKey {
  readonly id: string;
  /** null for an instance-admin key. */
  readonly tenantId: string | null;
  readonly name: string;
  /** The public lookup part of the key (`af_<env>_<keyId>_<secret>`). */
  readonly keyId: string;
  readonly secretHash: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly useCount: number;
  readonly revokedAt: number | null;
  readonly createdAt: number;
}
