import type { H3Event } from 'h3';
import { clientIp, fromTrustedProxy } from '../client-ip.ts';
import { randomUUID } from 'node:crypto';
import type { ServerDeps } from '../deps.ts';
import { requestState, setRequestState, type RequestState } from '../context.ts';
import { setDefaultHeaders } from './security-headers.ts';

/** Request ids we keep from upstream (UUIDs, nanoids, base64url, trace ids); anything else is dropped. */
const INCOMING_ID = /^[A-Za-z0-9._:~-]{1,128}$/;

/**
 * Every request gets an id of our own, so that no caller can make its lines
 * look like another request's. A caller's X-Request-Id is kept beside it as
 * `upstream_request_id`; it becomes the id only when a trusted proxy sent it.
 */
function begin(deps: ServerDeps, event: H3Event): RequestState {
  const incoming = event.req.headers.get('x-request-id');
  const upstream = incoming && INCOMING_ID.test(incoming) ? incoming : undefined;
  const id = upstream && fromTrustedProxy(event, deps.trustedProxies) ? upstream : randomUUID();
  const state: RequestState = { id, upstreamId: upstream !== id ? upstream : undefined, startedAt: performance.now(), logger: deps.logger };
  setRequestState(event, state);
  return state;
}

/** onRequest: give the request an id. */
export function startRequest(deps: ServerDeps) {
  return (event: H3Event): void => void begin(deps, event);
}

/**
 * onResponse: security headers, metrics, and at most one log line — the
 * access line (`log.access`: every request, none, or only 5xx answers and
 * requests slower than `log.slow_ms`), which also carries whatever the
 * handler or the error mapper noted. Nothing is logged that the line does not
 * name: no headers, no query, no body.
 */
export function finishRequest(deps: ServerDeps) {
  const { access, slowMs } = deps.log;
  return (response: Response, event: H3Event): void => {
    // Requests h3 refuses before onRequest (e.g. a malformed URL) get their id here.
    const state = requestState(event) ?? begin(deps, event);
    const route = event.context.matchedRoute?.route ?? 'unmatched';
    const status = response.status;
    setDefaultHeaders(response.headers, state.id);
    const ms = performance.now() - state.startedAt;
    deps.metrics.observe(event.req.method, route, status, ms / 1000);
    const note = state.note;
    const slow = ms >= slowMs;
    const wanted = note ? note.level !== 'debug' || deps.logger.isLevelEnabled('debug') : access === 'all' || (access === 'errors' && (status >= 500 || slow));
    if (!wanted) return;
    const level = note?.level ?? (status >= 500 ? 'error' : slow ? 'warn' : 'info');
    const line = {
      req_id: state.id,
      ...(state.upstreamId ? { upstream_request_id: state.upstreamId } : {}),
      ...state.actor,
      method: event.req.method,
      route,
      path: safePath(event),
      status,
      ms: Math.round(ms * 10) / 10,
      ip: clientIp(event, deps.trustedProxies),
      ...(slow ? { slow: true } : {}),
      ...note?.fields,
    };
    state.logger[level](line, note?.msg ?? 'request');
  };
}

function safePath(event: H3Event): string {
  try {
    return event.url.pathname;
  } catch {
    return new URL(event.req.url).pathname;
  }
}
