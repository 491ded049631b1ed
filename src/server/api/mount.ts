import type { H3 } from 'h3';
import type { ServerDeps } from '../deps.ts';
import { MethodNotAllowed, RouteNotFound } from './errors.ts';
import { API_BASE } from './reply.ts';
import { endpoint, type ApiRoute } from './route.ts';
import { API_ROUTES } from './routes.ts';

/** `/tenants/{tenant}` → `/api/v1/tenants/:tenant` (h3/rou3 syntax). */
export function h3Path(template: string): string {
  return API_BASE + template.replace(/\{([^}]+)\}/g, ':$1');
}

/**
 * Registers every route of the API table. HEAD is served wherever GET is; any
 * other method on a known path is a 405 with Allow; any other path under
 * /api/v1 a 404, both as problem+json.
 */
export function mountApi(app: H3, deps: ServerDeps, routes: readonly ApiRoute[] = API_ROUTES): void {
  const allowed = new Map<string, string[]>();
  for (const route of routes) {
    const path = h3Path(route.path);
    const handler = endpoint(route, deps);
    app.on(route.method, path, handler);
    const methods = allowed.get(path) ?? [];
    if (route.method === 'GET') {
      app.on('HEAD', path, handler);
      methods.push('GET', 'HEAD');
    } else methods.push(route.method);
    allowed.set(path, methods);
  }
  for (const [path, methods] of allowed) {
    app.all(path, () => {
      throw new MethodNotAllowed(methods);
    });
  }
  const noRoute = () => {
    throw new RouteNotFound();
  };
  app.all(API_BASE, noRoute);
  app.all(`${API_BASE}/**`, noRoute);
}
