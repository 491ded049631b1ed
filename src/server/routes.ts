import type { H3 } from 'h3';
import { registerApi } from './api/register.ts';
import type { ServerDeps } from './deps.ts';
import { healthz } from './handlers/healthz.ts';
import { metrics } from './handlers/metrics.ts';
import { readyz } from './handlers/readyz.ts';

/** The one route table. */
export function registerRoutes(app: H3, deps: ServerDeps): void {
  app.get('/healthz', healthz);
  app.get('/readyz', readyz(deps));
  app.get('/metrics', metrics(deps));
  // The management API: its own table, src/server/api/routes.ts.
  registerApi(app, deps);
}
