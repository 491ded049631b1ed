export { createServer } from './app.ts';
export { listen, type Listening } from './listen.ts';
export { createHttpMetrics, type HttpMetrics, type UsageGauges } from './metrics.ts';
export type { ServerDeps, ReadyReport } from './deps.ts';
