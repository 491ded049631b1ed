// Refusals of the management API that happen before the core is reached
// (authentication, HTTP framing, routing). Each has a fixed status and a
// stable `code`; src/server/respond.ts turns them into problem+json.

export type ApiErrorCode =
  | 'unauthorized'
  | 'insufficient_scope'
  | 'malformed_body'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'route_not_found'
  | 'method_not_allowed';

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, code: ApiErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const REALM = 'realm="authflow"';

/**
 * No usable API key (RFC 6750 §3). The message is the same whatever went
 * wrong, so the answer does not tell an unknown key from a revoked one; the
 * `error` parameter is left out when no bearer credentials were sent (§3.1).
 */
export class Unauthorized extends ApiError {
  override name = 'Unauthorized';
  constructor(bearerPresented: boolean) {
    super(401, 'unauthorized', 'A valid API key is required: send it as "Authorization: Bearer af_…".', {
      'www-authenticate': bearerPresented ? `Bearer ${REALM}, error="invalid_token"` : `Bearer ${REALM}`,
    });
  }
}

/** The key is valid but does not hold the scope the route needs (RFC 6750 §3.1 insufficient_scope). */
export class MissingScope extends ApiError {
  override name = 'MissingScope';
  readonly scope: string;
  constructor(scope: string) {
    super(403, 'insufficient_scope', `This API key lacks the ${scope} scope.`, {
      'www-authenticate': `Bearer ${REALM}, error="insufficient_scope", scope="${scope}"`,
    });
    this.scope = scope;
  }
}

export class MalformedBody extends ApiError {
  override name = 'MalformedBody';
  constructor(message: string) {
    super(400, 'malformed_body', message);
  }
}

/** The body is larger than the API accepts. The connection is closed: the rest of the body is not read. */
export class BodyTooLarge extends ApiError {
  override name = 'BodyTooLarge';
  constructor(limit: number) {
    super(413, 'body_too_large', `The request body is larger than ${limit} bytes.`, { connection: 'close' });
  }
}

export class UnsupportedMediaType extends ApiError {
  override name = 'UnsupportedMediaType';
  constructor(method: string) {
    super(415, 'unsupported_media_type', 'The request body must be JSON (Content-Type: application/json, UTF-8).', method === 'PATCH' ? { 'accept-patch': 'application/json, application/merge-patch+json' } : {});
  }
}

export class RouteNotFound extends ApiError {
  override name = 'RouteNotFound';
  constructor() {
    super(404, 'route_not_found', 'There is no such management API endpoint; see /api/v1/openapi.json.');
  }
}

export class MethodNotAllowed extends ApiError {
  override name = 'MethodNotAllowed';
  constructor(allow: readonly string[]) {
    super(405, 'method_not_allowed', `This endpoint answers ${allow.join(', ')}.`, { allow: allow.join(', ') });
  }
}
