import type { H3, H3Event } from 'h3';
import type { ServerDeps } from './deps.ts';

/** One route of a surface that needs no glue of its own (the operations endpoints, the hosted pages). */
export interface PlainRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Builds the h3 handler from the server's dependencies, once, when the table is mounted. */
  readonly handler: (deps: ServerDeps) => (event: H3Event) => Response | Promise<Response>;
}

/** Mounts a table of plain routes (h3 answers HEAD from the GET route). */
export function mountPlainRoutes(app: H3, deps: ServerDeps, routes: readonly PlainRoute[]): void {
  for (const route of routes) app.on(route.method, route.path, route.handler(deps));
}
