import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The server's Prometheus registry: process metrics plus HTTP requests by route and status. */
export interface HttpMetrics {
  readonly registry: Registry;
  observe(method: string, route: string, status: number, seconds: number): void;
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
  if (usage) {
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
  return {
    registry,
    observe(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    },
  };
}
