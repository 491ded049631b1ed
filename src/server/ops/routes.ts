import type { PlainRoute } from '../route-table.ts';
import { favicon } from './handlers/favicon.ts';
import { healthz } from './handlers/healthz.ts';
import { metrics } from './handlers/metrics.ts';
import { readyz } from './handlers/readyz.ts';

/** The operations endpoints: liveness, readiness and Prometheus metrics. */
export const OPS_ROUTES: readonly PlainRoute[] = [
  { method: 'GET', path: '/healthz', handler: () => healthz },
  { method: 'GET', path: '/readyz', handler: readyz },
  { method: 'GET', path: '/metrics', handler: metrics },
  { method: 'GET', path: '/favicon.ico', handler: () => favicon },
];
