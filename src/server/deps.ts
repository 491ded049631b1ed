import type { Logger } from 'pino';
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
}
