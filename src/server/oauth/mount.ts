import type { H3, H3Event, HTTPMethod } from 'h3';
import { createClientAuthenticator } from '../../core/oauth/client-auth/index.ts';
import { RateLimited } from '../../core/errors.ts';
import { isOAuthError, TemporarilyUnavailable } from '../../core/oauth/errors.ts';
import { createTokenEndpoint } from '../../core/oauth/token-endpoint.ts';
import type { ServerDeps } from '../deps.ts';
import { oauthError } from '../respond.ts';
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
        // OAuth errors are mapped here (by the one mapper) so that a browser client can read them too.
        // A spent tenant quota answers as RFC 6749 does: temporarily_unavailable, 429 + Retry-After.
        if (e instanceof RateLimited) res = oauthError(new TemporarilyUnavailable(e.retryAfter));
        else if (!isOAuthError(e)) throw e;
        else res = oauthError(e);
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
