import type { Logger } from 'pino';
import type { Config } from '../config/index.ts';
import type { Clock } from '../core/clock.ts';
import type { MailDeps } from '../core/mail/mail.ts';
import { startMailSender, type MailTransport, type SenderOptions } from '../core/mail/sender.ts';
import type { OutboxStore } from '../core/ports.ts';
import { createEmailComposer } from '../server/emails.ts';
import { createSmtpTransport } from './smtp.ts';

/** What the core needs to queue mail. `wake` nudges the background sender (see serve). */
export function createMailDeps(clock: Clock): MailDeps & { setWake(fn: () => void): void } {
  let wake = () => {};
  return {
    composer: createEmailComposer(),
    clock,
    wake: () => wake(),
    setWake(fn) {
      wake = fn;
    },
  };
}

export const NO_SMTP_MESSAGE = 'no SMTP configured: mail stays in the outbox; read it with `authflow mail list`';

/** The running delivery of an install; `stop` lets messages in flight finish. */
export interface MailDelivery {
  readonly running: boolean;
  stop(): Promise<void>;
}

/** Sender tuning, for tests (short backoff) and the doctor. */
export type DeliveryTuning = Partial<Pick<SenderOptions, 'concurrency' | 'pollMs' | 'backoffMs' | 'leaseMs'>> & { readonly transport?: MailTransport };

/**
 * Starts the background sender when SMTP is configured and hooks it to
 * `mail.wake`; otherwise says once that mail stays in the outbox (which is
 * then the delivery: air-gapped operators read it with `authflow mail`).
 */
export function startMailDelivery(
  af: { readonly config: Pick<Config, 'smtp'>; readonly repo: { readonly outbox: OutboxStore }; readonly clock: Clock; readonly logger: Logger; readonly mail: ReturnType<typeof createMailDeps> },
  tuning: DeliveryTuning = {},
): MailDelivery {
  const smtp = af.config.smtp;
  if (!smtp && !tuning.transport) {
    af.logger.info(NO_SMTP_MESSAGE);
    return { running: false, stop: async () => {} };
  }
  const concurrency = tuning.concurrency ?? 4;
  const transport = tuning.transport ?? createSmtpTransport(smtp!, { maxConnections: concurrency });
  const timeouts = smtp ? smtp.connectTimeoutMs + smtp.sendTimeoutMs : 60_000;
  const sender = startMailSender({
    outbox: af.repo.outbox,
    transport,
    clock: af.clock,
    log: af.logger,
    concurrency,
    leaseMs: tuning.leaseMs ?? Math.max(5 * 60_000, 2 * timeouts),
    ...(tuning.pollMs !== undefined ? { pollMs: tuning.pollMs } : {}),
    ...(tuning.backoffMs ? { backoffMs: tuning.backoffMs } : {}),
  });
  af.mail.setWake(sender.wake);
  if (smtp) af.logger.info({ smtp_host: smtp.host, smtp_port: smtp.port, security: smtp.security }, 'mail sender started');
  return {
    running: true,
    async stop() {
      af.mail.setWake(() => {});
      await sender.stop();
    },
  };
}
