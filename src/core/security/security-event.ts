/**
 * What a user or an admin should know about (mirrors `security_events`).
 * Each kind is also appended to the tenant's audit chain and counted in
 * /metrics; those that concern a user are mailed to them (docs/security-events.md).
 */
export const SECURITY_EVENT_KINDS = [
  /** Sign-ins with a password were stopped for an account from an address (or for the whole account). */
  'lockout',
  /** Many wrong passwords for one account, from any number of addresses. */
  'failed_sign_ins',
  /** A sign-in from a browser the user never used before, after sign-ins from others. */
  'new_device',
  /** A rotated refresh token came back: its whole family was revoked (RFC 9700 §4.14.2). */
  'refresh_reuse',
  /** The password was changed (account page), reset (mailed link) or set by an admin. */
  'password_changed',
  /** The sign-in address of the account changed (the old address is told). */
  'email_changed',
  /** A second factor was added to or removed from the account. */
  'factor_added',
  'factor_removed',
  /** A management API key was used from an address it had never been used from. */
  'api_key_new_address',
] as const;
export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

export function isSecurityEventKind(s: string): s is SecurityEventKind {
  return (SECURITY_EVENT_KINDS as readonly string[]).includes(s);
}

export interface SecurityEvent {
  readonly id: string;
  readonly tenantId: string;
  /** The user it concerns; null for an API key's event. */
  readonly userId: string | null;
  readonly kind: SecurityEventKind;
  readonly at: number;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** Kind-specific facts (never secrets or email addresses). */
  readonly data: Readonly<Record<string, unknown>>;
}
