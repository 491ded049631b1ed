/** Outbox item states: waiting (or retrying), delivered, given up after the last attempt. */
export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** Durable background work (mirrors the `outbox` table); today only email. */
export interface OutboxItem {
  readonly id: string;
  readonly tenantId: string | null;
  readonly userId: string | null;
  readonly kind: 'email';
  readonly recipient: string;
  readonly subject: string;
  /** email: `{ text, html }`, rendered when queued so what is listed is exactly what is sent. */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly claimedUntil: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly sentAt: number | null;
}
