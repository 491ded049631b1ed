export { createServer } from './app.ts';
export { listen, type Listening } from './listen.ts';
export { createClusterMetrics, createHttpMetrics, shareMetricsWithPrimary, type HttpMetrics } from './metrics.ts';
export type { ServerDeps, ReadyReport } from './deps.ts';
