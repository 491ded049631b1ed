/** An end user of one tenant (mirrors the `users` table). */
export interface User {
  readonly id: string;
  readonly tenantId: string;
  /** Trimmed and case-folded (see `normalizeEmail`); unique per tenant. */
  readonly email: string;
  readonly emailVerified: boolean;
  readonly phone: string | null;
  readonly phoneVerified: boolean;
  readonly name: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly locale: string | null;
  readonly picture: string | null;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly externalId: string | null;
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastLoginAt: number | null;
}

/** A way for a user to prove who they are (mirrors the `credentials` table). */
export interface Credential {
  readonly id: string;
  readonly userId: string;
  readonly tenantId: string;
  /** `password` (argon2id encoding in `secret`), later `totp`, `webauthn`, `recovery_code`, … */
  readonly kind: string;
  /** A hash or a master-key ciphertext; never clear text. */
  readonly secret: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
}

/**
 * The one form an email address is stored and looked up in: trimmed and
 * case-folded. (The local part is case-sensitive in theory, RFC 5321 §2.4; in
 * practice no provider treats it so, and two accounts differing only in case
 * are a takeover risk.)
 */
export function normalizeEmail(email: string): string {
  return email.normalize('NFC').trim().toLowerCase();
}

const EMAIL = /^[^\s@"<>()[\]\\,;:]{1,64}@[^\s@"<>()[\]\\,;:]{1,253}$/;

/** Whether a normalized address looks like one (a later issue verifies it by mail). */
export function isEmail(email: string): boolean {
  if (email.length > 254 || !EMAIL.test(email)) return false;
  const domain = email.slice(email.indexOf('@') + 1);
  return domain === 'localhost' || (domain.includes('.') && !domain.startsWith('.') && !domain.endsWith('.'));
}
