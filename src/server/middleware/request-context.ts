import type { H3Event } from 'h3';
import { clientIp, fromTrustedProxy } from '../client-ip.ts';
import { randomUUID } from 'node:crypto';
import type { ServerDeps } from '../deps.ts';
import { requestState, setRequestState } from '../context.ts';
import { setDefaultHeaders } from './security-headers.ts';

/** Request ids we keep from upstream (UUIDs, nanoids, base64url, trace ids); anything else is dropped. */
const INCOMING_ID = /^[A-Za-z0-9._:~-]{1,128}$/;

/**
 * Every request gets an id of our own, so that no caller can make its lines
 * look like another request's. A caller's X-Request-Id is kept beside it as
 * `upstream_request_id`; it becomes the id only when a trusted proxy sent it.
 */
function begin(deps: ServerDeps, event: H3Event) {
  const incoming = event.req.headers.get('x-request-id');
  const upstream = incoming && INCOMING_ID.test(incoming) ? incoming : undefined;
  const id = upstream && fromTrustedProxy(event, deps.trustedProxies) ? upstream : randomUUID();
  const fields = upstream && upstream !== id ? { req_id: id, upstream_request_id: upstream } : { req_id: id };
  const state = { id, startedAt: performance.now(), log: deps.logger.child(fields) };
  setRequestState(event, state);
  return state;
}

/** onRequest: give the request an id and a child logger. */
export function startRequest(deps: ServerDeps) {
  return (event: H3Event): void => void begin(deps, event);
}

/** onResponse: security headers, metrics and one access-log line. */
export function finishRequest(deps: ServerDeps) {
  return (response: Response, event: H3Event): void => {
    // Requests h3 refuses before onRequest (e.g. a malformed URL) get their id here.
    const state = requestState(event) ?? begin(deps, event);
    const route = event.context.matchedRoute?.route ?? 'unmatched';
    const status = response.status;
    setDefaultHeaders(response.headers, state.id);
    const seconds = (performance.now() - state.startedAt) / 1000;
    deps.metrics.observe(event.req.method, route, status, seconds);
    state.log.info(
      { method: event.req.method, route, path: safePath(event), status, ms: Math.round(seconds * 1e4) / 10, ip: clientIp(event, deps.trustedProxies) },
      'request',
    );
  };
}

function safePath(event: H3Event): string {
  try {
    return event.url.pathname;
  } catch {
    return new URL(event.req.url).pathname;
  }
}
