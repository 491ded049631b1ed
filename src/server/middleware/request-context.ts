import { getRequestIP, type H3Event } from 'h3';
import { randomUUID } from 'node:crypto';
import type { ServerDeps } from '../deps.ts';
import { requestState, setRequestState } from '../context.ts';

/** Request ids we accept from upstream (UUIDs, nanoids, base64url, trace ids); anything else is replaced. */
const INCOMING_ID = /^[A-Za-z0-9._:~-]{1,128}$/;

function begin(deps: ServerDeps, event: H3Event) {
  const incoming = event.req.headers.get('x-request-id');
  const id = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
  const state = { id, startedAt: performance.now(), log: deps.logger.child({ req_id: id }) };
  setRequestState(event, state);
  return state;
}

/** onRequest: give the request an id (honouring a sane X-Request-Id) and a child logger. */
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
      { method: event.req.method, route, path: safePath(event), status, ms: Math.round(seconds * 1e4) / 10, ip: getRequestIP(event, { xForwardedFor: deps.trustProxy }) },
      'request',
    );
  };
}

function setDefaultHeaders(h: Headers, requestId: string | undefined): void {
  try {
    if (requestId) h.set('x-request-id', requestId);
    if (!h.has('x-content-type-options')) h.set('x-content-type-options', 'nosniff');
    if (!h.has('referrer-policy')) h.set('referrer-policy', 'no-referrer');
    // Responses that are not pages carry the strictest policy; pages set their own.
    if (!h.has('content-security-policy')) h.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    if (!h.has('x-frame-options')) h.set('x-frame-options', 'DENY');
  } catch {
    // Some prepared responses carry immutable headers; they already come from our own handlers.
  }
}

function safePath(event: H3Event): string {
  try {
    return event.url.pathname;
  } catch {
    return new URL(event.req.url).pathname;
  }
}
