import type { H3Event } from 'h3';
import type { z } from 'zod';
import type { ApiScope, Principal } from '../../core/admin/index.ts';
import { ValidationFailed } from '../../core/errors.ts';
import { parseInput } from '../../core/validation.ts';
import type { ServerDeps } from '../deps.ts';
import { authenticate, requireRouteScope } from './auth.ts';
import { readJsonBody } from './body.ts';
import { RouteNotFound } from './errors.ts';
import { noQuery, type ApiQuery } from './schemas.ts';

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a handler gets: the parsed request, the acting principal and the server's dependencies. */
export interface Call {
  readonly deps: ServerDeps;
  /** The authenticated API key (routes with a scope only). */
  readonly principal: Principal;
  param(name: string): string;
  readonly query: ApiQuery;
  /** The JSON body, unvalidated (the core validates it); undefined when none was sent. */
  readonly body: unknown;
  readonly ifMatch: string | undefined;
  readonly url: URL;
}

export type Handler = (c: Call) => Promise<Response>;

/** A documented response: its status, what it means, its body schema and the headers it carries. */
export interface ResponseDoc {
  readonly status: 200 | 201;
  readonly description: string;
  readonly schema: z.ZodType;
  readonly headers?: readonly ('ETag' | 'Location' | 'Link')[];
}

/**
 * One management API operation. The same record registers the h3 route and
 * describes it in the OpenAPI document, so the two cannot disagree.
 */
export interface ApiRoute {
  readonly method: ApiMethod;
  /** Path template under /api/v1, OpenAPI style: `/tenants/{tenant}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: 'tenants' | 'clients' | 'keys' | 'users' | 'api-keys' | 'audit' | 'security' | 'mail' | 'usage' | 'meta';
  /** The scope the API key needs; 'authenticated': any valid key; null: no authentication (the OpenAPI document only). */
  readonly scope: ApiScope | 'authenticated' | null;
  readonly query?: z.ZodObject;
  /** The request body schema (the one the core validates with) and whether a body is required. */
  readonly body?: { readonly schema: z.ZodType; readonly required: boolean };
  readonly ok: ResponseDoc;
  /** Refusals beyond those implied by authentication, path parameters and the body (404: a tenant named in the query or body). */
  readonly errors?: readonly (404 | 409 | 412)[];
  readonly handle: Handler;
}

/**
 * The h3 handler for a route: authenticate, check the route's scope, parse
 * query and body, call the handler. Refusals are thrown and mapped to
 * problem+json by src/server/respond.ts.
 */
export function endpoint(route: ApiRoute, deps: ServerDeps) {
  const querySchema = route.query ?? noQuery;
  return async (event: H3Event): Promise<Response> => {
    let principal: Principal | undefined;
    if (route.scope !== null) {
      principal = await authenticate(event, deps);
      if (route.scope !== 'authenticated') requireRouteScope(principal, route.scope);
    }
    const params = decodeParams(event.context.params ?? {});
    const query = parseInput(querySchema, queryObject(event.url.searchParams)) as ApiQuery;
    const body = route.body ? await readJsonBody(event) : undefined;
    const call: Call = {
      deps,
      get principal(): Principal {
        if (!principal) throw new Error(`${route.operationId} is not an authenticated route`);
        return principal;
      },
      param(name) {
        const value = params[name];
        if (value === undefined) throw new Error(`${route.operationId} has no path parameter "${name}"`);
        return value;
      },
      query,
      body,
      ifMatch: event.req.headers.get('if-match')?.trim() || undefined,
      url: event.url,
    };
    const response = await route.handle(call);
    // A change made through this server is visible to it at once, whatever the
    // latency of the database's change feed (Postgres NOTIFY arrives asynchronously).
    if (route.method !== 'GET') deps.directory.invalidate();
    return response;
  };
}

function decodeParams(raw: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      throw new RouteNotFound();
    }
  }
  return out;
}

/** Query parameters as an object; one given twice is refused rather than silently picked. */
function queryObject(search: URLSearchParams): Record<string, string> {
  const seen = new Map<string, string>();
  for (const [k, v] of search) {
    if (seen.has(k)) throw new ValidationFailed(k, 'must be given once');
    seen.set(k, v);
  }
  return Object.fromEntries(seen);
}
