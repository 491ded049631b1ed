import type { H3 } from 'h3';
import { mountApi } from './api/mount.ts';
import { API_ROUTES } from './api/routes.ts';
import type { ServerDeps } from './deps.ts';
import { mountOAuth } from './oauth/mount.ts';
import { OAUTH_ROUTES } from './oauth/routes.ts';
import { OPS_ROUTES } from './ops/routes.ts';
import { PAGE_ROUTES } from './pages/routes.ts';
import { mountPlainRoutes } from './route-table.ts';

/**
 * Every URL the server answers, one declarative table per surface; each
 * surface answers errors in its own shape (src/server/surface.ts):
 * - ops/routes.ts — `/healthz`, `/readyz`, `/metrics`;
 * - pages/routes.ts — the hosted pages under `/t/:tenant`: sign-in steps,
 *   registration, recovery, the account page;
 * - oauth/routes.ts — every protocol endpoint under `/t/:tenant` (discovery,
 *   JWKS, `/authorize`, `/token`, userinfo, introspection, revocation,
 *   `/logout`) and the RFC 8414 metadata URL;
 * - api/routes.ts — the management API under `/api/v1`.
 */
export function registerRoutes(app: H3, deps: ServerDeps): void {
  mountPlainRoutes(app, deps, OPS_ROUTES);
  mountPlainRoutes(app, deps, PAGE_ROUTES);
  mountOAuth(app, deps, OAUTH_ROUTES);
  mountApi(app, deps, API_ROUTES);
}
