export { createServer } from './app.ts';
export { listen, type Listening } from './listen.ts';
export { trustedProxies, type TrustedProxies } from './client-ip.ts';
export { createClusterMetrics, createHttpMetrics, shareMetricsWithPrimary, type HttpMetrics, type UsageGauges } from './metrics.ts';
export { listenMetrics, type MetricsListening } from './ops/metrics-listener.ts';
export type { ServerDeps, ReadyReport } from './deps.ts';
