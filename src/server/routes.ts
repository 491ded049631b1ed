import type { H3 } from 'h3';
import { registerApi } from './api/register.ts';
import type { ServerDeps } from './deps.ts';
import { healthz } from './handlers/healthz.ts';
import { metrics } from './handlers/metrics.ts';
import { login } from './handlers/login.ts';
import { readyz } from './handlers/readyz.ts';
import { registerOAuth } from './oauth/routes.ts';

/** The one route table. */
export function registerRoutes(app: H3, deps: ServerDeps): void {
  app.get('/healthz', healthz);
  app.get('/readyz', readyz(deps));
  app.get('/metrics', metrics(deps));
  // Hosted sign-in pages of one authorization request (the sign-in steps).
  app.get('/t/:tenant/login/:interaction', login(deps));
  app.post('/t/:tenant/login/:interaction', login(deps));
  // Per-tenant OAuth/OIDC endpoints and metadata: their own table, src/server/oauth/routes.ts.
  registerOAuth(app, deps);
  // The management API: its own table, src/server/api/routes.ts.
  registerApi(app, deps);
}
