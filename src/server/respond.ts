import { HTTPError, type H3Event } from 'h3';
import { isAuthflowError, RateLimited, type AuthflowError, type ErrorCode } from '../core/errors.ts';
import { InvalidRequest, isOAuthError, OAuthError, ServerError, TemporarilyUnavailable } from '../core/oauth/errors.ts';
import { ApiError } from './api/errors.ts';
import { requestLog, requestState } from './context.ts';
import { UnknownTenant } from './oauth/tenant.ts';
import { shownTenantOf } from './pages/context.ts';
import { reply } from './reply.ts';
import { errorPage } from './pages/page.ts';
import { PageError } from './pages/page-errors.ts';
import { surfaceOf, type Surface } from './surface.ts';

// The one place where errors become responses, with one branch per surface:
// RFC 6749 §5.2 / RFC 6750 JSON for the protocol endpoints, an HTML page for
// people, RFC 9457 problem+json for the management API and the operations
// endpoints. Only errors meant for the client say what went wrong; anything
// else is `server_error` / 500 with no detail, and the detail goes to the log.

const STATUS: Record<ErrorCode, number> = {
  not_found: 404,
  conflict: 409,
  validation_failed: 422,
  not_permitted: 403,
  unavailable: 503,
  precondition_failed: 412,
  rate_limited: 429,
  license_required: 403,
  license_limit: 403,
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
  return reply(JSON.stringify(body), status, { ...lowerCased(headers), 'content-type': 'application/problem+json', 'cache-control': 'no-store' });
}

/** RFC 6749 §5.2 error response (and RFC 6750 §3 challenges via the error's headers). */
export function oauthError(e: OAuthError): Response {
  const body = JSON.stringify({ error: e.error, ...(e.message ? { error_description: e.message } : {}) });
  return reply(body, e.status, { ...lowerCased(e.headers), 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' });
}

/** Header names are case-insensitive: the fixed ones set after these must replace, not sit beside, a caller's. */
function lowerCased(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** A request refused before routing (a malformed request-target or Host): 400 in its surface's shape. */
export function malformedRequest(surface: Surface, message: string): Response {
  if (surface === 'oauth') return oauthError(new InvalidRequest(message));
  if (surface === 'pages') return errorPage(400, 'Bad request', message, { code: 'bad_request' });
  return problem(400, message, { code: 'bad_request' });
}

/** Something failed that the client cannot fix or be told about (RFC 6749 §5.2 has no code for it; `server_error` is §4.1.2.1's). */
export function unexpectedFailure(surface: Surface, look: { readonly tenantName?: string | undefined; readonly requestId?: string | undefined } = {}): Response {
  if (surface === 'oauth') return oauthError(new ServerError());
  if (surface === 'pages') return errorPage(500, 'Something went wrong', 'The server could not complete the request. Try again in a moment.', { ...look, code: 'server_error' });
  return problem(500, 'The server could not complete the request.');
}

/** h3 `onError` hook: the error a handler threw (h3 wraps it), answered in its surface's shape. */
export function respondToError(error: HTTPError, event: H3Event): Response {
  return errorResponse(error.unhandled && error.cause !== undefined ? error.cause : error, event);
}

/** Maps any error to the response of the request's surface, logging what must not be sent. */
export function errorResponse(e: unknown, event: H3Event): Response {
  const surface = surfaceOf(pathOf(event));
  // A dependency that is down (503) is stated, and logged as what it is.
  if (isAuthflowError(e) && STATUS[e.code] >= 500) requestLog(event).error({ err: describe(e) }, 'dependency unavailable');
  const answer = surface === 'pages' ? forPeople(e, event) : forMachines(e, surface);
  if (answer) return answer;
  if (clientWentAway(e, event)) {
    // The client closed the connection mid-request (e.g. mid-body): nothing to answer, nothing wrong here.
    requestLog(event).debug({ err: { type: (e as Error).name, code: (e as { code?: unknown }).code } }, 'request aborted by the client');
    return problem(400, 'The request was aborted.');
  }
  requestLog(event).error({ err: describe(e) }, 'unhandled error');
  return unexpectedFailure(surface, lookOf(event));
}

/**
 * Machines (the protocol endpoints, the management API, the operations
 * endpoints): OAuth errors as RFC 6749 §5.2 / RFC 6750 JSON; domain, API
 * and routing refusals as problem+json with a stable `code`.
 */
function forMachines(e: unknown, surface: Surface): Response | undefined {
  if (isOAuthError(e)) return oauthError(e);
  // A spent budget on a protocol endpoint answers as RFC 6749 does: temporarily_unavailable, 429 + Retry-After.
  if (surface === 'oauth' && e instanceof RateLimited) return oauthError(new TemporarilyUnavailable(e.retryAfter));
  if (isAuthflowError(e)) return problem(STATUS[e.code], e.message, { code: e.code, ...(e.field ? { field: e.field } : {}) }, retryAfter(e));
  // Management API refusals before the core (authentication, framing, routing): status, code and headers are fixed per class.
  if (e instanceof ApiError) return problem(e.status, e.message, { code: e.code }, e.headers);
  // Routing and protocol errors raised by h3 itself (404, 405, malformed URL, 413 …): safe to state.
  if (e instanceof HTTPError && !e.unhandled) {
    const detail = e.status === 404 ? 'No such resource.' : e.statusText || undefined;
    // On a protocol path, RFC 6749 §5.2 JSON: `invalid_request` with the status (there is no code of its own for these).
    if (surface === 'oauth') return oauthError(new OAuthError('invalid_request', e.status, detail ?? TITLES[e.status] ?? 'The request was refused.'));
    return problem(e.status, detail);
  }
  return undefined;
}

/** Hosted pages: an HTML error page in the tenant's look, with the request id to quote. */
function forPeople(e: unknown, event: H3Event): Response | undefined {
  const look = lookOf(event);
  if (e instanceof PageError) return errorPage(e.status, e.heading, e.message, { ...look, code: e.code });
  if (e instanceof UnknownTenant) return errorPage(404, 'Unknown sign-in service', 'There is no such tenant here.', look);
  // The authorization and logout endpoints' refusals that cannot go back to a client (RFC 6749 §4.1.2.1).
  if (isOAuthError(e)) return errorPage(400, 'This request is not valid', `${capitalize(e.message)}.`, { ...look, code: e.error });
  if (isAuthflowError(e)) return errorPage(STATUS[e.code], TITLES[STATUS[e.code]]!, e.message, { ...look, code: e.code, headers: retryAfter(e) });
  // No such page, for a client that asked for JSON and not HTML (a script probing a URL): problem+json.
  if (e instanceof HTTPError && !e.unhandled && e.status === 404 && prefersJson(event)) return problem(404, 'No such resource.');
  // h3's own refusals (no such page, a method the page does not take, a path it cannot decode): a page too.
  if (e instanceof HTTPError && !e.unhandled) return errorPage(e.status, TITLES[e.status] ?? 'Error', e.status === 404 ? 'There is no such page.' : e.statusText || 'The request was refused.', { ...look, code: e.status === 404 ? 'not_found' : 'bad_request' });
  return undefined;
}

/** The request's path, even when h3 could not parse its URL (the error may be that). */
function pathOf(event: H3Event): string {
  try {
    return event.url.pathname;
  } catch {
    return URL.parse(event.req.url)?.pathname ?? '/';
  }
}

/** What an error page shows of the request: the tenant it is for (its look) and the id to quote. */
const lookOf = (event: H3Event) => ({ tenantName: shownTenantOf(event), requestId: requestState(event)?.id });

const retryAfter = (e: AuthflowError): Record<string, string> => (e instanceof RateLimited ? { 'retry-after': String(e.retryAfter) } : {});

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

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

/** The request asks for JSON and not for HTML (no Accept at all is a browser-like request: it gets the page). */
function prefersJson(event: H3Event): boolean {
  const accept = event.req.headers.get('accept');
  return accept !== null && /json/i.test(accept) && !/text\/html/i.test(accept);
}
