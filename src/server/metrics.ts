import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
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
  /** Adds the license and monthly-active-user gauges (`serve` has them once the license monitor runs). */
  useUsageGauges(usage: UsageGauges): void;
}

/** Figures read when /metrics is scraped (kept in memory by their owners; reading them does no I/O). */
export interface UsageGauges {
  /** Monthly active users this UTC month, by tenant slug. */
  mau(): ReadonlyArray<{ readonly tenant: string; readonly value: number }>;
  /** The licensed limits in force and the share of each used (0.8 and 1 are the warning thresholds). */
  limits(): ReadonlyArray<{ readonly limit: string; readonly max: number; readonly share: number }>;
}

export function createHttpMetrics(usage?: UsageGauges): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'authflow_' });
  if (usage) registerUsageGauges(registry, usage);
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
    useUsageGauges: (u) => registerUsageGauges(registry, u),
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

/** The license and monthly-active-user gauges, read from `usage` at each scrape. */
function registerUsageGauges(registry: Registry, usage: UsageGauges): void {
  new Gauge({
    name: 'authflow_mau',
    help: 'Monthly active users this UTC month, by tenant.',
    labelNames: ['tenant'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const m of usage.mau()) this.set({ tenant: m.tenant }, m.value);
    },
  });
  new Gauge({
    name: 'authflow_license_limit',
    help: 'A licensed limit in force (instance-wide), by limit.',
    labelNames: ['limit'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const l of usage.limits()) this.set({ limit: l.limit }, l.max);
    },
  });
  new Gauge({
    name: 'authflow_license_limit_used_ratio',
    help: 'Share of a licensed limit in use (warnings at 0.8 and 1), by limit.',
    labelNames: ['limit'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const l of usage.limits()) this.set({ limit: l.limit }, l.share);
    },
  });
}
