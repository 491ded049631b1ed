import type { Clock } from '../clock.ts';
import type { OutboxStore } from '../ports.ts';
import type { OutboxItem } from './outbox-item.ts';

/** One message as handed to the transport (the outbox id doubles as a Message-ID seed). */
export interface OutgoingEmail {
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Delivers one message (SMTP in src/app/smtp.ts). Throw `DeliveryFailed` to say whether a retry can help. */
export interface MailTransport {
  send(message: OutgoingEmail): Promise<void>;
  close(): void;
}

/**
 * A delivery that did not happen. `permanent` (an SMTP 5xx: bad recipient,
 * rejected content) is given up at once; anything else (4xx, network) is retried.
 * The message must not contain the recipient or the body: it is stored and logged.
 */
export class DeliveryFailed extends Error {
  override name = 'DeliveryFailed';
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean) {
    super(message);
    this.permanent = permanent;
  }
}

/** Structured logging, as pino: fields first. Never given recipients or bodies. */
export interface SenderLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Waits after the 1st, 2nd, … failed attempt; after the last one the item is `failed`. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000];

export interface SenderOptions {
  readonly outbox: OutboxStore;
  readonly transport: MailTransport;
  readonly clock: Clock;
  readonly log: SenderLog;
  /** Messages in flight at most (default 4). */
  readonly concurrency?: number;
  /** How long a claim holds an item against other senders; must exceed a send's timeout (default 5 min). */
  readonly leaseMs?: number;
  /** Longest sleep between passes when nothing wakes the sender (default 5 s). */
  readonly pollMs?: number;
  readonly backoffMs?: readonly number[];
}

export interface MailSender {
  /** Runs a pass now (after a commit that queued mail); cheap, never blocks the caller. */
  wake(): void;
  /** Lets messages in flight finish, then stops the loop and closes the transport. */
  stop(): Promise<void>;
}

/** When a failed attempt is retried, or null when it was the last one. */
export function nextAttemptAt(attemptsBefore: number, now: number, backoffMs: readonly number[] = DEFAULT_BACKOFF_MS): number | null {
  const wait = backoffMs[attemptsBefore];
  return wait === undefined ? null : now + wait;
}

/**
 * Starts the background sender: claims due outbox items (a lease keeps other
 * servers off them), delivers them through `transport` at most `concurrency`
 * at a time, and marks each sent or failed with exponential backoff. Between
 * passes it sleeps until the next item is due, `pollMs` at most, or `wake()`.
 */
export function startMailSender(options: SenderOptions): MailSender {
  const { outbox, transport, clock, log } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 5_000;
  const backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;

  let stopped = false;
  let woken = false;
  let interrupt: (() => void) | undefined;

  const deliver = async (item: OutboxItem): Promise<void> => {
    const payload = item.payload as { text?: unknown; html?: unknown };
    try {
      await transport.send({ id: item.id, to: item.recipient, subject: item.subject, text: String(payload.text ?? ''), html: String(payload.html ?? '') });
      await outbox.markSent(item.id, clock.now());
      log.info({ outbox_id: item.id, tenant_id: item.tenantId, status: 'sent', attempts: item.attempts + 1 }, 'mail delivered');
    } catch (e) {
      const permanent = e instanceof DeliveryFailed && e.permanent;
      const reason = e instanceof DeliveryFailed ? e.message : 'delivery error';
      const next = permanent ? null : nextAttemptAt(item.attempts, clock.now(), backoff);
      await outbox.markFailed(item.id, reason, next);
      const fields = { outbox_id: item.id, tenant_id: item.tenantId, status: next === null ? 'failed' : 'pending', attempts: item.attempts + 1, error: reason, ...(next === null ? {} : { retry_at: new Date(next).toISOString() }) };
      if (next === null) log.error(fields, 'mail delivery failed for good');
      else log.warn(fields, 'mail delivery failed; will retry');
    }
  };

  const pass = async (): Promise<void> => {
    while (!stopped) {
      const batch = await outbox.claim(clock.now(), concurrency, leaseMs);
      if (!batch.length) return;
      await Promise.all(batch.map((item) => deliver(item).catch((e: unknown) => log.error({ outbox_id: item.id, err: { message: (e as Error).message } }, 'mail sender: could not record the outcome'))));
      if (batch.length < concurrency) return;
    }
  };

  const sleepFor = async (): Promise<number> => {
    const due = await outbox.nextDue();
    const now = clock.now();
    // Due already but nothing claimable: another sender holds it; look again at the next poll.
    return due === undefined || due <= now ? pollMs : Math.min(pollMs, due - now);
  };

  const loop = (async () => {
    while (!stopped) {
      woken = false;
      let delay = pollMs;
      try {
        await pass();
        delay = await sleepFor();
      } catch (e) {
        log.error({ err: { message: (e as Error).message } }, 'mail sender pass failed');
      }
      if (stopped || woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        interrupt = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      interrupt = undefined;
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    wake() {
      woken = true;
      interrupt?.();
    },
    stop() {
      stopping ??= (async () => {
        stopped = true;
        interrupt?.();
        await loop;
        transport.close();
      })();
      return stopping;
    },
  };
}
