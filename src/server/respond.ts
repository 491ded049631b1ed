import { HTTPError, type H3Event } from 'h3';
import { isAuthflowError, RateLimited, type ErrorCode } from '../core/errors.ts';
import { InvalidRequest, isOAuthError, ServerError, type OAuthError } from '../core/oauth/errors.ts';
import { ApiError } from './api/errors.ts';
import { requestLog } from './context.ts';
import { errorPage } from './pages/page.ts';
import { surfaceOf, type Surface } from './surface.ts';

// The one place where errors become responses. Anything not meant for the
// client becomes a 500 with no detail; the detail goes to the log.

const STATUS: Record<ErrorCode, number> = {
  not_found: 404,
  conflict: 409,
  validation_failed: 422,
  not_permitted: 403,
  unavailable: 503,
  precondition_failed: 412,
  rate_limited: 429,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An RFC 9457 problem details response. */
export function problem(status: number, detail?: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  const body = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, ...(detail ? { detail } : {}), ...extra };
  const h = new Headers(headers);
  h.set('content-type', 'application/problem+json');
  h.set('cache-control', 'no-store');
  return new Response(JSON.stringify(body), { status, headers: h });
}

/** RFC 6749 §5.2 error response (and RFC 6750 §3 challenges via the error's headers). */
export function oauthError(e: OAuthError): Response {
  const h = new Headers(e.headers);
  h.set('content-type', 'application/json');
  h.set('cache-control', 'no-store');
  h.set('pragma', 'no-cache');
  return new Response(JSON.stringify({ error: e.error, ...(e.message ? { error_description: e.message } : {}) }), { status: e.status, headers: h });
}

/** A request refused before routing (a malformed request-target or Host): 400 in its surface's shape. */
export function malformedRequest(surface: Surface, message: string): Response {
  if (surface === 'oauth') return oauthError(new InvalidRequest(message));
  if (surface === 'pages') return errorPage(400, 'Bad request', message, { code: 'bad_request' });
  return problem(400, message, { code: 'bad_request' });
}

/** Something failed that the client cannot fix or be told about (RFC 6749 §5.2 has no code for it; `server_error` is §4.1.2.1's). */
export function unexpectedFailure(surface: Surface): Response {
  if (surface === 'oauth') return oauthError(new ServerError());
  if (surface === 'pages') return errorPage(500, 'Something went wrong', 'The server could not complete the request. Try again in a moment.', { code: 'server_error' });
  return problem(500, 'The server could not complete the request.');
}

/** h3 `onError` hook: maps any error to a response, logging what must not be sent. */
export function respondToError(error: HTTPError, event: H3Event): Response {
  const original: unknown = error.unhandled && error.cause !== undefined ? error.cause : error;
  if (isOAuthError(original)) return oauthError(original);
  if (isAuthflowError(original)) {
    const status = STATUS[original.code];
    if (status >= 500) requestLog(event).error({ err: describe(original) }, 'dependency unavailable');
    const headers: Record<string, string> = original instanceof RateLimited ? { 'retry-after': String(original.retryAfter) } : {};
    return problem(status, original.message, { code: original.code, ...(original.field ? { field: original.field } : {}) }, headers);
  }
  if (original instanceof ApiError) {
    // Management API refusals before the core (authentication, framing, routing): status, code and headers are fixed per class.
    return problem(original.status, original.message, { code: original.code }, original.headers);
  }
  if (original instanceof HTTPError && !original.unhandled) {
    // Routing and protocol errors raised by h3 itself (404, 405, malformed URL, 413 …): safe to state.
    return problem(original.status, original.status === 404 ? 'No such resource.' : original.statusText || undefined);
  }
  if (clientWentAway(original, event)) {
    // The client closed the connection mid-request (e.g. mid-body): nothing to answer, nothing wrong here.
    requestLog(event).debug({ err: { type: (original as Error).name, code: (original as { code?: unknown }).code } }, 'request aborted by the client');
    return problem(400, 'The request was aborted.');
  }
  requestLog(event).error({ err: describe(original) }, 'unhandled error');
  return unexpectedFailure(surfaceOf(event.url.pathname));
}

const ABORT_CODES = new Set(['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE', 'ABORT_ERR', 'UND_ERR_ABORTED']);

function clientWentAway(e: unknown, event: H3Event): boolean {
  const node = event.runtime?.node?.req;
  if (node && (node.destroyed || (node as { aborted?: boolean }).aborted) && !node.complete) return true;
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  return e.name === 'AbortError' || (typeof code === 'string' && ABORT_CODES.has(code) && event.req.signal?.aborted === true);
}

/** What may be logged about an error: its class, code and message, never bound values or request data. */
function describe(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { type: typeof e };
  const cause = (e as { cause?: unknown }).cause;
  return {
    type: e.name,
    code: (e as { code?: unknown }).code,
    message: e.message,
    stack: e.stack,
    ...(cause instanceof Error ? { cause: { type: cause.name, code: (cause as { code?: unknown }).code, message: cause.message } } : {}),
  };
}
