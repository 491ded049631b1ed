/** What a mailed single-use token proves when it comes back. */
export const USER_TOKEN_KINDS = ['verify_email', 'reset_password', 'magic_link', 'email_change'] as const;
export type UserTokenKind = (typeof USER_TOKEN_KINDS)[number];

/**
 * A single-use link (and optional short code) mailed to a user (mirrors the
 * `user_tokens` table). Only SHA-256 hashes are stored; the token itself
 * exists only in the message.
 */
export interface UserToken {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly kind: UserTokenKind;
  readonly tokenHash: string;
  /** SHA-256 of `${id}:${code}` when a short code may be typed instead of following the link. */
  readonly codeHash: string | null;
  /** Kind-specific: `{ email }` for an email change, `{ interactionId, browserHash }` for a magic link, … */
  readonly data: Readonly<Record<string, unknown>>;
  /** Wrong codes typed so far. */
  readonly attempts: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}
