import type { Logger } from 'pino';
import type { Admin } from '../core/admin/index.ts';
import type { UsageRecorder } from '../core/apikeys/usage.ts';
import type { Clock } from '../core/clock.ts';
import type { Directory } from '../core/directory.ts';
import type { HttpMetrics } from './metrics.ts';

export interface ReadyReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail?: string }>>;
}

/** What the HTTP layer needs from the composition root. */
export interface ServerDeps {
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  /** Database reachable, migrations current, …; run on every /readyz. */
  readonly readiness: () => Promise<ReadyReport>;
  /** Set while the server drains on shutdown: /readyz then answers 503 so balancers move away. */
  readonly lifecycle: { draining: boolean };
  readonly trustProxy: boolean;
  readonly clock: Clock;
  /** Management use-cases (the management API calls these). */
  readonly admin: Admin;
  /** Cached tenants, clients, signing keys and API keys, emptied on any change. */
  readonly directory: Directory;
  /** Batched API-key usage counting. */
  readonly usage: UsageRecorder;
  readonly publicUrl: string;
}
