import type { SecurityEventKind } from './security-event.ts';

/** What a throttle stopped, for the /metrics counter of throttled requests. */
export type ThrottleKind = 'sign_in_lockout' | 'sign_in_address' | 'sign_in_form' | 'client_auth' | 'api_key' | 'tenant_quota';

/**
 * Counters the server exports in /metrics (a port: the core never sees
 * prom-client). The CLI, which serves no metrics, passes NO_SIGNALS.
 */
export interface SecuritySignals {
  event(kind: SecurityEventKind): void;
  throttled(kind: ThrottleKind): void;
}

export const NO_SIGNALS: SecuritySignals = Object.freeze({ event: () => {}, throttled: () => {} });
