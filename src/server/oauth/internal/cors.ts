import { getRouterParam, type H3Event } from 'h3';
import type { ServerDeps } from '../../deps.ts';

/**
 * Who may call an OAuth route from a browser (Fetch standard CORS):
 * - `any`: public documents (metadata, JWKS) — `*`, no credentials;
 * - `clients`: the token, introspection and revocation endpoints — only an
 *   origin some client of the tenant registered in `cors_origins`;
 * - `none`: browser pages (authorize, logout) — never readable cross-origin.
 */
export type CorsPolicy = 'any' | 'clients' | 'none';

const ALLOW_HEADERS = 'authorization, content-type, dpop';
const PREFLIGHT_MAX_AGE = '600';

/** The Access-Control-Allow-Origin value for this request, or undefined (no CORS headers: the browser refuses). */
async function allowedOrigin(event: H3Event, deps: Pick<ServerDeps, 'directory' | 'corsOrigins'>, policy: CorsPolicy): Promise<string | undefined> {
  const origin = event.req.headers.get('origin');
  if (origin === null || policy === 'none') return undefined;
  if (policy === 'any') return '*';
  const slug = getRouterParam(event, 'tenant');
  const tenant = slug ? await deps.directory.tenantBySlug(slug) : undefined;
  return tenant && (await deps.corsOrigins.allows(tenant.id, origin)) ? origin : undefined;
}

/** Adds the CORS response headers to an actual (non-preflight) response. */
export async function withCorsHeaders(event: H3Event, deps: Pick<ServerDeps, 'directory' | 'corsOrigins'>, policy: CorsPolicy, res: Response): Promise<Response> {
  if (policy === 'clients') res.headers.append('vary', 'origin');
  const allow = await allowedOrigin(event, deps, policy);
  if (allow) res.headers.set('access-control-allow-origin', allow);
  return res;
}

/** The answer to a CORS preflight (OPTIONS) for a route accepting `methods`. */
export async function preflight(event: H3Event, deps: Pick<ServerDeps, 'directory' | 'corsOrigins'>, policy: CorsPolicy, methods: readonly string[]): Promise<Response> {
  const headers = new Headers({ allow: [...methods, 'OPTIONS'].join(', ') });
  if (policy === 'clients') headers.set('vary', 'origin');
  const allow = await allowedOrigin(event, deps, policy);
  if (allow) {
    headers.set('access-control-allow-origin', allow);
    headers.set('access-control-allow-methods', methods.join(', '));
    headers.set('access-control-allow-headers', ALLOW_HEADERS);
    headers.set('access-control-max-age', PREFLIGHT_MAX_AGE);
  }
  return new Response(null, { status: 204, headers });
}
