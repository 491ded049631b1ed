import type { H3Event } from 'h3';
import type { ServerDeps } from '../../deps.ts';

/** GET /metrics — Prometheus text exposition. */
export function metrics(deps: ServerDeps) {
  return async (_event: H3Event): Promise<Response> =>
    new Response(await deps.metrics.exposition(), { headers: { 'content-type': deps.metrics.registry.contentType, 'cache-control': 'no-store' } });
}
