import type { H3Event } from 'h3';
import type { ServerDeps } from '../../deps.ts';

/** GET /readyz — 200 when the database answers and its migrations are current; 503 otherwise or while draining. */
export function readyz(deps: ServerDeps) {
  return async (_event: H3Event): Promise<Response> => {
    const report = deps.lifecycle.draining
      ? { ready: false, checks: { lifecycle: { ok: false, detail: 'shutting down' } } }
      : await deps.readiness();
    return new Response(JSON.stringify({ status: report.ready ? 'ready' : 'unavailable', checks: report.checks }), {
      status: report.ready ? 200 : 503,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    });
  };
}
