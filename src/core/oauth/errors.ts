/**
 * OAuth 2.0 / OpenID Connect errors: each class has a fixed RFC error code and
 * HTTP status. `src/server/respond.ts` turns them into the RFC 6749 §5.2 JSON
 * body (token-style endpoints), RFC 6750 §3 `WWW-Authenticate` (resource
 * endpoints), or a redirect (authorization endpoint, by its handler).
 * The description is meant for the client developer: never internals.
 */
export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly error: string;
  readonly status: number;
  /** Extra response headers (e.g. WWW-Authenticate). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(error: string, status: number, description: string, headers: Record<string, string> = {}) {
    super(description);
    this.error = error;
    this.status = status;
    this.headers = headers;
  }
}

/** RFC 6749 §5.2 invalid_request: missing, repeated or malformed parameter. */
export class InvalidRequest extends OAuthError {
  override name = 'InvalidRequest';
  constructor(description: string) {
    super('invalid_request', 400, description);
  }
}

/** RFC 6749 §5.2 invalid_client: client authentication failed. 401 with a challenge for the scheme the client tried (Basic by default). */
export class InvalidClient extends OAuthError {
  override name = 'InvalidClient';
  /** The client_id the request claimed (unverified), for the log only. */
  clientId: string | undefined;
  constructor(description = 'client authentication failed', scheme: 'Basic' | null = 'Basic', clientId?: string) {
    super('invalid_client', 401, description, scheme ? { 'www-authenticate': `${scheme} realm="authflow", charset="UTF-8"` } : {});
    this.clientId = clientId;
  }
}

/**
 * RFC 6749 §5.2 invalid_client, answered 429 with Retry-After (RFC 6585 §4):
 * the client's credentials failed and the failure budget of its client id or
 * address is spent (docs/abuse.md). Right credentials are never refused so.
 */
export class ClientAuthThrottled extends OAuthError {
  override name = 'ClientAuthThrottled';
  constructor(retryAfter: number) {
    super('invalid_client', 429, `client authentication failed, and too many failures came from this client or address: retry in ${retryAfter} seconds`, { 'retry-after': String(retryAfter) });
  }
}

/** RFC 6749 §4.1.2.1 temporarily_unavailable, answered 429 with Retry-After: the tenant's request quota is spent for now. */
export class TemporarilyUnavailable extends OAuthError {
  override name = 'TemporarilyUnavailable';
  constructor(retryAfter: number) {
    super('temporarily_unavailable', 429, `the tenant's request quota is spent: retry in ${retryAfter} seconds`, { 'retry-after': String(retryAfter) });
  }
}

/** RFC 6749 §5.2 invalid_grant: the code, refresh token or credentials are invalid, expired, revoked or not the client's. */
export class InvalidGrant extends OAuthError {
  override name = 'InvalidGrant';
  constructor(description: string) {
    super('invalid_grant', 400, description);
  }
}

/** RFC 6749 §5.2 unauthorized_client: the client may not use this grant type. */
export class UnauthorizedClient extends OAuthError {
  override name = 'UnauthorizedClient';
  constructor(description: string) {
    super('unauthorized_client', 400, description);
  }
}

/** RFC 6749 §5.2 unsupported_grant_type. */
export class UnsupportedGrantType extends OAuthError {
  override name = 'UnsupportedGrantType';
  constructor(description = 'the grant type is not supported') {
    super('unsupported_grant_type', 400, description);
  }
}

/** RFC 6749 §5.2 / §4.1.2.1 invalid_scope. */
export class InvalidScope extends OAuthError {
  override name = 'InvalidScope';
  constructor(description: string) {
    super('invalid_scope', 400, description);
  }
}

/** RFC 8707 §2 invalid_target: the requested resource/audience is not allowed. */
export class InvalidTarget extends OAuthError {
  override name = 'InvalidTarget';
  constructor(description: string) {
    super('invalid_target', 400, description);
  }
}

/** RFC 6749 §4.1.2.1 unsupported_response_type. */
export class UnsupportedResponseType extends OAuthError {
  override name = 'UnsupportedResponseType';
  constructor(description = 'only response_type=code is supported') {
    super('unsupported_response_type', 400, description);
  }
}

/** RFC 6749 §4.1.2.1 access_denied (the user or policy refused). */
export class AccessDenied extends OAuthError {
  override name = 'AccessDenied';
  constructor(description = 'the request was denied') {
    super('access_denied', 403, description);
  }
}

/** OIDC Core §3.1.2.6 login_required / consent_required / interaction_required (prompt=none). */
export class InteractionRequired extends OAuthError {
  override name = 'InteractionRequired';
  constructor(error: 'login_required' | 'consent_required' | 'interaction_required' | 'account_selection_required', description: string) {
    super(error, 400, description);
  }
}

/** OIDC Core §3.1.2.6 request_not_supported: the `request` parameter (a request object) is not supported. */
export class RequestNotSupported extends OAuthError {
  override name = 'RequestNotSupported';
  constructor(description = 'request objects (the "request" parameter) are not supported') {
    super('request_not_supported', 400, description);
  }
}

/** OIDC Core §3.1.2.6 request_uri_not_supported. */
export class RequestUriNotSupported extends OAuthError {
  override name = 'RequestUriNotSupported';
  constructor(description = 'the "request_uri" parameter is not supported') {
    super('request_uri_not_supported', 400, description);
  }
}

/** OIDC Core §3.1.2.6 registration_not_supported. */
export class RegistrationNotSupported extends OAuthError {
  override name = 'RegistrationNotSupported';
  constructor(description = 'the "registration" parameter is not supported') {
    super('registration_not_supported', 400, description);
  }
}

/** RFC 6750 §3.1 invalid_token: 401 with a Bearer challenge. */
export class InvalidToken extends OAuthError {
  override name = 'InvalidToken';
  constructor(description = 'the access token is invalid, expired or revoked') {
    super('invalid_token', 401, description, { 'www-authenticate': `Bearer realm="authflow", error="invalid_token", error_description="${description.replace(/["\\]/g, '')}"` });
  }
}

/** RFC 6750 §3.1 insufficient_scope: 403 with a Bearer challenge naming the scope. */
export class InsufficientScope extends OAuthError {
  override name = 'InsufficientScope';
  constructor(scope: string) {
    super('insufficient_scope', 403, `the access token lacks the "${scope}" scope`, { 'www-authenticate': `Bearer realm="authflow", error="insufficient_scope", scope="${scope}"` });
  }
}

/** RFC 6750 §3.1 invalid_request at a protected resource (e.g. a token sent two ways, or in the query): 400 with a Bearer challenge. */
export class InvalidBearerRequest extends OAuthError {
  override name = 'InvalidBearerRequest';
  constructor(description: string) {
    super('invalid_request', 400, description, { 'www-authenticate': `Bearer realm="authflow", error="invalid_request", error_description="${description.replace(/["\\]/g, '')}"` });
  }
}

/** RFC 6750 §3.1: a request to a protected resource with no access token at all: 401 whose challenge carries no error code. */
export class MissingToken extends OAuthError {
  override name = 'MissingToken';
  constructor() {
    super('invalid_token', 401, 'an access token is required', { 'www-authenticate': 'Bearer realm="authflow"' });
  }
}

/** RFC 7009 §2.2.1 unsupported_token_type. */
export class UnsupportedTokenType extends OAuthError {
  override name = 'UnsupportedTokenType';
  constructor(description = 'this token type cannot be revoked here') {
    super('unsupported_token_type', 400, description);
  }
}

/** RFC 6749 §4.1.2.1 server_error, used on every OAuth endpoint for a failure the client cannot fix: 500, nothing more said. */
export class ServerError extends OAuthError {
  override name = 'ServerError';
  constructor() {
    super('server_error', 500, 'The server could not complete the request.');
  }
}

export function isOAuthError(e: unknown): e is OAuthError {
  return e instanceof OAuthError;
}
