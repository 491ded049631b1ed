import type { H3, H3Event, HTTPMethod } from 'h3';
import { createClientAuthenticator } from '../../core/oauth/client-auth/index.ts';
import { InvalidClient } from '../../core/oauth/errors.ts';
import { requestLog } from '../context.ts';
import { createTokenEndpoint } from '../../core/oauth/token-endpoint.ts';
import type { ServerDeps } from '../deps.ts';
import { errorResponse } from '../respond.ts';
import type { OAuthContext } from './context.ts';
import { discovery } from './handlers/discovery.ts';
import { preflight, withCorsHeaders } from './internal/cors.ts';
import { OAUTH_ROUTES, RFC8414_METADATA_PATH, TENANT_BASE, type OAuthRoute } from './routes.ts';

/** Registers the table: each route with HEAD (for GET), a CORS preflight, and 405 for other methods. */
export function mountOAuth(app: H3, deps: ServerDeps, routes: readonly OAuthRoute[] = OAUTH_ROUTES): void {
  const ctx: OAuthContext = {
    deps,
    clientAuth: createClientAuthenticator(deps),
    exchange: createTokenEndpoint(deps.grants, deps.clock),
    capabilities: routes.flatMap((r) => (r.capability ? [r.capability] : [])),
  };
  const mount = (path: string, route: OAuthRoute) => {
    const inner = route.handler(ctx);
    const handler = async (event: H3Event): Promise<Response> => {
      let res: Response;
      try {
        res = await inner(event);
      } catch (e) {
        // Mapped here (by the one mapper) rather than by h3's error hook, so the answer carries the route's CORS headers.
        // Why a client could not authenticate is what its developer needs; the wire already says it, minus the client.
        if (e instanceof InvalidClient) requestLog(event).info({ client_id: e.clientId, error_description: e.message }, 'client authentication failed');
        res = errorResponse(e, event);
      }
      return withCorsHeaders(event, deps, route.cors, res);
    };
    const methods: HTTPMethod[] = route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
    for (const m of methods) app.on(m, path, handler);
    // A path may have a GET and a POST route: the preflight and Allow (RFC 9110 §15.5.6) name every method of the path.
    const pathMethods = [...new Set([...routes.filter((r) => `${TENANT_BASE}${r.path}` === path).flatMap((r): HTTPMethod[] => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])), ...methods])];
    app.options(path, (event) => preflight(event, deps, route.cors, pathMethods));
    const allow = [...pathMethods, 'OPTIONS'].join(', ');
    app.all(path, () => new Response(null, { status: 405, headers: { allow } }));
  };
  for (const route of routes) mount(`${TENANT_BASE}${route.path}`, route);
  const metadata = routes.find((r) => r.handler === discovery);
  if (metadata) mount(RFC8414_METADATA_PATH, metadata);
}
