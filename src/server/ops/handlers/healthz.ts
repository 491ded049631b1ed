import type { H3Event } from 'h3';

/** GET /healthz — the process is alive. Touches nothing else. */
export function healthz(_event: H3Event): Response {
  return new Response('{"status":"ok"}', { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}
