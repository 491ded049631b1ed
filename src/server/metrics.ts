import { AggregatorRegistry, collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { SecuritySignals } from '../core/security/signals.ts';

/** The server's Prometheus registry: process metrics, HTTP requests by route and status, security events and throttled requests by kind. */
export interface HttpMetrics {
  readonly registry: Registry;
  observe(method: string, route: string, status: number, seconds: number): void;
  /** What the core counts through its SecuritySignals port. */
  readonly security: SecuritySignals;
  /** The text /metrics answers: this process's registry, unless `expose` gave another source (a cluster's). */
  exposition(): Promise<string>;
  expose(source: () => Promise<string>): void;
}

export function createHttpMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'authflow_' });
  const requests = new Counter({
    name: 'authflow_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'authflow_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const events = new Counter({ name: 'authflow_security_events_total', help: 'Security events recorded, by kind (docs/security-events.md).', labelNames: ['kind'] as const, registers: [registry] });
  const throttled = new Counter({ name: 'authflow_throttled_requests_total', help: 'Requests refused by a lockout, throttle or quota, by kind (docs/abuse.md).', labelNames: ['kind'] as const, registers: [registry] });
  let source = () => registry.metrics();
  return {
    registry,
    security: { event: (kind) => events.inc({ kind }), throttled: (kind) => throttled.inc({ kind }) },
    observe(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    },
    exposition: () => source(),
    expose(s) {
      source = s;
    },
  };
}

/**
 * In a cluster worker: lets the primary read this registry (prom-client's
 * cluster messages), so that its aggregate covers every worker.
 */
export function shareMetricsWithPrimary(metrics: HttpMetrics): void {
  AggregatorRegistry.setRegistries([metrics.registry]);
  // Constructing one installs prom-client's worker-side message listener.
  void new AggregatorRegistry();
}

/** In the cluster primary: the metrics of all workers, summed (counters, histograms) as prom-client aggregates them. */
export function createClusterMetrics(): { collect(): Promise<string> } {
  const aggregator = new AggregatorRegistry();
  return { collect: () => aggregator.clusterMetrics() };
}
