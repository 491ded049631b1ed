import type { PasswordHasher } from '../../crypto/index.ts';
import type { Client } from '../clients/client.ts';
import type { Clock } from '../clock.ts';
import type { TenantSigner } from '../oauth/tokens/signer.ts';
import type { MailDeps } from '../mail/mail.ts';
import type { Repository } from '../ports.ts';
import type { SecuritySignals } from '../security/signals.ts';
import type { ActivityMeter } from '../usage/activity.ts';
import type { Analytics } from '../usage/analytics.ts';

/** What the browser flows (authorize, sign-in steps, logout) need. */
export interface FlowDeps {
  readonly repo: Repository;
  readonly clock: Clock;
  readonly passwords: PasswordHasher;
  readonly signer: TenantSigner;
  /** Cached client lookup (the directory); the caller checks the tenant. */
  readonly client: (clientId: string) => Promise<Client | undefined>;
  /** Queues mail (verification, reset, magic links) in the outbox. */
  readonly mail: MailDeps;
  /** /metrics counters of security events and throttled requests. */
  readonly signals?: SecuritySignals | undefined;
  /** Counts monthly active users at sign-in completion and refuses new ones over the licensed limit. */
  readonly activity?: ActivityMeter;
  /** Daily sign-in analytics, counted in memory and written in batches. */
  readonly analytics?: Analytics;
}
