import { HTTPError, type H3Event } from 'h3';
import type { ServerDeps } from '../../deps.ts';

/**
 * GET /metrics — Prometheus text exposition. On the main listener only when `metrics.listen` is `main`:
 * the main port is the one put on the internet, and the figures describe the whole instance.
 * Otherwise they are served by their own listener (metrics-listener.ts) or not at all.
 */
export function metrics(deps: ServerDeps) {
  return async (_event: H3Event): Promise<Response> => {
    if (!deps.metricsOnMain) throw new HTTPError({ status: 404 });
    return metricsResponse(deps.metrics);
  };
}

/** The current text: this process's registry, or the cluster's. */
export async function metricsResponse(m: Pick<ServerDeps['metrics'], 'registry' | 'exposition'>): Promise<Response> {
  return new Response(await m.exposition(), { headers: { 'content-type': m.registry.contentType, 'cache-control': 'no-store' } });
}
